/**
 * What the control panel knows about one reader (phase, Secure Channel state,
 * identity, tamper and power, counters), and the handling of the replies that
 * only report: LSTATR, RAW, FMT, KEYPAD, COM. {@link PdLink} adds the
 * protocol state machine on top.
 *
 * @module
 */

import { OsdpReply } from "./constants.ts";
import {
  type Capability,
  type PdId,
  readComSettings,
  readKeypad,
  readLocalStatus,
} from "./payload.ts";
import type { LinkTiming } from "./timing.ts";
import { OsdpCardDecoder } from "./card_data.ts";
import {
  type LinkCounters,
  type LinkPhase,
  type LinkSink,
  newLinkCounters,
  type PdLinkConfig,
  type ScState,
} from "./link_types.ts";

/** The observable state of a reader's link; see the module documentation. */
export class PdLinkState {
  /** Reader name. */
  readonly name: string;
  /** Current address (changes after an accepted COMSET). */
  address: number;
  /** Timing. */
  readonly timing: LinkTiming;
  /** Phase. */
  phase: LinkPhase = "connecting";
  /** Secure Channel state. */
  sc: ScState = "off";
  /** Last Secure Channel problem (never contains key material). */
  scError = "";
  /** CRC-16 (true) or checksum (after NAK 1 or a PDCAP without CRC). */
  useCrc = true;
  /** Tamper from the last LSTATR, null before the first. */
  tamper: boolean | null = null;
  /** Power failure from the last LSTATR, null before the first. */
  powerFailure: boolean | null = null;
  /** PDID of the reader. */
  pdId: PdId | null = null;
  /** PDCAP of the reader. */
  capabilities: Capability[] = [];
  /** Last NAK code received, -1 before any. */
  lastNak: number = -1;
  /** Last error message for status. */
  lastError = "";
  /** Last COM reply (after COMSET). */
  com: { address: number; baudRate: number } | null = null;
  /** Time of the last valid reply (ms). */
  lastReplyAt: number;
  /** Earliest time the next transaction may start (ms). */
  dueAt: number;
  /** Counters. */
  readonly counters: LinkCounters = newLinkCounters();
  /** Where events and log lines go. */
  protected readonly sink: LinkSink;
  readonly #cards = new OsdpCardDecoder();

  /** State of a link created at `now`. */
  constructor(config: PdLinkConfig, sink: LinkSink, now: number) {
    this.name = config.name;
    this.address = config.address;
    this.timing = config.timing;
    this.sink = sink;
    this.lastReplyAt = now;
    this.dueAt = now;
  }

  /** True when the reader is online (and secured if required): card data is accepted. */
  get online(): boolean {
    return this.phase === "online";
  }

  /**
   * Handles a reporting reply (LSTATR, RAW, FMT, KEYPAD, COM); card data and
   * keys only count while online. False for other codes.
   */
  protected report(code: number, buf: Uint8Array, off: number, len: number): boolean {
    switch (code) {
      case OsdpReply.LSTATR:
        this.#onStatus(buf, off, len);
        return true;
      case OsdpReply.RAW:
      case OsdpReply.FMT:
        if (this.online) this.#onCard(code === OsdpReply.RAW, buf, off, len);
        return true;
      case OsdpReply.KEYPAD: {
        const k = this.online ? readKeypad(buf, off, len) : null;
        if (k) {
          this.counters.keypads++;
          this.sink.keypad(this, k.keys, k.reader);
        }
        return true;
      }
      case OsdpReply.COM: {
        const c = readComSettings(buf, off, len);
        if (c) {
          this.com = c;
          if (c.address < 0x7f) this.address = c.address;
        }
        return true;
      }
      default:
        return false;
    }
  }

  #onStatus(buf: Uint8Array, off: number, len: number): void {
    const st = readLocalStatus(buf, off, len);
    if (!st) return;
    if (
      this.tamper !== null && (st.tamper !== this.tamper || st.powerFailure !== this.powerFailure)
    ) {
      this.sink.log("warn", "osdp reader status changed", { reader: this.name, ...st });
    }
    this.tamper = st.tamper;
    this.powerFailure = st.powerFailure;
  }

  #onCard(raw: boolean, buf: Uint8Array, off: number, len: number): void {
    const c = this.#cards;
    if (raw ? c.decodeRaw(buf, off, len) : c.decodeFmt(buf, off, len)) {
      this.counters.cards++;
      this.sink.card(this, c.read, raw ? "raw" : "fmt", c.readerNumber);
    } else {
      this.counters.cardErrors++;
      this.lastError = `card data dropped: ${c.lastError}`;
      this.sink.log("debug", "osdp card data dropped", { reader: this.name, reason: c.lastError });
    }
  }
}
