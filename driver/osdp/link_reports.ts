/**
 * The replies of a reader that only report, and what they leave behind:
 * `osdp_LSTATR` (tamper, power), `osdp_RAW`/`osdp_FMT` (cards, decoded and
 * handed to the sink), `osdp_KEYPAD` and `osdp_COM` (address and speed after
 * a COMSET). {@link PdLink} owns one; the protocol states stay in the link.
 *
 * @module
 */

import { OsdpReply } from "./constants.ts";
import { readComSettings, readKeypad, readLocalStatus } from "./payload.ts";
import { OsdpCardDecoder } from "./card_data.ts";
import type { LinkCounters, LinkRef, LinkSink } from "./link_types.ts";

/** What a reader reported; see the module documentation. */
export class LinkReports {
  /** Tamper from the last LSTATR, null before the first. */
  tamper: boolean | null = null;
  /** Power failure from the last LSTATR, null before the first. */
  powerFailure: boolean | null = null;
  /** Last COM reply (after COMSET). */
  com: { address: number; baudRate: number } | null = null;
  /** Why the last card data was dropped, "" when none. */
  lastCardError = "";
  readonly #cards = new OsdpCardDecoder();
  readonly #link: LinkRef;
  readonly #sink: LinkSink;
  readonly #counters: LinkCounters;

  /** Reports of `link`, counted in `counters`, events to `sink`. */
  constructor(link: LinkRef, sink: LinkSink, counters: LinkCounters) {
    this.#link = link;
    this.#sink = sink;
    this.#counters = counters;
  }

  /**
   * Handles a reporting reply (LSTATR, RAW, FMT, KEYPAD, COM); card data and
   * keys only count when `online`. False for other codes.
   */
  handle(code: number, buf: Uint8Array, off: number, len: number, online: boolean): boolean {
    switch (code) {
      case OsdpReply.LSTATR:
        this.#onStatus(buf, off, len);
        return true;
      case OsdpReply.RAW:
      case OsdpReply.FMT:
        if (online) this.#onCard(code === OsdpReply.RAW, buf, off, len);
        return true;
      case OsdpReply.KEYPAD: {
        const k = online ? readKeypad(buf, off, len) : null;
        if (k) {
          this.#counters.keypads++;
          this.#sink.keypad(this.#link, k.keys, k.reader);
        }
        return true;
      }
      case OsdpReply.COM:
        this.com = readComSettings(buf, off, len) ?? this.com;
        return true;
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
      this.#sink.log("warn", "osdp reader status changed", { reader: this.#link.name, ...st });
    }
    this.tamper = st.tamper;
    this.powerFailure = st.powerFailure;
  }

  #onCard(raw: boolean, buf: Uint8Array, off: number, len: number): void {
    const c = this.#cards;
    if (raw ? c.decodeRaw(buf, off, len) : c.decodeFmt(buf, off, len)) {
      this.#counters.cards++;
      this.#sink.card(this.#link, c.read, raw ? "raw" : "fmt", c.readerNumber);
    } else {
      this.#counters.cardErrors++;
      this.lastCardError = `card data dropped: ${c.lastError}`;
      this.#sink.log("debug", "osdp card data dropped", {
        reader: this.#link.name,
        reason: c.lastError,
      });
    }
  }
}
