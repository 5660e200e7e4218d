/**
 * 125 kHz ASCII reader frames (RDM6300, ID-12/ID-20 and their many copies):
 *
 * ```
 * STX 02 | 10 ASCII hex digits: version/customer byte + 4 card bytes | 2 hex digits: XOR of the 5 bytes | [CR LF] | ETX 03
 * ```
 *
 * Example: `02 '67003B51C6' 'CB' 03` → id `0x67003B51C6`, card number 3887558
 * (the low 24 bits; `dec10` of it is `0003887558`).
 *
 * The decoder takes one byte at a time (the digits accumulate in two
 * integers), allocates nothing, resynchronises on
 * any garbage (an STX always starts a new frame), and counts checksum and
 * framing errors.
 *
 * @module
 */

import { CardRead } from "../card.ts";
import { type ByteDecoder, type DecoderCounters, hexDigitValue, newCounters } from "../decoder.ts";

const STX = 0x02, ETX = 0x03;
// The decoder's whole state is one position: -1 hunting STX, 0–11 the hex digits taken,
// 12–14 after the digits (12 + the CR/LF bytes seen). One slot (st[0]) read and written per byte.

/** Value of each byte as a hex digit, -1 for other bytes (one load instead of three range tests). */
const HEX_VALUE: Int8Array = new Int8Array(256).map((_, c) => hexDigitValue(c));

/** Error codes kept in `counters.lastError`. */
export const ASCII_ERRORS = {
  checksum: "checksum",
  badDigit: "bad-digit",
  badTail: "bad-tail",
} as const;

/** Byte-at-a-time decoder for ASCII 125 kHz frames. */
export class AsciiFrameDecoder implements ByteDecoder {
  /** Filled with the 5-byte id (format `"em4100"`) when a frame completes. */
  readonly read: CardRead;
  /** Frames, checksum and framing errors. */
  readonly counters: DecoderCounters = newCounters();
  /**
   * The whole state, as raw 32-bit integers (no small-integer tagging, no
   * overflow checks in optimised code): [0] the position, [1] digits 1–8
   * (id bytes 0–3, accumulated 4 bits at a time), [2] digits 9–12 (id byte 4
   * and the checksum).
   */
  readonly #st: Int32Array = new Int32Array(3);

  /** Decodes into `read` (a new one if not given). */
  constructor(read: CardRead = new CardRead()) {
    this.read = read;
    this.#st[0] = -1;
  }

  /** Drops any partial frame. */
  reset(): void {
    this.#st[0] = -1;
  }

  #fail(code: string): void {
    this.counters.framingErrors++;
    this.counters.lastError = code;
    this.#st[0] = -1;
  }

  /**
   * Feeds one byte; true when `read` holds a new card.
   *
   * The byte values and states are written as literals here (named in the
   * comments and at the top of the module): a module-level constant costs a
   * load and an initialisation check per use in optimised code, a literal
   * nothing.
   */
  push(byte: number): boolean {
    const st = this.#st;
    const p = st[0]!;
    // The common byte first: a hex digit inside a frame (STX is no hex digit,
    // so it never takes this path). `p >>> 0 < 12`: 0–11, not hunting (-1).
    if (p >>> 0 < 12) {
      const v = HEX_VALUE[byte & 0xff]!;
      if (v >= 0) { // 8 fill st[1] (shifting the last frame's out), 4 fill st[2]
        if (p < 8) st[1] = (st[1]! << 4) | v;
        else st[2] = (st[2]! << 4) | v;
        st[0] = p + 1;
        return false;
      }
    }
    return this.#other(byte, p);
  }

  /** {@link push} for any byte but a digit inside a frame: STX, the tail, ETX, errors. */
  #other(byte: number, p: number): boolean {
    const st = this.#st;
    if (byte === 0x02) { // STX: always starts a new frame
      if (p >= 0) this.#fail(ASCII_ERRORS.badTail);
      st[0] = 0;
      return false;
    }
    if (p < 0) return false; // hunting STX
    if (p < 12) { // not a hex digit
      this.#fail(ASCII_ERRORS.badDigit);
      return false;
    }
    if (byte === 0x03) return this.#finish(); // ETX
    // Optional CR LF (in either order, at most two bytes) before ETX.
    if ((byte === 0x0d || byte === 0x0a) && p < 14) {
      st[0] = p + 1;
      return false;
    }
    this.#fail(ASCII_ERRORS.badTail);
    return false;
  }

  #finish(): boolean {
    const st = this.#st;
    st[0] = -1;
    const hi = st[1]!;
    const lo = st[2]!;
    const b4 = (lo >>> 8) & 0xff;
    if (((hi ^ (hi >>> 8) ^ (hi >>> 16) ^ (hi >>> 24) ^ b4) & 0xff) !== (lo & 0xff)) {
      this.counters.checksumErrors++;
      this.counters.lastError = ASCII_ERRORS.checksum;
      return false;
    }
    const r = this.read;
    const d = r.data;
    d[0] = hi >>> 24;
    d[1] = (hi >>> 16) & 0xff;
    d[2] = (hi >>> 8) & 0xff;
    d[3] = hi & 0xff;
    d[4] = b4;
    r.byteLength = 5;
    r.bitLength = 40;
    r.facility = -1;
    r.card = -1;
    r.format = "em4100";
    this.counters.frames++;
    return true;
  }
}

const HEX = "0123456789ABCDEF";

/**
 * Encodes a 5-byte id as an ASCII reader frame (for simulators and tests).
 * `crlf` adds CR LF before ETX as ID-12 style readers do; `badChecksum`
 * corrupts the checksum on purpose.
 */
export function encodeAsciiFrame(
  id: Uint8Array | bigint,
  options: { crlf?: boolean; badChecksum?: boolean; lowercase?: boolean } = {},
): Uint8Array {
  const bytes = typeof id === "bigint" ? bigintTo5Bytes(id) : id;
  if (bytes.length !== 5) throw new RangeError("an ASCII reader id is 5 bytes");
  let x = 0;
  let text = "";
  for (const b of bytes) {
    x ^= b;
    text += HEX[b >> 4]! + HEX[b & 15]!;
  }
  if (options.badChecksum) x ^= 0x01;
  text += HEX[x >> 4]! + HEX[x & 15]!;
  if (options.lowercase) text = text.toLowerCase();
  if (options.crlf) text += "\r\n";
  const out = new Uint8Array(text.length + 2);
  out[0] = STX;
  for (let i = 0; i < text.length; i++) out[i + 1] = text.charCodeAt(i);
  out[out.length - 1] = ETX;
  return out;
}

function bigintTo5Bytes(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 40n) throw new RangeError("an ASCII reader id is 40 bits");
  const out = new Uint8Array(5);
  for (let i = 4; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
