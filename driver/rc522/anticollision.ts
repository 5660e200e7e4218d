/**
 * One anticollision round of a cascade level, as pure functions over the
 * level's 5 bytes (UID CLn + BCC, bits LSB first): build the `SEL NVB bits`
 * frame from the bits known so far, then merge the answer, resolving a bit
 * collision from CollReg or checking the BCC when all 40 bits are in.
 *
 * @module
 */

import { CollPosNotValid } from "./registers.ts";

/** {@link mergeAnswer}: all 40 bits known and the BCC is right. */
export const AC_COMPLETE = 0;
/** {@link mergeAnswer}: a collision was resolved (bit set to 1); send the next round. */
export const AC_COLLISION = 1;
/** {@link mergeAnswer}: the answer's length does not fit the level. */
export const AC_BAD_LENGTH = 2;
/** {@link mergeAnswer}: CollReg gives no usable position. */
export const AC_BAD_POSITION = 3;
/** {@link mergeAnswer}: 40 bits, wrong BCC. */
export const AC_BAD_BCC = 4;

/**
 * Absolute 0-based bit index, within the 40 bits of a cascade level, of the
 * collision CollReg reports, or -1 when it gives no usable position. CollPos
 * counts from 1 on the FIFO's bit grid (bit 0 of the first received byte),
 * so with RxAlign `r` the first received bit is position r + 1; 0 means 32.
 */
export function collisionBit(collReg: number, rxAlign: number, firstByte: number): number {
  if (collReg & CollPosNotValid) return -1;
  let pos = collReg & 0x1f;
  if (pos === 0) pos = 32;
  if (pos <= rxAlign) return -1;
  return firstByte * 8 + pos - 1;
}

/**
 * Writes `SEL NVB <known bits of cl>` into `tx`; returns the byte count. The
 * exchange sends `known & 7` bits of the last byte and receives aligned there.
 */
export function anticollisionFrame(
  sel: number,
  cl: Uint8Array,
  known: number,
  tx: Uint8Array,
): number {
  const bytes = (known + 7) >> 3;
  tx[0] = sel;
  tx[1] = ((2 + (known >> 3)) << 4) | (known & 7);
  for (let i = 0; i < bytes; i++) tx[2 + i] = cl[i]!;
  return 2 + bytes;
}

/** The answer of one round, as {@link mergeAnswer} needs it (an {@link Exchange} fits). */
export interface AnticollisionAnswer {
  /** X_OK or X_COLLISION (other outcomes are not answers). */
  readonly status: number;
  /** Answer bytes on the FIFO grid. */
  readonly rx: Uint8Array;
  /** Answer byte count. */
  readonly rxLen: number;
  /** Valid bits in the last byte (0 = 8). */
  readonly rxLastBits: number;
  /** RxAlign used. */
  readonly rxAlign: number;
  /** CollReg after the round. */
  readonly collReg: number;
}

/**
 * Merges an answer into `cl` behind the `known` bits.
 *
 * The codes and outcomes are written as literals in this function and in
 * {@link appendLevelUid} (their names in comments): a module-level or
 * imported constant costs a load and an initialisation check per use in
 * optimised code, a literal nothing (test/driver/rc522/anticollision_test.ts
 * checks the literals against the named constants).
 * Returns an `AC_*` code;
 * for {@link AC_COLLISION} the new known-bit count is in `out[0]`.
 *
 * The common round (nothing known yet, the whole level answered without a
 * collision: X_OK, 5 bytes, no RxAlign, full last byte) takes a straight
 * path with no loop; everything else goes to {@link mergeAnswerGeneral}, kept
 * apart so this function stays small enough for V8 to inline.
 */
export function mergeAnswer(
  cl: Uint8Array,
  known: number,
  a: AnticollisionAnswer,
  out: Int32Array,
): number {
  if ((known | a.status | a.rxAlign | a.rxLastBits) !== 0 || a.rxLen !== 5) {
    return mergeAnswerGeneral(cl, known, a, out);
  }
  const rx = a.rx;
  const bcc = rx[4]!;
  const b0 = rx[0]!;
  const b1 = rx[1]!;
  const b2 = rx[2]!;
  const b3 = rx[3]!;
  cl[4] = bcc;
  cl[0] = b0;
  cl[1] = b1;
  cl[2] = b2;
  cl[3] = b3;
  return (b0 ^ b1 ^ b2 ^ b3) === bcc ? 0 : 4; // AC_COMPLETE : AC_BAD_BCC
}

/** {@link mergeAnswer} for any round: partial levels, RxAlign, collisions, bad lengths. */
function mergeAnswerGeneral(
  cl: Uint8Array,
  known: number,
  a: AnticollisionAnswer,
  out: Int32Array,
): number {
  const first = known >> 3;
  const rxLen = a.rxLen;
  if (rxLen === 0 || first + rxLen > 5) return 2; // AC_BAD_LENGTH
  const align = a.rxAlign;
  const rx = a.rx;
  let j = 0;
  if (align !== 0) {
    const m = (1 << align) - 1;
    cl[first] = (cl[first]! & m) | (rx[0]! & ~m & 0xff);
    j = 1;
  }
  for (; j < rxLen; j++) cl[first + j] = rx[j]!;
  if (a.status === 2) { // X_COLLISION
    const bit = collisionBit(a.collReg, align, first);
    if (bit < known || bit >= 32 || (bit >> 3) >= first + rxLen) return 3; // AC_BAD_POSITION
    const byte = bit >> 3;
    const b = bit & 7;
    cl[byte] = (cl[byte]! & ((1 << b) - 1)) | (1 << b); // follow the cards sending 1
    out[0] = bit + 1;
    return 1; // AC_COLLISION
  }
  // X_OK, all 40 bits: else AC_BAD_LENGTH
  if (a.status !== 0 || first + rxLen !== 5 || a.rxLastBits !== 0) return 2;
  if ((cl[0]! ^ cl[1]! ^ cl[2]! ^ cl[3]!) !== cl[4]) return 4; // AC_BAD_BCC
  return 0; // AC_COMPLETE
}

/** {@link appendLevelUid}: SAK says the UID goes on but the level cannot (no cascade tag, or level 3). */
export const UID_CASCADE_ERROR = -1;

/**
 * After the SELECT of cascade `level` (1-based) was answered with `sak`,
 * appends the level's UID bytes from `cl` to `uid` at `uidLen`: three bytes
 * after the cascade tag when SAK's cascade bit says the UID continues, else
 * the four bytes of the last level. Returns the new UID length, or
 * {@link UID_CASCADE_ERROR}. The UID is complete when `sak & SAK_CASCADE` is 0.
 */
export function appendLevelUid(
  cl: Uint8Array,
  level: number,
  sak: number,
  uid: Uint8Array,
  uidLen: number,
): number {
  const at = uidLen | 0; // int32 index sums: no overflow checks (see crcA in crc_a.ts)
  if ((sak & 0x04) !== 0) { // SAK_CASCADE
    if (cl[0] !== 0x88 || level >= 3) return -1; // CASCADE_TAG; UID_CASCADE_ERROR
    uid[at] = cl[1]!;
    uid[(at + 1) | 0] = cl[2]!;
    uid[(at + 2) | 0] = cl[3]!;
    return (at + 3) | 0;
  }
  uid[at] = cl[0]!;
  uid[(at + 1) | 0] = cl[1]!;
  uid[(at + 2) | 0] = cl[2]!;
  uid[(at + 3) | 0] = cl[3]!;
  return (at + 4) | 0;
}
