/**
 * ISO/IEC 14443-3 type A facts the reader and the simulator share: short
 * frames, select codes, cascade levels, BCC, SAK decoding.
 *
 * @module
 */

import { crcA } from "./crc_a.ts";
import { parseHexBytes } from "../hex.ts";
import type { CaptureResult } from "../capture.ts";

/** REQA short frame (7 bits): wakes cards in IDLE. */
export const REQA = 0x26;
/** WUPA short frame (7 bits): wakes cards in IDLE and HALT. */
export const WUPA = 0x52;
/** Select codes of cascade levels 1, 2, 3. */
export const SEL_CODES: readonly number[] = [0x93, 0x95, 0x97];
/** NVB of an ANTICOLLISION command that sends no UID bits. */
export const NVB_ANTICOLLISION = 0x20;
/** NVB of a SELECT command (all 40 bits of the level). */
export const NVB_SELECT = 0x70;
/** Cascade tag: first byte of a level whose UID continues on the next level. */
export const CASCADE_TAG = 0x88;
/** SAK bit 2: UID not complete, go to the next cascade level. */
export const SAK_CASCADE = 0x04;
/** HLTA frame with its CRC_A. */
export const HLTA_FRAME: readonly number[] = [0x50, 0x00, 0x57, 0xcd];

/** Number of cascade levels of a 4-, 7- or 10-byte UID (0 for other sizes). */
export function cascadeLevels(uidLength: number): number {
  return uidLength === 4 ? 1 : uidLength === 7 ? 2 : uidLength === 10 ? 3 : 0;
}

/**
 * Writes the 5 bytes a card sends at cascade `level` (1-based) for a UID:
 * UID CLn (with the cascade tag when the UID continues) and the BCC.
 * Returns false when the level does not exist for that UID size.
 */
export function cascadeLevelBytes(
  uid: Uint8Array,
  uidOff: number,
  uidLength: number,
  level: number,
  out: Uint8Array,
  outOff: number,
): boolean {
  const levels = cascadeLevels(uidLength);
  if (level < 1 || level > levels) return false;
  const last = level === levels;
  const base = uidOff + (level - 1) * 3;
  if (last) {
    for (let i = 0; i < 4; i++) out[outOff + i] = uid[base + i]!;
  } else {
    out[outOff] = CASCADE_TAG;
    for (let i = 0; i < 3; i++) out[outOff + 1 + i] = uid[base + i]!;
  }
  out[outOff + 4] = out[outOff]! ^ out[outOff + 1]! ^ out[outOff + 2]! ^ out[outOff + 3]!;
  return true;
}

/** Card families a SAK names. */
export const CARD_TYPES = [
  "mifare-classic-mini",
  "mifare-classic-1k",
  "mifare-classic-4k",
  "mifare-ultralight-ntag",
  "mifare-plus-2k",
  "mifare-plus-4k",
  "mifare-tnp3xxx",
  "iso14443-4",
  "iso14443-4-classic-1k",
  "iso14443-4-classic-4k",
  "iso18092",
  "unknown",
] as const;

/** One of {@link CARD_TYPES}. */
export type CardType = typeof CARD_TYPES[number];

/** Human names of {@link CARD_TYPES}. */
export const CARD_TYPE_NAMES: Readonly<Record<CardType, string>> = {
  "mifare-classic-mini": "MIFARE Classic Mini",
  "mifare-classic-1k": "MIFARE Classic 1K",
  "mifare-classic-4k": "MIFARE Classic 4K",
  "mifare-ultralight-ntag": "MIFARE Ultralight / NTAG",
  "mifare-plus-2k": "MIFARE Plus 2K (SL2)",
  "mifare-plus-4k": "MIFARE Plus 4K (SL2)",
  "mifare-tnp3xxx": "MIFARE TNP3XXX",
  "iso14443-4": "ISO 14443-4 (DESFire, Plus SL3, smart card)",
  "iso14443-4-classic-1k": "ISO 14443-4 with MIFARE Classic 1K",
  "iso14443-4-classic-4k": "ISO 14443-4 with MIFARE Classic 4K",
  "iso18092": "ISO 18092 (NFC-DEP)",
  "unknown": "unknown",
};

/** The card type a final SAK (cascade bit clear) names; a constant string, no allocation. */
export function sakCardType(sak: number): CardType {
  switch (sak & 0x7f) {
    case 0x09:
      return "mifare-classic-mini";
    case 0x08:
      return "mifare-classic-1k";
    case 0x18:
      return "mifare-classic-4k";
    case 0x00:
      return "mifare-ultralight-ntag";
    case 0x10:
      return "mifare-plus-2k";
    case 0x11:
      return "mifare-plus-4k";
    case 0x01:
      return "mifare-tnp3xxx";
    case 0x28:
      return "iso14443-4-classic-1k";
    case 0x38:
      return "iso14443-4-classic-4k";
  }
  if (sak & 0x20) return "iso14443-4";
  if (sak & 0x40) return "iso18092";
  return "unknown";
}

