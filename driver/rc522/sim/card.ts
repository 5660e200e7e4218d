/**
 * A virtual ISO/IEC 14443-3 type A card (PICC) for the chip simulator: the
 * IDLE / READY / ACTIVE / HALT state machine (with the READY* and ACTIVE*
 * states of a card woken from HALT), answering REQA, WUPA, anticollision at
 * any bit boundary, SELECT (CRC_A checked) and HLTA, for 4-, 7- and 10-byte
 * UIDs. Frames are bit strings, LSB first, packed in bytes.
 *
 * @module
 */

import { checkCrcA, crcA } from "../crc_a.ts";
import {
  cascadeLevelBytes,
  cascadeLevels,
  NVB_SELECT,
  REQA,
  SAK_CASCADE,
  SEL_CODES,
  WUPA,
} from "../iso14443a.ts";

/** Card state: out of the field or unpowered. */
export const PICC_OFF = 0;
/** Card state: powered, waiting for REQA/WUPA. */
export const PICC_IDLE = 1;
/** Card state: anticollision in progress at {@link VirtualCard.level}. */
export const PICC_READY = 2;
/** Card state: selected. */
export const PICC_ACTIVE = 3;
/** Card state: halted; only WUPA wakes it. */
export const PICC_HALT = 4;

/** How to make a {@link VirtualCard}. */
export interface VirtualCardOptions {
  /** UID, 4, 7 or 10 bytes (array or hex string). */
  uid: ArrayLike<number> | string;
  /** Final SAK (default 0x08 for 4-byte UIDs, 0x00 otherwise). */
  sak?: number;
  /** ATQA as sent, first byte in bits 0–7 (default from the UID size, bit-frame anticollision bit 2). */
  atqa?: number;
  /** Lowest RxGain field value (0–7) at which the reader hears this card (default 0). */
  minGain?: number;
  /** Answers HLTA (a broken card; default false). */
  answersHalt?: boolean;
  /** Length of the ATQA it sends, in bits (default 16; other values model a broken answer). */
  atqaBits?: number;
}

