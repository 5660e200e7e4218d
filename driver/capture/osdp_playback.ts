/**
 * `replay --as-reader` for OSDP: the captured reader answers a live control
 * panel. The panel sends its own polls and sequence numbers, so bytes played
 * at the recorded pace would not fit; instead each command gets the recorded
 * reply that fits it, built anew: addressed to the address polled, with the
 * command's sequence number and check (CRC or checksum), in clear. The
 * recorded card reads (`osdp_RAW`, `osdp_FMT`) and keypad input are answered
 * to the first poll at or after their recorded time (relative to the start
 * of the playback); other polls get `osdp_ACK`.
 *
 * Replies come from what the replay's observer could read, so card reads
 * recorded under Secure Channel are delivered decrypted when the capture
 * holds the session (see `osdp_keys.ts`). The playback itself speaks only in
 * clear: its `osdp_PDCAP` leaves out Secure Channel, so the panel's reader
 * entry must not have `secureChannel.required` (without `secureChannel` it
 * simply runs in clear), and `osdp_CHLNG` is refused with NAK 5.
 *
 * @module
 */

import {
  BROADCAST,
  OsdpCapFunction,
  OsdpCmd,
  OsdpNak,
  OsdpReply,
  REPLY_BIT,
} from "../osdp/constants.ts";
import type { OsdpTransport } from "../osdp/bus_types.ts";
import { OsdpParser } from "../osdp/parser.ts";
import { FrameWriter } from "../osdp/writer.ts";
import type { ParsedCapture } from "./format.ts";
import { replayOsdp } from "./replay_osdp.ts";

/** One recorded reply: its code and clear data. */
export interface RecordedReply {
  /** Reply code. */
  code: number;
  /** Data in clear. */
  data: Uint8Array;
}

/** What the captured reader said, ready to be played to a control panel. */
export interface RecordedPd {
  /** The first reply recorded to each command code (NAKs and BUSY left out). */
  replies: Map<number, RecordedReply>;
  /** Card reads and keypad input, with their time (ms since the first record). */
  reads: (RecordedReply & { atMs: number })[];
  /** The recorded reader's address. */
  address: number;
}

const READS: ReadonlySet<number> = new Set([OsdpReply.RAW, OsdpReply.FMT, OsdpReply.KEYPAD]);

/**
 * Collects the replies of the reader at `address` (default: the first one
 * that answered) from a capture, through the replay's observer.
 */
export function recordedPd(cap: ParsedCapture, address?: number): RecordedPd {
  const replies = new Map<number, RecordedReply>();
  const reads: RecordedPd["reads"] = [];
  let pd = address ?? -1;
  const lastCommand = new Map<number, number>();
  replayOsdp(cap, (f) => {
    if (f.command) {
      lastCommand.set(f.address, f.code);
      return;
    }
    if (pd < 0) pd = f.address;
    if (f.address !== pd) return;
    const reply = { code: f.code, data: f.data.slice() };
    if (READS.has(f.code)) reads.push({ ...reply, atMs: f.time * 1000 });
    const cmd = lastCommand.get(f.address);
    if (cmd === undefined || f.code === OsdpReply.NAK || f.code === OsdpReply.BUSY) return;
    if (cmd !== OsdpCmd.POLL && !replies.has(cmd)) replies.set(cmd, reply);
  });
  return { replies, reads, address: pd < 0 ? 0 : pd };
}

/** `osdp_PDCAP` data without the Secure Channel entry (the playback answers in clear). */
function clearCapabilities(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i + 3 <= data.length; i += 3) {
    if (data[i] === OsdpCapFunction.COMMUNICATION_SECURITY) continue;
    out.push(data[i]!, data[i + 1]!, data[i + 2]!);
  }
  return Uint8Array.from(out);
}

/** Used when the capture holds no `osdp_PDID` / `osdp_PDCAP` / `osdp_LSTATR` reply. */
const DEFAULT_PDID = new Uint8Array(12);
const DEFAULT_LSTATR = Uint8Array.of(0, 0);
const DEFAULT_PDCAP = Uint8Array.of(3, 1, 0, 4, 1, 1, 5, 1, 1, 8, 1, 0);

