/**
 * Card data replies → {@link CardRead}: `osdp_RAW` bits through the Wiegand
 * format decoders (known bit counts for format codes 0 and 1, raw bits
 * otherwise) and `osdp_FMT` ASCII card numbers as their numeric value.
 * Decoding writes into one reused read; it allocates nothing for RAW.
 *
 * @module
 */

import { CardRead, MAX_ID_BYTES } from "../card.ts";
import {
  DECODE_STATUS_NAMES,
  DecodeStatus,
  decodeWiegandPacked,
  defaultWiegandFormats,
  WiegandFormatSet,
} from "../wiegand/decode.ts";

/** Format name reported for `osdp_FMT` card numbers. */
export const FMT_FORMAT = "osdp-fmt";

/** Decodes card data replies into one reused {@link CardRead}. */
export class OsdpCardDecoder {
  /** The last decoded card (overwritten by each decode). */
  readonly read: CardRead = new CardRead();
  /** Reader number of the last decoded card. */
  readerNumber = 0;
  /** Why the last decode failed (`parity`, `bad-length`, `bad-fmt`, …), "" on success. */
  lastError = "";
  readonly #formats: WiegandFormatSet;
  readonly #raw: WiegandFormatSet = new WiegandFormatSet({ format: "raw" });
  readonly #bits = new Uint8Array(MAX_ID_BYTES);

  /** Uses `formats` (default: auto by bit count, unknown lengths raw) for RAW format codes 0 and 1. */
  constructor(formats: WiegandFormatSet = defaultWiegandFormats()) {
    this.#formats = formats;
  }

  /**
   * Decodes an `osdp_RAW` payload at `buf[off .. off + len)`: reader number,
   * format code, bit count (LSB first), bits MSB first and left justified.
   * True when {@link read} holds a card.
   */
  decodeRaw(buf: Uint8Array, off: number, len: number): boolean {
    if (len < 4) return this.#fail("short");
    this.readerNumber = buf[off]!;
    const format = buf[off + 1]!;
    const bitCount = buf[off + 2]! | (buf[off + 3]! << 8);
    const bytes = (bitCount + 7) >>> 3;
    if (bitCount === 0 || bytes > MAX_ID_BYTES || 4 + bytes > len) return this.#fail("bad-length");
    const bits = this.#bits;
    bits.fill(0);
    for (let i = 0; i < bytes; i++) bits[i] = buf[off + 4 + i]!;
    const set = format <= 1 ? this.#formats : this.#raw;
    const st = decodeWiegandPacked(bits, bitCount, this.read, set);
    if (st !== DecodeStatus.ok) return this.#fail(DECODE_STATUS_NAMES[st] ?? "error");
    this.lastError = "";
    return true;
  }

  /**
   * Decodes an `osdp_FMT` payload (reader number, direction, count, ASCII
   * digits): the id is the number's value, big-endian. True on success.
   */
  decodeFmt(buf: Uint8Array, off: number, len: number): boolean {
    if (len < 3) return this.#fail("short");
    this.readerNumber = buf[off]!;
    const n = buf[off + 2]!;
    if (n === 0 || 3 + n > len) return this.#fail("bad-length");
    let value = 0n;
    for (let i = 0; i < n; i++) {
      const c = buf[off + 3 + i]!;
      if (c < 0x30 || c > 0x39) return this.#fail("bad-fmt");
      value = value * 10n + BigInt(c - 0x30);
    }
    const read = this.read;
    read.reset();
    let bytes = 0;
    for (let v = value; v > 0n; v >>= 8n) bytes++;
    bytes = Math.max(1, bytes);
    if (bytes > MAX_ID_BYTES) return this.#fail("bad-length");
    let v = value;
    for (let i = bytes - 1; i >= 0; i--) {
      read.data[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    read.byteLength = bytes;
    read.bitLength = bytes * 8;
    read.format = FMT_FORMAT;
    this.lastError = "";
    return true;
  }

  #fail(why: string): boolean {
    this.read.reset();
    this.lastError = why;
    return false;
  }
}
