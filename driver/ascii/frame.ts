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
 * The decoder takes one byte at a time, allocates nothing, resynchronises on
 * any garbage (an STX always starts a new frame), and counts checksum and
 * framing errors.
 *
 * @module
 */

import { CardRead } from "../card.ts";
import { type ByteDecoder, type DecoderCounters, hexDigitValue, newCounters } from "../decoder.ts";

const STX = 0x02, ETX = 0x03, CR = 0x0d, LF = 0x0a;
const S_IDLE = 0, S_DIGITS = 1, S_TAIL = 2;

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
  /** The 6 decoded bytes: 5 id bytes and the checksum. */
  readonly #bytes = new Uint8Array(6);
  #state = S_IDLE;
  #digits = 0;
  #tail = 0;

  /** Decodes into `read` (a new one if not given). */
  constructor(read: CardRead = new CardRead()) {
    this.read = read;
  }

  /** Drops any partial frame. */
  reset(): void {
    this.#state = S_IDLE;
    this.#digits = 0;
    this.#tail = 0;
  }

  #fail(code: string): void {
    this.counters.framingErrors++;
    this.counters.lastError = code;
    this.#state = S_IDLE;
  }

  /** Feeds one byte; true when `read` holds a new card. */
  push(byte: number): boolean {
    if (byte === STX) {
      if (this.#state !== S_IDLE) this.#fail(ASCII_ERRORS.badTail);
      this.#state = S_DIGITS;
      this.#digits = 0;
      return false;
    }
    switch (this.#state) {
      case S_IDLE:
        return false;
      case S_DIGITS: {
        const v = hexDigitValue(byte);
        if (v < 0) {
          this.#fail(ASCII_ERRORS.badDigit);
          return false;
        }
        const i = this.#digits >> 1;
        this.#bytes[i] = (this.#digits & 1) === 0 ? v << 4 : this.#bytes[i]! | v;
        if (++this.#digits === 12) {
          this.#state = S_TAIL;
          this.#tail = 0;
        }
        return false;
      }
      default: {
        if (byte === ETX) return this.#finish();
        // Optional CR LF (in either order, at most two bytes) before ETX.
        if ((byte === CR || byte === LF) && this.#tail < 2) {
          this.#tail++;
          return false;
        }
        this.#fail(ASCII_ERRORS.badTail);
        return false;
      }
    }
  }

  #finish(): boolean {
    this.#state = S_IDLE;
    const b = this.#bytes;
    if ((b[0]! ^ b[1]! ^ b[2]! ^ b[3]! ^ b[4]!) !== b[5]) {
      this.counters.checksumErrors++;
      this.counters.lastError = ASCII_ERRORS.checksum;
      return false;
    }
    const r = this.read;
    for (let i = 0; i < 5; i++) r.data[i] = b[i]!;
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