/** What a playback did. */
export interface PlaybackCounters {
  /** Commands answered. */
  commands: number;
  /** Recorded reads delivered. */
  delivered: number;
  /** Commands refused (NAK): Secure Channel or secured frames. */
  refused: number;
}

/** Answers a control panel on `port` as the recorded reader; see the module documentation. */
export class OsdpPlayback {
  /** What it did so far. */
  readonly counters: PlaybackCounters = { commands: 0, delivered: 0, refused: 0 };
  readonly #port: OsdpTransport;
  readonly #pd: RecordedPd;
  readonly #w = new FrameWriter(1024);
  readonly #parser = new OsdpParser();
  readonly #now: () => number;
  #start = 0;
  #loop: Promise<void> | null = null;
  #closed = false;

  /** Plays `pd` on `port` (a pty master); `now` is the clock in ms (tests may step it). */
  constructor(port: OsdpTransport, pd: RecordedPd, now: () => number = () => performance.now()) {
    this.#port = port;
    this.#pd = pd;
    this.#now = now;
  }

  /** Reads recorded but not yet delivered. */
  get pending(): number {
    return this.#pd.reads.length - this.counters.delivered;
  }

  /** Starts answering; recorded read times count from now. */
  start(): void {
    this.#start = this.#now();
    this.#loop ??= this.#run();
  }

  /** Stops answering and closes the port. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#port.close();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const buf = new Uint8Array(512);
    const p = this.#parser;
    while (!this.#closed && !this.#port.closed) {
      let n: number;
      try {
        n = await this.#port.read(buf);
      } catch {
        return; // the panel's side hung up
      }
      for (let i = 0;;) {
        i = p.feed(buf, i, n);
        if (!p.ready) break;
        if (p.reply || p.address === BROADCAST) continue;
        const len = this.#answer(p);
        try {
          await this.#port.write(this.#w.buf.slice(0, len));
        } catch {
          return;
        }
      }
    }
  }

  /** Builds the reply to the command in `p` into the writer; returns its length. */
  #answer(p: OsdpParser): number {
    this.counters.commands++;
    const reply = (code: number, data: Uint8Array | null) => {
      this.#w.begin(p.address | REPLY_BIT, p.seq, p.crc).u8(code);
      if (data) this.#w.bytes(data);
      return this.#w.finish();
    };
    const nak = (why: number) => {
      this.counters.refused++;
      return reply(OsdpReply.NAK, Uint8Array.of(why));
    };
    if (p.scbType !== 0) return nak(OsdpNak.SECURITY_UNSUPPORTED);
    const rec = this.#pd.replies.get(p.code);
    switch (p.code) {
      case OsdpCmd.POLL: {
        const next = this.#pd.reads[this.counters.delivered];
        if (next && this.#now() - this.#start >= next.atMs) {
          this.counters.delivered++;
          return reply(next.code, next.data);
        }
        return reply(OsdpReply.ACK, null);
      }
      case OsdpCmd.ID:
        return reply(OsdpReply.PDID, rec?.code === OsdpReply.PDID ? rec.data : DEFAULT_PDID);
      case OsdpCmd.CAP:
        return reply(
          OsdpReply.PDCAP,
          clearCapabilities(rec?.code === OsdpReply.PDCAP ? rec.data : DEFAULT_PDCAP),
        );
      case OsdpCmd.LSTAT: // tamper and power normal unless recorded otherwise
        return reply(OsdpReply.LSTATR, rec?.code === OsdpReply.LSTATR ? rec.data : DEFAULT_LSTATR);
      case OsdpCmd.CHLNG:
      case OsdpCmd.SCRYPT:
      case OsdpCmd.KEYSET:
        return nak(OsdpNak.SECURITY_UNSUPPORTED);
      default:
        return rec ? reply(rec.code, rec.data) : reply(OsdpReply.ACK, null);
    }
  }
}