/** UID size (bytes) ATQA bits 7–6 announce: 4, 7, 10, or 0 when reserved. */
export function atqaUidSize(atqa0: number): number {
  const s = (atqa0 >> 6) & 3;
  return s === 0 ? 4 : s === 1 ? 7 : s === 2 ? 10 : 0;
}

/** One cascade level of {@link decodeRc522Uid}'s answer. */
export interface Rc522UidLevel {
  /** Cascade level, 1-based. */
  level: number;
  /** Select code (hex). */
  sel: string;
  /** Anticollision command with no known bits (`SEL 20`). */
  anticollisionCommand: string;
  /** What the card answers to it: UID CLn and BCC (hex). */
  anticollisionAnswer: string;
  /** Whether this level starts with the cascade tag 88. */
  cascadeTag: boolean;
  /** Block check character (hex). */
  bcc: string;
  /** SELECT frame: SEL 70 CLn BCC CRC_A (hex). */
  selectFrame: string;
  /** The CRC_A bytes of the SELECT frame (hex, as sent). */
  selectCrc: string;
}

/** What {@link decodeRc522UidCapture} answers: the UID explained, or why not. */
export type Rc522UidCapture = CaptureResult & Partial<Rc522UidInfo>;

/** {@link decodeRc522Uid} as a capture decoder: never throws, problems come back as `ok: false`. */
export function decodeRc522UidCapture(hex: string): Rc522UidCapture {
  try {
    return { ok: true, ...decodeRc522Uid(hex) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** What {@link decodeRc522Uid} returns (JSON-able). */
export interface Rc522UidInfo {
  /** UID, uppercase hex. */
  uid: string;
  /** UID size in bytes. */
  uidSize: number;
  /** "single", "double" or "triple". */
  sizeName: string;
  /** Cascade levels the reader walks through. */
  levels: Rc522UidLevel[];
  /** HLTA frame (hex). */
  hlta: string;
  /** Things worth knowing about this UID (empty when none). */
  notes: string[];
}

const hex2 = (b: number) => b.toString(16).toUpperCase().padStart(2, "0");
const hexOf = (a: ArrayLike<number>) => Array.from(a, hex2).join(" ");

/**
 * Explains a 4-, 7- or 10-byte UID the way the reader meets it on the air:
 * cascade frames, BCCs and SELECT frames with CRC_A. Accepts hex with optional
 * spaces, colons or dashes. Throws an Error with a clear message on bad input.
 *
 * @example
 * ```ts
 * import { decodeRc522Uid } from "./iso14443a.ts";
 * decodeRc522Uid("04A3C6CAE26180").levels[0].anticollisionAnswer; // "88 04 A3 C6 E9"
 * ```
 */
export function decodeRc522Uid(hex: string): Rc522UidInfo {
  let uid: Uint8Array;
  try {
    uid = parseHexBytes(hex);
  } catch (e) {
    throw new Error(
      `rc522-uid: "${hex}" is not hex bytes (${(e as Error).message}; e.g. 04A3C6CAE26180)`,
    );
  }
  const levels = cascadeLevels(uid.length);
  if (levels === 0) {
    throw new Error(
      `rc522-uid: a UID is 4, 7 or 10 bytes; "${hex}" has ${uid.length} byte(s)`,
    );
  }
  const notes: string[] = [];
  if (uid[0] === CASCADE_TAG) {
    notes.push("first UID byte is 88 (the cascade tag): not allowed by ISO 14443-3");
  }
  if (uid.length === 4 && uid[0] === 0x08) notes.push("4-byte UID starting with 08: a random ID");
  if (uid.length === 4 && (uid[0]! & 0x0f) === 0x0f) notes.push("4-byte UID xF: a fixed NUID");
  const out: Rc522UidLevel[] = [];
  const cl = new Uint8Array(5);
  const frame = new Uint8Array(9);
  for (let level = 1; level <= levels; level++) {
    cascadeLevelBytes(uid, 0, uid.length, level, cl, 0);
    const sel = SEL_CODES[level - 1]!;
    frame[0] = sel;
    frame[1] = NVB_SELECT;
    frame.set(cl, 2);
    const crc = crcA(frame, 0, 7);
    frame[7] = crc & 0xff;
    frame[8] = crc >>> 8;
    out.push({
      level,
      sel: hex2(sel),
      anticollisionCommand: `${hex2(sel)} 20`,
      anticollisionAnswer: hexOf(cl),
      cascadeTag: level < levels,
      bcc: hex2(cl[4]!),
      selectFrame: hexOf(frame),
      selectCrc: hexOf(frame.subarray(7)),
    });
  }
  return {
    uid: Array.from(uid, hex2).join(""),
    uidSize: uid.length,
    sizeName: levels === 1 ? "single" : levels === 2 ? "double" : "triple",
    levels: out,
    hlta: hexOf(HLTA_FRAME),
    notes,
  };
}
