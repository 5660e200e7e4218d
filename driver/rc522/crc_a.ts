/**
 * CRC_A of ISO/IEC 14443-3: CRC-16 with the reflected polynomial 0x8408
 * (x^16 + x^12 + x^5 + 1), initial value 0x6363, no final XOR, sent LSB first.
 *
 * @example
 * ```ts
 * import { crcA } from "./crc_a.ts";
 * crcA(new Uint8Array([0x12, 0x34]), 0, 2); // 0xCF26: sent as 26 CF
 * ```
 *
 * @module
 */

/** Initial CRC_A register value. */
export const CRC_A_INIT = 0x6363;

/**
 * CRC_A tables, two bytes per step ("slice-by-2"): `BYTE` shifts a byte
 * through 8 bit steps (the plain byte table), `PAIR` through 16 (a byte that
 * has another byte after it). Two arrays rather than one with an offset: the
 * index needs no add before V8's bounds check.
 */
const BYTE: Int32Array = new Int32Array(256);
const PAIR: Int32Array = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let b = 0; b < 8; b++) c = (c & 1) ? (c >>> 1) ^ 0x8408 : c >>> 1;
  BYTE[n] = c;
}
for (let n = 0; n < 256; n++) PAIR[n] = (BYTE[n]! >>> 8) ^ BYTE[BYTE[n]! & 0xff]!;

/**
 * CRC_A over `data[off .. off + len)`, as a 16-bit value (low byte sent first). Table-driven, two bytes per step.
 */
export function crcA(data: Uint8Array, off: number, len: number): number {
  return crcRun(data, off, len);
}

/**
 * One two-byte step: the register after `data[i]` and `data[i + 1]`. The
 * index sums are `| 0` (int32 adds without overflow checks; the bounds check
 * catches anything out of range, so `off + len` beyond 2^31 is not supported,
 * far above any frame).
 */
const pairStep = (crc: number, data: Uint8Array, i: number): number => {
  const x = crc ^ data[i]! ^ (data[(i + 1) | 0]! << 8);
  return PAIR[x & 0xff]! ^ BYTE[x >>> 8]!;
};

/**
 * The body of {@link crcA}, shared with {@link checkCrcA}. Written for V8
 * (checked in the machine code, see bench/native_vs_ts.ts):
 *
 * - a loop only while more than 9 bytes are left, then the last 0 to 9 bytes
 *   as straight code: the frames CRC_A covers are short, and with no loop a
 *   caller's loop around an inlined `crcA` keeps no interrupt check, no loop
 *   counter and no per-call map check of `data` (V8 hoists it out of the
 *   caller's loop); with a constant `len` the conditions fold away. The
 *   conditions nest (each pair only after the one before) and the loop body
 *   is written out: measured faster for lengths that vary at run time;
 * - `const` functions: V8 folds a call through a module `const` to its
 *   target, where a call to a module `function` loads the binding and checks
 *   it on every call.
 */
const crcRun = (data: Uint8Array, off: number, len: number): number => {
  let crc = 0x6363; // CRC_A_INIT (a literal: cheaper than a module constant in a hot loop)
  let i = off | 0;
  let n = len | 0;
  while (n > 9) {
    const x = crc ^ data[i]! ^ (data[(i + 1) | 0]! << 8);
    crc = PAIR[x & 0xff]! ^ BYTE[x >>> 8]!;
    i = (i + 2) | 0;
    n = (n - 2) | 0;
  }
  if (n >= 2) {
    crc = pairStep(crc, data, i);
    if (n >= 4) {
      crc = pairStep(crc, data, (i + 2) | 0);
      if (n >= 6) {
        crc = pairStep(crc, data, (i + 4) | 0);
        if (n >= 8) crc = pairStep(crc, data, (i + 6) | 0);
      }
    }
  }
  // odd and not negative (a negative `len` reads nothing, as the plain loop would)
  if ((n & 0x80000001) === 1) crc = (crc >>> 8) ^ BYTE[(crc ^ data[(i + n - 1) | 0]!) & 0xff]!;
  return crc;
};

/** Writes the CRC_A of `data[0 .. len)` at `data[len]` (low) and `data[len + 1]` (high); returns `len + 2`. */
export function appendCrcA(data: Uint8Array, len: number): number {
  const crc = crcA(data, 0, len);
  data[len] = crc & 0xff;
  data[len + 1] = crc >>> 8;
  return len + 2;
}

/** True when `data[off .. off + len)` ends with its correct CRC_A (len ≥ 3). */
export function checkCrcA(data: Uint8Array, off: number, len: number): boolean {
  if (len < 3) return false;
  const crc = crcRun(data, off, len - 2);
  return data[off + len - 2] === (crc & 0xff) && data[off + len - 1] === crc >>> 8;
}
