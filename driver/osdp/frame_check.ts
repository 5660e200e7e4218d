/**
 * The OSDP parser's fast path ({@link OsdpParser.feed} in ./parser.ts): is
 * the frame starting at a SOM the common one, checked where it lies? Common
 * means: whole in the bytes given, CRC-16 mode (`CTRL_CRC` set), no security
 * block (`CTRL_SCB` clear), length in range and CRC right. Every other frame
 * (checksum mode, security blocks, MACs, a split frame, any error) is left to
 * the parser's general path, which reaches the same result. Allocates nothing.
 *
 * @example
 * ```ts
 * import { commonFrameLength } from "./frame_check.ts";
 * const poll = Uint8Array.of(0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90);
 * commonFrameLength(poll, 0, poll.length, 1024); // 8
 * poll[7]! ^= 1;
 * commonFrameLength(poll, 0, poll.length, 1024); // 0: the CRC does not match
 * ```
 *
 * @module
 */

import { OSDP_CRC_BYTE, OSDP_CRC_PAIR } from "./crc.ts";

// Module-local aliases: V8 folds a module's own constants into optimised
// code as constants, an imported binding it loads and checks at every use.
const CRC_BYTE = OSDP_CRC_BYTE;
const CRC_PAIR = OSDP_CRC_PAIR;

/**
 * Length of the common frame whose SOM is `src[at]`, or 0 when the frame at
 * `at` is not one (see the module documentation): its length field in
 * `8 ..= maxLength`, the whole frame before `end`, CRC mode without a
 * security block, and its CRC-16 (over SOM through the data) equal to its
 * last two bytes (LSB first). The framing constants are literals here, named
 * in comments (test/driver/osdp/parser_whole_test.ts checks them).
 */
export function commonFrameLength(
  src: Uint8Array,
  at: number,
  end: number,
  maxLength: number,
): number {
  if (((at + 8) | 0) > end) return 0; // MIN_FRAME + 1: the shortest frame with a CRC
  const len = src[(at + 2) | 0]! | (src[(at + 3) | 0]! << 8);
  const e = (at + len) | 0;
  // CTRL_CRC set, CTRL_SCB clear
  if ((src[(at + 4) | 0]! & 0x0c) !== 0x04 || len < 8 || len > maxLength || e > end) return 0;
  // Two bytes per table step (osdpCrc16's loop), int32 index sums.
  let crc = 0x1d0f; // OSDP_CRC_INIT
  let k = at | 0;
  const stop = (e - 3) | 0; // the last pair ends before the two check bytes
  while (k < stop) {
    crc = CRC_PAIR[(crc >>> 8) ^ src[k]!]! ^ CRC_BYTE[(crc & 0xff) ^ src[(k + 1) | 0]!]!;
    k = (k + 2) | 0;
  }
  if (k === stop) crc = ((crc << 8) ^ CRC_BYTE[(crc >>> 8) ^ src[k]!]!) & 0xffff;
  return crc === (src[(e - 2) | 0]! | (src[(e - 1) | 0]! << 8)) ? len : 0;
}
