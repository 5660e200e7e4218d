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
 * CRC-16/AUG-CCITT tables for two bytes per step ("slice-by-2"), for loops
 * that compute the CRC inline. Entries 0–255: byte n shifted through 8 steps
 * of poly 0x1021 (the plain byte table); entries 256–511: byte n followed by
 * a zero byte (16 steps). Two bytes `b0 b1` then update the register `crc`
 * as `T[256 + ((crc >>> 8) ^ b0)] ^ T[(crc & 0xff) ^ b1]`. Read only.
 */
export const OSDP_CRC_TABLE: Uint16Array = new Uint16Array(512);
const TABLE = OSDP_CRC_TABLE;
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}
for (let i = 0; i < 256; i++) TABLE[256 + i] = ((TABLE[i]! & 0xff) << 8) ^ TABLE[TABLE[i]! >>> 8]!;

/** Continues a CRC-16/AUG-CCITT over one byte. */
export function osdpCrc16Byte(crc: number, byte: number): number {
  return ((crc << 8) ^ TABLE[((crc >>> 8) ^ byte) & 0xff]!) & 0xffff;
}

/** CRC-16/AUG-CCITT of `buf[start .. end)`, two bytes per table step. */
export function osdpCrc16(
  buf: Uint8Array,
  start: number,
  end: number,
  init: number = OSDP_CRC_INIT,
): number {
  const t = TABLE;
  let crc = init & 0xffff;
  let i = start;
  for (; i + 1 < end; i += 2) {
    crc = t[256 + ((crc >>> 8) ^ buf[i]!)]! ^ t[(crc & 0xff) ^ buf[i + 1]!]!;
  }
  if (i < end) crc = ((crc << 8) ^ t[(crc >>> 8) ^ buf[i]!]!) & 0xffff;
  return crc;
}

/** 8-bit OSDP checksum of `buf[start .. end)`: two's complement of the byte sum. */
export function osdpChecksum(buf: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + buf[i]!) & 0xff;
  return (0x100 - sum) & 0xff;
}