function parseUid(uid: ArrayLike<number> | string): Uint8Array {
  if (typeof uid !== "string") return Uint8Array.from(uid);
  const clean = uid.replace(/[\s:-]/g, "");
  const out = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A virtual card. */
export class VirtualCard {
  /** UID bytes. */
  readonly uid: Uint8Array;
  /** Final SAK. */
  readonly sak: number;
  /** ATQA (first byte sent in bits 0–7). */
  readonly atqa: number;
  /** Lowest RxGain the reader needs to hear this card. */
  readonly minGain: number;
  /** Whether it (wrongly) answers HLTA. */
  readonly answersHalt: boolean;
  /** ATQA length in bits. */
  readonly atqaBits: number;
  /** One of the `PICC_*` states. */
  state: number = PICC_OFF;
  /** Woken from HALT (READY*, ACTIVE*): falls back to HALT rather than IDLE. */
  star = false;
  /** Current cascade level (1-based) while READY. */
  level = 1;
  /** Times this card was selected. */
  selects = 0;
  /** Times this card was halted. */
  halts = 0;
  readonly #levels: number;
  /** The 5 bytes (CLn + BCC) of each level, 5 per level. */
  readonly #cl = new Uint8Array(15);

  /** Creates a card; throws on a UID that is not 4, 7 or 10 bytes. */
  constructor(options: VirtualCardOptions) {
    this.uid = parseUid(options.uid);
    this.#levels = cascadeLevels(this.uid.length);
    if (this.#levels === 0) throw new Error(`virtual card: UID must be 4, 7 or 10 bytes`);
    this.sak = options.sak ?? (this.uid.length === 4 ? 0x08 : 0x00);
    this.atqa = options.atqa ?? (((this.#levels - 1) << 6) | 0x04);
    this.minGain = options.minGain ?? 0;
    this.answersHalt = options.answersHalt ?? false;
    this.atqaBits = options.atqaBits ?? 16;
    for (let l = 1; l <= this.#levels; l++) {
      cascadeLevelBytes(this.uid, 0, this.uid.length, l, this.#cl, (l - 1) * 5);
    }
  }

  /** The UID as uppercase hex. */
  get hex(): string {
    return Array.from(this.uid, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join("");
  }

  /** Field on / card enters: IDLE. Field off / card leaves: OFF. */
  power(on: boolean): void {
    this.state = on ? PICC_IDLE : PICC_OFF;
    this.star = false;
    this.level = 1;
  }

  #fallBack(): number {
    this.state = this.star ? PICC_HALT : PICC_IDLE;
    this.level = 1;
    return 0;
  }

  #bit(base: number, i: number): number {
    return (this.#cl[base + (i >> 3)]! >> (i & 7)) & 1;
  }

  /**
   * Receives a frame of `nbits` bits; writes the answer bits into `out`
   * (packed from bit 0) and returns their count, 0 for silence.
   */
  receive(frame: Uint8Array, nbits: number, out: Uint8Array): number {
    const s = this.state;
    if (s === PICC_OFF) return 0;
    if (nbits === 7) {
      const cmd = frame[0]! & 0x7f;
      if (
        (cmd === REQA && s === PICC_IDLE) || (cmd === WUPA && (s === PICC_IDLE || s === PICC_HALT))
      ) {
        this.star = s === PICC_HALT;
        this.state = PICC_READY;
        this.level = 1;
        out[0] = this.atqa & 0xff;
        out[1] = this.atqa >>> 8;
        return this.atqaBits;
      }
      if (s === PICC_READY || s === PICC_ACTIVE) this.#fallBack();
      return 0;
    }
    if (s === PICC_READY) return this.#readyFrame(frame, nbits, out);
    if (s === PICC_ACTIVE) {
      if (nbits === 32 && frame[0] === 0x50 && frame[1] === 0x00 && checkCrcA(frame, 0, 4)) {
        this.state = PICC_HALT;
        this.halts++;
        if (this.answersHalt) {
          out[0] = 0x0a; // a NAK-like 4-bit answer
          return 4;
        }
        return 0;
      }
      this.#fallBack();
    }
    return 0;
  }

  #readyFrame(frame: Uint8Array, nbits: number, out: Uint8Array): number {
    if (nbits < 16 || frame[0] !== SEL_CODES[this.level - 1]) return this.#fallBack();
    const nvb = frame[1]!;
    const base = (this.level - 1) * 5;
    if (nvb === NVB_SELECT) {
      if (nbits !== 72 || !checkCrcA(frame, 0, 9)) return this.#fallBack();
      for (let i = 0; i < 5; i++) if (frame[2 + i] !== this.#cl[base + i]) return this.#fallBack();
      const last = this.level === this.#levels;
      const sak = last ? this.sak & ~SAK_CASCADE : SAK_CASCADE;
      if (last) {
        this.state = PICC_ACTIVE;
        this.selects++;
      } else this.level++;
      out[0] = sak;
      const crc = crcA(out, 0, 1);
      out[1] = crc & 0xff;
      out[2] = crc >>> 8;
      return 24;
    }
    const bytes = nvb >> 4;
    const extra = nvb & 0x0f;
    const valid = (bytes - 2) * 8 + extra;
    if (bytes < 2 || extra > 7 || valid >= 40 || nbits !== 16 + valid) return this.#fallBack();
    for (let i = 0; i < valid; i++) {
      if (((frame[2 + (i >> 3)]! >> (i & 7)) & 1) !== this.#bit(base, i)) return 0; // not me: stay READY
    }
    const n = 40 - valid;
    for (let i = 0; i < ((n + 7) >> 3); i++) out[i] = 0;
    for (let i = 0; i < n; i++) out[i >> 3]! |= this.#bit(base, valid + i) << (i & 7);
    return n;
  }
}
