/**
 * The control panel's link to one reader (PD): first contact at sequence 0
 * (ID, CAP, Secure Channel handshake, key installation, LSTAT), then polls
 * with sequence 1, 2, 3, 1, …; resends with the same sequence; NAKs, BUSY,
 * the slow schedule of a silent reader, offline detection and backoff.
 *
 * States and transitions are in {@link nextStep} (`link_fsm.ts`); this class
 * decides which event happened and runs the entry actions. No I/O, no clock:
 * the bus hands it the time and the replies, and stores a key to install
 * before the KEYSET goes out (`security.keyToStore`).
 *
 * @module
 */

import { nakName, OsdpCmd, OsdpNak, OsdpReply } from "./constants.ts";
import type { OsdpParser } from "./parser.ts";
import { FrameWriter } from "./writer.ts";
import { type Capability, type PdId, readCapabilities, readPdId, supportsCrc } from "./payload.ts";
import { LinkReports } from "./link_reports.ts";
import { LinkSecurity } from "./link_security.ts";
import { LinkSchedule } from "./link_schedule.ts";
import { eventName, LinkEvent, LinkStep, nextStep, stepName } from "./link_fsm.ts";
import {
  type LinkCounters,
  type LinkPhase,
  type LinkSink,
  newLinkCounters,
  type PdLinkConfig,
} from "./link_types.ts";
import type { LinkTiming } from "./timing.ts";

const MAX_QUEUE = 16;
const S = LinkStep, E = LinkEvent;

interface Queued {
  code: number;
  data: Uint8Array | null;
}

/** One reader's link; see the module documentation. */
export class PdLink {
  /** Reader name. */
  readonly name: string;
  /** Current address (changes after an accepted COMSET). */
  address: number;
  /** Timing. */
  readonly timing: LinkTiming;
  /** Counters. */
  readonly counters: LinkCounters = newLinkCounters();
  /** Tamper, power, COM and card reports. */
  readonly reports: LinkReports;
  /** CRC-16 (true) or checksum (after NAK 1 or a PDCAP without CRC). */
  useCrc = true;
  /** PDID of the reader. */
  pdId: PdId | null = null;
  /** PDCAP of the reader. */
  capabilities: Capability[] = [];
  /** Last NAK code received, -1 before any. */
  lastNak: number = -1;
  /** Last error message for status. */
  lastError = "";
  /** Why the panel refuses the reader, "" when it does not. */
  refusal = "";
  /** Secure Channel state and keys. */
  readonly security: LinkSecurity;
  /** When the link may use the line next. */
  readonly schedule: LinkSchedule;
  readonly #sink: LinkSink;
  readonly #tx: FrameWriter;

  readonly #queue: Queued[] = [];
  #step: LinkStep = S.ID;
  #seq = 0;
  #inflight = false;
  #txLen = 0;
  #cmd: Queued = { code: OsdpCmd.ID, data: null };
  #sentAt = 0;

  /** Creates a link starting at `now` (first contact due immediately). */
  constructor(config: PdLinkConfig, sink: LinkSink, now: number, maxFrame = 1024) {
    this.name = config.name;
    this.address = config.address;
    this.timing = config.timing;
    this.#sink = sink;
    this.schedule = new LinkSchedule(config.timing, config.shared === true, now);
    this.reports = new LinkReports(this, sink, this.counters);
    this.#tx = new FrameWriter(maxFrame);
    this.security = new LinkSecurity(config, sink, this.counters);
  }

  /** Connection phase (a refused reader stays `refused` while it is probed again). */
  get phase(): LinkPhase {
    const s = this.#step;
    if (s === S.ONLINE) return "online";
    if (s === S.OFFLINE) return "offline";
    return s === S.REFUSED || this.refusal !== "" ? "refused" : "connecting";
  }

  /** True when the reader is online (and secured if required): card data is accepted. */
  get online(): boolean {
    return this.#step === S.ONLINE;
  }

