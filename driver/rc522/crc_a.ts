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

/** CRC_A over `data[off .. off + len)`, as a 16-bit value (low byte sent first). */
export function crcA(data: Uint8Array, off: number, len: number): number {
  let crc = CRC_A_INIT;
  for (let i = off; i < off + len; i++) {
    crc ^= data[i]!;
    for (let b = 0; b < 8; b++) crc = (crc & 1) ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc & 0xffff;
}

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
  const crc = crcA(data, off, len - 2);
  return data[off + len - 2] === (crc & 0xff) && data[off + len - 1] === crc >>> 8;
}
