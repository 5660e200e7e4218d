/**
 * Readers that print one card code per line (CR and/or LF terminated), in
 * decimal or hex: many USB/RS-232 "keyboard wedge" style and RS-485 readers.
 *
 * The id is the printed number as big-endian bytes: hex lines keep their
 * digit count (two digits per byte), decimal lines use the fewest bytes that
 * hold the value, at least 4 (so `dec10` gives the number back, zero-padded).
 * Spaces and tabs are ignored; an empty line is skipped; anything else, or a
 * line longer than 40 characters, is a framing error and the line is dropped.
 *
 * @module
 */

import { CardRead, MAX_ID_BYTES } from "../card.ts";
import { type ByteDecoder, type DecoderCounters, hexDigitValue, newCounters } from "../decoder.ts";

/** How line contents are read: `auto` = decimal if all digits are 0–9, else hex. */
export type LineNumberBase = "auto" | "dec" | "hex";

const CR = 0x0d, LF = 0x0a, SPACE = 0x20, TAB = 0x09;
const MAX_LINE = 40;

/** Error codes kept in `counters.lastError`. */
export const LINE_ERRORS = {
  badChar: "bad-char",
  tooLong: "too-long",
  overflow: "overflow",
} as const;

/** Byte-at-a-time decoder for one-code-per-line readers. */
export class LineDecoder implements ByteDecoder {
  /** Filled when a line completes (format `"line"`). */
  readonly read: CardRead;
  /** Frames and framing errors (there is no checksum). */
  readonly counters: DecoderCounters = newCounters();
  readonly #base: LineNumberBase;
  readonly #digits = new Uint8Array(MAX_LINE);
  #count = 0;
  #hasHexLetter = false;
  #bad = false;
  #badCode = "";

  /** Decodes lines in `base` into `read`. */
  constructor(base: LineNumberBase = "auto", read: CardRead = new CardRead()) {
    this.#base = base;
    this.read = read;
  }

  /** Drops any partial line. */
  reset(): void {
    this.#count = 0;
    this.#hasHexLetter = false;
    this.#bad = false;
  }

  /** Feeds one byte; true when `read` holds a new card. */
  push(byte: number): boolean {
    if (byte === CR || byte === LF) return this.#endLine();
    if (this.#bad || byte === SPACE || byte === TAB) return false;
    const v = hexDigitValue(byte);
    if (v < 0 || (v > 9 && this.#base === "dec")) return this.#markBad(LINE_ERRORS.badChar);
    if (this.#count === MAX_LINE) return this.#markBad(LINE_ERRORS.tooLong);
    if (v > 9) this.#hasHexLetter = true;
    this.#digits[this.#count++] = v;
    return false;
  }

  #markBad(code: string): boolean {
    this.#bad = true;
    this.#badCode = code;
    return false;
  }

  #endLine(): boolean {
    const count = this.#count;
    const bad = this.#bad;
    const hex = this.#base === "hex" || (this.#base === "auto" && this.#hasHexLetter);
    this.reset();
    if (bad) {
      this.counters.framingErrors++;
      this.counters.lastError = this.#badCode;
      return false;
    }
    if (count === 0) return false;
    const ok = hex ? this.#fillHex(count) : this.#fillDecimal(count);
    if (!ok) {
      this.counters.framingErrors++;
      this.counters.lastError = LINE_ERRORS.overflow;
      return false;
    }
    this.read.facility = -1;
    this.read.card = -1;
    this.read.format = "line";
    this.counters.frames++;
    return true;
  }

  #fillHex(count: number): boolean {
    const bytes = (count + 1) >> 1;
    if (bytes > MAX_ID_BYTES) return false;
    const r = this.read;
    r.data.fill(0);
    // Right-align the digits: an odd count gets a leading zero nibble.
    let nib = bytes * 2 - count;
    for (let i = 0; i < count; i++, nib++) {
      const b = nib >> 1;
      r.data[b] = (nib & 1) === 0 ? this.#digits[i]! << 4 : r.data[b]! | this.#digits[i]!;
    }
    r.byteLength = bytes;
    r.bitLength = count * 4;
    return true;
  }

  #fillDecimal(count: number): boolean {
    const r = this.read;
    const d = r.data;
    d.fill(0);
    // Big-endian multiply-by-10-and-add across all 16 bytes.
    for (let i = 0; i < count; i++) {
      let carry = this.#digits[i]!;
      for (let j = MAX_ID_BYTES - 1; j >= 0; j--) {
        const v = d[j]! * 10 + carry;
        d[j] = v & 0xff;
        carry = v >> 8;
      }
      if (carry !== 0) return false;
    }
    let lead = 0;
    while (lead < MAX_ID_BYTES - 4 && d[lead] === 0) lead++;
    const len = MAX_ID_BYTES - lead;
    d.copyWithin(0, lead, MAX_ID_BYTES);
    d.fill(0, len);
    r.byteLength = len;
    r.bitLength = len * 8;
    return true;
  }
}

/** Encodes a code as a line (for simulators and tests). */
export function encodeLine(code: string, ending: "\r\n" | "\n" | "\r" = "\r\n"): Uint8Array {
  return new TextEncoder().encode(code + ending);
}
