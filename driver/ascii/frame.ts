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

/** Value of each byte as a hex digit, -1 for other bytes (one load instead of three range tests). */
const HEX_VALUE: Int8Array = new Int8Array(256).map((_, c) => hexDigitValue(c));

/** Error codes kept in `counters.lastError`. */
export const ASCII_ERRORS = {
  checksum: "checksum",
  badDigit: "bad-digit",
  badTail: "bad-tail",
} as const;

/**
 * Byte-at-a-time decoder for ASCII 125 kHz frames.
 *
 * The state is three raw 32-bit integers (no small-integer tagging, no
 * overflow checks in optimised code). The 12 hex digits are read as two
 * words of 6 digits (24 bits), each behind a marker bit: a word starts as 1
 * and every digit shifts it left by 4, so the marker reaches bit 24 with the
 * sixth digit. `st[0]` is the word being read, and it is also the position:
 *
 * - `0`: hunting STX;
 * - `1 .. 2^24 - 1`: reading a word (the marker tells how many digits);
 * - `-1`, `-2`, `-3`: after the 12 digits, with 0, 1 or 2 CR/LF bytes seen.
 *
 * `st[1]` holds the first word once complete (0 while reading it), `st[2]`
 * the second. A digit inside a frame, 12 of the 14 bytes, costs one load, one
 * table lookup, one shift, one range test and one store: `(st[0] << 4) | v`
 * lands in `16 .. 2^24 - 1` exactly when the byte is a hex digit (v ≥ 0), a
 * word is under way (st[0] ≥ 1) and it is not its sixth digit; everything
 * else (STX, ETX, CR/LF, the sixth digit, bad bytes, hunting) falls out of
 * that range into the rarer paths.
 */
export class AsciiFrameDecoder implements ByteDecoder {
  /**
   * Filled with the 5-byte id (format `"em4100"`) when a frame completes.
   * Assigned once, in the constructor, with no class-field initialiser before
   * it: V8 then treats the field as constant, and where the decoder is a
   * constant of optimised code (a reader's byte loop) the id bytes are stored
   * with no field load, map check or bounds check.
   */
  declare readonly read: CardRead;
  /** Frames, checksum and framing errors. */
  readonly counters: DecoderCounters = newCounters();
  /** [0] the word being read (and the position), [1] the first word, [2] the second. */
  readonly #st: Int32Array = new Int32Array(3);

  /** Decodes into `read` (a new one if not given). */
  constructor(read: CardRead = new CardRead()) {
    this.read = read;
  }

  /** Drops any partial frame. */
  reset(): void {
    this.#st[0] = 0;
  }

  #fail(code: string): void {
    this.counters.framingErrors++;
    this.counters.lastError = code;
    this.#st[0] = 0;
  }

  /**
   * Feeds one byte; true when `read` holds a new card.
   *
   * Byte values, states and limits are written as literals here (named in
   * the comments and in the class doc): a module-level constant costs a load
   * and an initialisation check per use in optimised code, a literal nothing.
   */
  push(byte: number): boolean {
    const st = this.#st;
    const a = (st[0]! << 4) | HEX_VALUE[byte & 0xff]!;
    // 16 .. 2^24 - 1: a digit inside a word, not its sixth (see the class doc).
    if ((a - 16) >>> 0 < 0xffffff0) {
      if (a < 0x1000000) {
        st[0] = a;
        return false;
      }
      return this.#word(a);
    }
    return this.#other(byte, st[0]!);
  }

  /** The sixth digit of a word: `a` is the word with its marker at bit 24. */
  #word(a: number): boolean {
    const st = this.#st;
    if (st[1] === 0) { // the first word: the second starts
      st[1] = a;
      st[0] = 1;
    } else { // the second: the digits are done (-1: no CR/LF seen)
      st[2] = a;
      st[0] = -1;
    }
    return false;
  }

  /** {@link push} for any byte but a digit inside a word: STX, the tail, ETX, errors. */
  #other(byte: number, w: number): boolean {
    const st = this.#st;
    if (byte === 0x02) { // STX: always starts a new frame
      if (w !== 0) this.#fail(ASCII_ERRORS.badTail);
      st[0] = 1;
      st[1] = 0;
      return false;
    }
    if (w === 0) return false; // hunting STX
    if (w > 0) { // inside a word: not a hex digit
      this.#fail(ASCII_ERRORS.badDigit);
      return false;
    }
    if (byte === 0x03) return this.#finish(); // ETX
    // Optional CR LF (in either order, at most two bytes) before ETX.
    if ((byte === 0x0d || byte === 0x0a) && w > -3) {
      st[0] = w - 1;
      return false;
    }
    this.#fail(ASCII_ERRORS.badTail);
    return false;
  }

  #finish(): boolean {
    const st = this.#st;
    st[0] = 0;
    const w1 = st[1]!; // marker, id bytes 0-2
    const w2 = st[2]!; // marker, id bytes 3-4, checksum
    // The XOR of the five id bytes and the checksum is 0 (markers shift out of the low byte).
    if (((w1 ^ (w1 >>> 8) ^ (w1 >>> 16) ^ w2 ^ (w2 >>> 8) ^ (w2 >>> 16)) & 0xff) !== 0) {
      this.counters.checksumErrors++;
      this.counters.lastError = ASCII_ERRORS.checksum;
      return false;
    }
    const r = this.read;
    const d = r.data;
    d[0] = w1 >>> 16; // a byte store keeps the low 8 bits
    d[1] = w1 >>> 8;
    d[2] = w1;
    d[3] = w2 >>> 16;
    d[4] = w2 >>> 8;
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
