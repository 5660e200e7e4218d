/**
 * The OSDP parser's fast path (`OsdpParser.feed` in ./parser.ts): the frame
 * starting at a SOM, checked where it lies. When it is whole in the bytes
 * given, its length in range and its check (CRC-16 or checksum) right, its
 * length comes back positive for the common frame (CRC-16 mode, `CTRL_CRC`
 * set, no security block, `CTRL_SCB` clear), whose fields the parser then
 * takes at once, and negative for any other (a security block, or checksum
 * mode), whose layout the parser's general path reads. A split frame, a bad
 * length or a bad check gives 0 and is left to the general path, which
 * reaches the same result. Allocates nothing.
 *
 * @example
 * ```ts
 * import { checkedFrameLength } from "./frame_check.ts";
 * const poll = Uint8Array.of(0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90);
 * checkedFrameLength(poll, 0, poll.length, 1024); // 8
 * poll[7]! ^= 1;
 * checkedFrameLength(poll, 0, poll.length, 1024); // 0: the CRC does not match
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
 * The frame whose SOM is `src[at]` (see the module documentation): its
 * length when the whole frame lies before `end`, its length field is in
 * `8 ..= maxLength` (`7 ..= maxLength` in checksum mode) and its check is
 * right (a CRC-16 over SOM through the data equal to its last two bytes, LSB
 * first; or all its bytes summing to 0 mod 256): positive for the common
 * frame (CRC, no security block), negative for any other; else 0. The
 * framing constants are literals here, named in comments
 * (test/driver/osdp/parser_whole_test.ts checks them).
 */
export function checkedFrameLength(
  src: Uint8Array,
  at: number,
  end: number,
  maxLength: number,
): number {
  if (((at + 8) | 0) > end) return 0; // MIN_FRAME + 1: the shortest frame with a CRC
  const len = src[(at + 2) | 0]! | (src[(at + 3) | 0]! << 8);
  const e = (at + len) | 0;
  if (e > end || len > maxLength) return 0; // not whole, or too long
  const ctrl = src[(at + 4) | 0]!;
  // CTRL_CRC set and long enough to hold a CRC (MIN_FRAME + 1), else the checksum
  if ((ctrl & 0x04) === 0 || len < 8) return checksumFrameLength(src, at, len);
  // Two bytes per table step (osdpCrc16's loop), int32 index sums.
  let crc = 0x1d0f; // OSDP_CRC_INIT
  let k = at | 0;
  const stop = (e - 3) | 0; // the last pair ends before the two check bytes
  while (k < stop) {
    crc = CRC_PAIR[(crc >>> 8) ^ src[k]!]! ^ CRC_BYTE[(crc & 0xff) ^ src[(k + 1) | 0]!]!;
    k = (k + 2) | 0;
  }
  if (k === stop) crc = ((crc & 0xff) << 8) ^ CRC_BYTE[(crc >>> 8) ^ src[k]!]!;
  if (crc !== (src[(e - 2) | 0]! | (src[(e - 1) | 0]! << 8))) return 0;
  return (ctrl & 0x08) === 0 ? len : -len; // CTRL_SCB
}

/**
 * {@link checkedFrameLength} for a frame in checksum mode (`CTRL_CRC` clear),
 * whole and not too long: `-len` (its length field, negative: not the common
 * frame) when it is at least `MIN_FRAME` and its bytes sum to 0 (mod 256),
 * else 0 (also for a frame in CRC mode, there too short to hold its CRC).
 */
function checksumFrameLength(src: Uint8Array, at: number, len: number): number {
  if (len < 7 || (src[at + 4]! & 0x04) !== 0) return 0; // MIN_FRAME, CTRL_CRC
  let sum = 0;
  for (let k = at, e = at + len; k < e; k++) sum += src[k]!;
  return (sum & 0xff) === 0 ? -len : 0;
}