  /** The state machine's state, named (`chlng`, `online`, …). */
  get state(): string {
    return stepName(this.#step);
  }

  /** Earliest time the next transaction may start (ms). */
  get dueAt(): number {
    return this.schedule.dueAt;
  }

  set dueAt(t: number) {
    this.schedule.dueAt = t;
  }

  /** Sequence number of the command in flight (or the next one). */
  get seq(): number {
    return this.#seq;
  }

  /** Queues a command for the next slot; false (counted) when not online or the queue is full. */
  enqueue(code: number, data: Uint8Array | null = null): boolean {
    const ok = this.#step === S.ONLINE && this.#queue.length < MAX_QUEUE;
    if (ok) this.#queue.push({ code, data });
    else this.counters.dropped++;
    return ok;
  }

  /**
   * Asks for a new key (`key`, or a random one) to be stored and set with
   * KEYSET under the current session. False when the reader is not online on
   * a Secure Channel.
   */
  rekey(now: number, key?: Uint8Array): boolean {
    if (this.#step !== S.ONLINE || !this.security.channel.active || this.#inflight) return false;
    this.security.rotate(key);
    this.#fire(E.REKEY, now, "key rotation asked for");
    return true;
  }

  /**
   * The key to install ({@link LinkSecurity.keyToStore}) could not be stored:
   * no KEYSET (it could lock the reader out); the session goes on.
   */
  keyStoreFailed(now: number, why: string): void {
    this.#sink.log("error", "osdp key not installed", { reader: this.name, reason: why });
    this.lastError = `key not installed: could not store it (${why})`;
    this.#fire(this.security.keyNotInstalled(this.lastError), now, this.security.why);
  }

  /**
   * The bytes to send now: a resend of the command in flight or a new one.
   * Returns a view of the link's own buffer, valid until the next call.
   */
  nextFrame(now: number): Uint8Array {
    if (!this.#inflight) {
      this.#cmd = this.#pick();
      this.#build();
      this.#inflight = true;
      this.#sentAt = now;
    } else {
      this.counters.resends++;
    }
    if (!this.schedule.answering) this.counters.slowPolls++;
    this.counters.sent++;
    return this.#tx.buf.subarray(0, this.#txLen);
  }

  #pick(): Queued {
    switch (this.#step) {
      case S.CAP:
        return { code: OsdpCmd.CAP, data: Uint8Array.of(0) };
      case S.CHLNG:
        return {
          code: OsdpCmd.CHLNG,
          data: this.security.channel.challenge(this.security.keys.current),
        };
      case S.SCRYPT:
        return { code: OsdpCmd.SCRYPT, data: this.security.channel.serverCryptogram };
      case S.KEYSET: // key type 1 (SCBK), 16 bytes
        return { code: OsdpCmd.KEYSET, data: Uint8Array.of(1, 16, ...this.security.newKey!) };
      case S.LSTAT:
        return { code: OsdpCmd.LSTAT, data: null };
      case S.ONLINE:
        return this.#queue.shift() ?? { code: OsdpCmd.POLL, data: null };
      default: // ID, and the probe of OFFLINE and REFUSED
        return { code: OsdpCmd.ID, data: Uint8Array.of(0) };
    }
  }

  #build(): void {
    const { code, data } = this.#cmd;
    this.#txLen = this.security.channel.frame(
      this.#tx,
      this.address,
      this.#seq,
      this.useCrc,
      code,
      data,
    );
  }

  /** No reply came within the reply timeout. */
  onTimeout(now: number): void {
    this.counters.timeouts++;
    const sch = this.schedule;
    const silent = sch.timedOut(now);
    if (sch.misses === this.timing.silentAfterTimeouts) {
      this.#sink.log("warn", "osdp reader not answering", {
        reader: this.name,
        address: this.address,
        timeouts: sch.misses,
      });
    }
    if (this.#step === S.OFFLINE || this.#step === S.REFUSED) {
      this.#inflight = false;
      this.#seq = 0;
      sch.retryLater(now, false);
    } else if (silent) {
      this.#fire(E.SILENT, now, "no reply");
    } else {
      sch.resend(now); // the same bytes, same sequence
    }
  }

  /** The port failed: the reader is offline until the line works again. */
  portLost(now: number, why: string): void {
    if (this.#step !== S.OFFLINE) this.#fire(E.PORT_LOST, now, `port: ${why}`);
    this.lastError = `port: ${why}`;
  }

  /**
   * A frame with the reply bit and this link's address arrived while its
   * command was in flight. Returns false when it is not the awaited reply
   * (wrong sequence), so the bus keeps waiting.
   */
  onReply(p: OsdpParser, now: number): boolean {
    if (!this.#inflight) return false;
    if (p.seq !== this.#seq) {
      this.counters.staleReplies++;
      return false;
    }
    const code = p.code;
    const sc = this.security.channel;
    const problem = sc.openReply(p);
    if (problem !== null) return this.#scLost(now, problem);
    if (p.scbType === 0 && sc.active && code !== OsdpReply.NAK && code !== OsdpReply.BUSY) {
      return this.#scLost(now, "reader answered outside the secure channel");
    }
    const { replyBuf: buf, replyOff: off, replyLen: len } = sc;
    this.counters.replies++;
    if (this.schedule.replied(now) || this.#step === S.OFFLINE) {
      this.#sink.log("info", "osdp reader answering again", {
        reader: this.name,
        address: this.address,
      });
    }
    if (code === OsdpReply.BUSY) {
      this.counters.busy++;
      this.schedule.busy(now); // same bytes, same sequence, later
      return true;
    }
    if (code === OsdpReply.NAK && len > 0 && buf[off] === OsdpNak.CHECK) {
      this.counters.naks++;
      this.lastNak = OsdpNak.CHECK;
      if (this.useCrc) {
        this.useCrc = false;
        const fields = { reader: this.name };
        this.#sink.log("info", "osdp reader rejected CRC: falling back to checksum", fields);
        this.#build(); // the same command, same sequence, with a checksum
      }
      this.dueAt = now;
      return true;
    }
    this.#inflight = false;
    this.#seq = this.#seq >= 3 ? 1 : this.#seq + 1;
    if (code === OsdpReply.NAK) this.#onNak(len > 0 ? buf[off]! : 0, now);
    else this.#onData(p, code, buf, off, len, now);
    if (!this.#inflight && this.dueAt < now) this.dueAt = now;
    return true;
  }

  #onNak(nak: number, now: number): void {
    this.counters.naks++;
    this.lastNak = nak;
    const cmd = this.#cmd.code;
    this.#sink.log("debug", "osdp NAK", { reader: this.name, code: nak, reason: nakName(nak) });
    this.security.why = "";
    const e = nak === OsdpNak.SEQUENCE ? E.RESTART : this.security.onNak(nak, cmd);
    if (e !== -1) {
      const why = nak === OsdpNak.SEQUENCE ? "reader reported a sequence error" : this.security.why;
      if (e === E.CLEAR && cmd === OsdpCmd.KEYSET) this.lastError = why;
      this.#fire(e, now, why);
    } else if (this.security.why === "skip") {
      this.#connectStepDone(now);
    } else {
      // The command is done (refused); a connect step the reader does not know is skipped.
      this.lastError = `reader refused command 0x${cmd.toString(16)}: ${nakName(nak)}`;
      if (this.#step !== S.ONLINE) this.#connectStepDone(now);
      else this.counters.dropped++;
      this.#idle(now);
    }
  }

  #onData(
    p: OsdpParser,
    code: number,
    buf: Uint8Array,
    off: number,
    len: number,
    now: number,
  ): void {
    const step = this.#step;
    switch (code) {
      case OsdpReply.PDID:
        this.pdId = readPdId(buf, off, len) ?? this.pdId;
        if (step === S.ID || step === S.OFFLINE || step === S.REFUSED) this.#fire(E.OK, now);
        return;
      case OsdpReply.PDCAP:
        this.capabilities = readCapabilities(buf, off, len);
        if (!supportsCrc(this.capabilities)) this.useCrc = false;
        if (step === S.CAP) this.#afterCapabilities(now);
        return;
      case OsdpReply.CCRYPT:
      case OsdpReply.RMAC_I:
        if (step !== (code === OsdpReply.CCRYPT ? S.CHLNG : S.SCRYPT)) return;
        return this.#fire(
          this.security.handshakeReply(code, p, buf, off, len),
          now,
          this.security.why,
        );
      case OsdpReply.ACK:
        if (step === S.KEYSET) return this.#fire(this.security.keyInstalled(), now);
        break;
      case OsdpReply.COM: {
        this.reports.handle(code, buf, off, len, this.online);
        const c = this.reports.com;
        if (c && c.address < 0x7f) this.address = c.address;
        break;
      }
      default:
        this.reports.handle(code, buf, off, len, this.online);
        if (code === OsdpReply.LSTATR && step === S.LSTAT) return this.#fire(E.OK, now);
    }
    if (this.reports.lastCardError) {
      this.lastError = this.reports.lastCardError;
      this.reports.lastCardError = "";
    }
    this.#idle(now);
  }

  /** A connect step the reader skipped or refused: move on as if it answered. */
  #connectStepDone(now: number): void {
    if (this.#step === S.CAP) this.#afterCapabilities(now);
    else this.#fire(E.OK, now); // ID, LSTAT, or the probe of OFFLINE/REFUSED
  }

  #afterCapabilities(now: number): void {
    this.#fire(this.security.afterCapabilities(this.capabilities), now, this.security.why);
  }

  #scLost(now: number, why: string): boolean {
    this.counters.macErrors++;
    this.security.error = why;
    this.#fire(E.RESTART, now, `secure channel lost: ${why}`);
    return true;
  }

  /** Command done while polling: next slot after the poll interval when nothing is queued. */
  #idle(now: number): void {
    this.schedule.next(now, this.#sentAt, this.#step === S.ONLINE && this.#queue.length === 0);
  }

  /** Looks the event up in the transition table and enters the next state. */
  #fire(event: LinkEvent, now: number, why = ""): void {
    const from = this.#step;
    const to = nextStep(from, event);
    if (to === -1) { // not in the table: logged, then a clean restart (never a throw)
      this.#sink.log("error", "osdp link: no transition", { reader: this.name, event });
      return this.#fire(E.RESTART, now, `internal: no transition from ${stepName(from)}`);
    }
    const names = { from: stepName(from), event: eventName(event), to: stepName(to) };
    this.#sink.log("debug", "osdp link state", { reader: this.name, ...names, reason: why });
    this.#step = to;
    this.#inflight = false;
    this.dueAt = now;
    switch (to) {
      case S.ID:
        this.#startOver(from === S.KEYSET ? "" : why, now);
        break;
      case S.CHLNG:
        this.security.sc = "handshake";
        break;
      case S.KEYSET:
        this.security.newKeyStored = false;
        break;
      case S.LSTAT:
        if (event === E.CLEAR && from !== S.KEYSET) this.security.channel.clear();
        break;
      case S.ONLINE:
        this.#goOnline();
        break;
      case S.OFFLINE:
      case S.REFUSED: {
        const off = to === S.OFFLINE;
        if (!off) this.refusal = why;
        this.lastError = why;
        this.#startOver("", now);
        this.security.reset(true);
        const silentMs = Math.round(now - this.schedule.lastReplyAt);
        const fields = { reader: this.name, address: this.address, reason: why, silentMs };
        this.#sink.log(
          off ? "warn" : "error",
          off ? "osdp reader offline" : "osdp reader refused",
          fields,
        );
        this.schedule.retryLater(now, off);
      }
    }
  }

  /** Back to sequence 0: session, queue and keys as for a new connection. */
  #startOver(why: string, now: number): void {
    if (why) {
      this.counters.restarts++;
      this.lastError = why;
      this.#sink.log("warn", "osdp link restart", { reader: this.name, reason: why });
      this.schedule.restart(now);
    }
    this.security.reset(false);
    this.#queue.length = 0;
    this.#seq = 0;
  }

  #goOnline(): void {
    this.schedule.connected();
    this.refusal = "";
    if (this.lastError === "no reply" || this.lastError.startsWith("port:")) this.lastError = "";
    this.#sink.log("info", "osdp reader online", {
      reader: this.name,
      address: this.address,
      secureChannel: this.security.sc,
      key: this.security.keySource ?? undefined,
      check: this.useCrc ? "crc" : "checksum",
    });
    this.#sink.online?.(this);
  }
}
