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
 * CRC-16/AUG-CCITT byte table (entry n: n shifted through 8 steps of poly
 * 0x1021), for loops that compute the CRC inline. Read only.
 */
export const OSDP_CRC_TABLE: Uint16Array = new Uint16Array(256);
const TABLE = OSDP_CRC_TABLE;
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

/** Continues a CRC-16/AUG-CCITT over one byte. */
export function osdpCrc16Byte(crc: number, byte: number): number {
  return ((crc << 8) ^ TABLE[((crc >>> 8) ^ byte) & 0xff]!) & 0xffff;
}

/** CRC-16/AUG-CCITT of `buf[start .. end)`. */
export function osdpCrc16(
  buf: Uint8Array,
  start: number,
  end: number,
  init: number = OSDP_CRC_INIT,
): number {
  let crc = init & 0xffff;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ buf[i]!) & 0xff]!) & 0xffff;
  }
  return crc;
}

/** 8-bit OSDP checksum of `buf[start .. end)`: two's complement of the byte sum. */
export function osdpChecksum(buf: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + buf[i]!) & 0xff;
  return (0x100 - sum) & 0xff;
}
