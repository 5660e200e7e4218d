/**
 * OSDP check characters: CRC-16/AUG-CCITT (poly `0x1021`, init `0x1D0F`, no
 * reflection, no final XOR, sent LSB first) and the 8-bit checksum (two's
 * complement of the byte sum). Both work on a range of a caller's buffer and
 * allocate nothing.
 *
 * @example
 * ```ts
 * import { osdpCrc16 } from "./crc.ts";
 * osdpCrc16(new TextEncoder().encode("123456789"), 0, 9); // 0xE5CC
 * ```
 *
 * @module
 */

/** CRC-16/AUG-CCITT initial value. */
export const OSDP_CRC_INIT = 0x1d0f;

/**
 * CRC-16/AUG-CCITT table for one byte per step: byte n shifted through 8
 * steps of poly 0x1021. With {@link OSDP_CRC_PAIR}, for loops that compute
 * the CRC inline. Read only.
 */
export const OSDP_CRC_BYTE: Int32Array = new Int32Array(256);
/**
 * CRC-16/AUG-CCITT table for two bytes per step ("slice-by-2"): byte n
 * followed by a zero byte (16 steps). Two bytes `b0 b1` update the register
 * `crc` as `OSDP_CRC_PAIR[(crc >>> 8) ^ b0] ^ OSDP_CRC_BYTE[(crc & 0xff) ^ b1]`.
 * Read only.
 */
export const OSDP_CRC_PAIR: Int32Array = new Int32Array(256);
const BYTE = OSDP_CRC_BYTE;
const PAIR = OSDP_CRC_PAIR;
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  BYTE[i] = c;
}
for (let i = 0; i < 256; i++) PAIR[i] = ((BYTE[i]! & 0xff) << 8) ^ BYTE[BYTE[i]! >>> 8]!;

/** Continues a CRC-16/AUG-CCITT over one byte. */
export function osdpCrc16Byte(crc: number, byte: number): number {
  return ((crc << 8) ^ BYTE[((crc >>> 8) ^ byte) & 0xff]!) & 0xffff;
}

/** CRC-16/AUG-CCITT of `buf[start .. end)`, two bytes per table step. */
export function osdpCrc16(
  buf: Uint8Array,
  start: number,
  end: number,
  init: number = OSDP_CRC_INIT,
): number {
  let crc = init & 0xffff;
  let i = start | 0;
  let n = (end - start) | 0;
  while (n >= 2) { // count down, int32 index sums: see crcA in driver/rc522/crc_a.ts
    crc = PAIR[(crc >>> 8) ^ buf[i]!]! ^ BYTE[(crc & 0xff) ^ buf[(i + 1) | 0]!]!;
    i = (i + 2) | 0;
    n = (n - 2) | 0;
  }
  if (n > 0) crc = ((crc << 8) ^ BYTE[(crc >>> 8) ^ buf[i]!]!) & 0xffff;
  return crc;
}

/** 8-bit OSDP checksum of `buf[start .. end)`: two's complement of the byte sum. */
export function osdpChecksum(buf: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + buf[i]!) & 0xff;
  return (0x100 - sum) & 0xff;
}
