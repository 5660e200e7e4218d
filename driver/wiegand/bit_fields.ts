/**
 * Bit-level helpers of the Wiegand decoder (decode.ts): parity of a word,
 * fields cut out of a frame held as 4 × 32-bit words (first bit most
 * significant), and ids written big-endian into a card read's bytes. Nothing
 * here allocates.
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import type { CompiledFormat } from "./formats.ts";

/** Parity (0/1) of the ones in a 32-bit integer. */
export function parity32(v: number): number {
  let x = v ^ (v >>> 16);
  x ^= x >>> 8;
  x ^= x >>> 4;
  return (0x6996 >>> (x & 15)) & 1;
}

/**
 * `k` (1..24) frame bits from `start` as an integer, first bit most
 * significant. Words hold the frame MSB-first; a chunk spans at most two.
 */
function chunk(w: Int32Array, start: number, k: number): number {
  const i = start >>> 5;
  const off = start & 31;
  let v = w[i]! << off;
  if (off + k > 32) v |= w[i + 1]! >>> (32 - off);
  return v >>> (32 - k);
}

/** 2^n for n in 0..53 (a table: `2 ** n` is a call to Math.pow in optimised code). */
const POW2: Float64Array = new Float64Array(54).map((_, n) => 2 ** n);

/** Value of `len` (≤ 53) bits starting at `start`, first bit most significant. */
export function field(w: Int32Array, start: number, len: number): number {
  if (len <= 31) {
    // At most two words, a small integer: shifts only.
    const i = start >>> 5;
    const off = start & 31;
    let v = w[i]! << off;
    if (off + len > 32) v |= w[i + 1]! >>> (32 - off);
    return v >>> (32 - len);
  }
  let v = 0;
  let p = start;
  let left = len;
  while (left > 0) {
    const k = left > 24 ? 24 : left;
    v = v * (1 << k) + chunk(w, p, k);
    p += k;
    left -= k;
  }
  return v;
}

/** Fills `read` with the fields and id of a frame whose id has more than 31 bits (parity already checked). */
export function wideId(f: CompiledFormat, w: Int32Array, read: CardRead): void {
  const idBits = f.facLen + f.cardLen;
  const card = field(w, f.cardStart, f.cardLen);
  read.card = card;
  if (f.facLen > 0) {
    const fac = field(w, f.facStart, f.facLen);
    read.facility = fac;
    // Up to 53 bits a double (scaled by a table, not pow); beyond, bit by bit.
    if (idBits <= 53) writeNumber(read.data, fac * POW2[f.cardLen]! + card, idBits);
    else {
      writeId(w, f.facStart, f.facLen, read.data, 0, idBits);
      writeId(w, f.cardStart, f.cardLen, read.data, f.facLen, idBits);
    }
  } else {
    writeNumber(read.data, card, idBits);
  }
  read.bitLength = idBits;
  read.byteLength = (idBits + 7) >>> 3;
}

/** Writes `value` (< 2^31) as `bits` bits, right-aligned big-endian, into `out`: shifts only. */
export function writeInt(out: Uint8Array, value: number, bits: number): void {
  let v = value;
  for (let i = ((bits + 7) >>> 3) - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v >>= 8; // not >>>=: a uint32 would make v a double
  }
}

/** Writes `value` (< 2^53) as `bits` bits, right-aligned big-endian, into `out`. */
function writeNumber(out: Uint8Array, value: number, bits: number): void {
  let v = value;
  for (let i = ((bits + 7) >>> 3) - 1; i >= 0; i--) {
    const lo = v % 256;
    out[i] = lo;
    v = (v - lo) / 256;
  }
}

/**
 * ORs `len` frame bits from `start` into an id of `total` bits stored
 * right-aligned big-endian in `out`, at id bit `at` (0 = most significant).
 */
export function writeId(
  w: Int32Array,
  start: number,
  len: number,
  out: Uint8Array,
  at: number,
  total: number,
): void {
  const last = ((total + 7) >>> 3) - 1;
  // Byte-sized pieces aligned on the id's byte boundaries (counted from its last bit).
  let i = 0;
  while (i < len) {
    const pos = total - 1 - (at + i); // id bit position of this frame bit, from the LSB
    const k0 = (pos & 7) + 1; // bits until the end of this id byte
    const k = k0 < len - i ? k0 : len - i;
    const v = chunk(w, start + i, k);
    out[last - (pos >>> 3)]! |= v << (pos + 1 - k - ((pos >>> 3) << 3));
    i += k;
  }
}
