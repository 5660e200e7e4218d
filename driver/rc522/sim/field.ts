/**
 * The RF field of the simulated reader: the cards in it, what they answer to
 * a frame, and how several answers superpose. Answers are compared bit by
 * bit; the first bit where cards differ is the collision, as a type A reader
 * sees it (both Manchester halves modulated). Seeded noise can drop answers,
 * flip bits, corrupt CRCs or raise parity errors.
 *
 * @module
 */

import { SimRandom } from "./random.ts";
import { PICC_OFF, type VirtualCard } from "./card.ts";

/** Most cards the field holds. */
export const FIELD_CAPACITY = 16;

/** Noise rates, each a probability per answered exchange. */
export interface FieldNoise {
  /** The answer is lost (the reader times out). */
  drop?: number;
  /** One bit of the answer flips (parity not recomputed: the reader sees a parity error too when `parity` hits). */
  bitFlip?: number;
  /** A bit in the CRC_A of a 24-bit (SAK) answer flips. */
  crc?: number;
  /** The reader reports a parity error. */
  parity?: number;
}

/** The result of one frame sent into the field. */
export class FieldAnswer {
  /** Answer bits, packed LSB first. */
  readonly bits: Uint8Array = new Uint8Array(64);
  /** Number of answer bits (0: silence). */
  length = 0;
  /** Index of the first colliding bit, or -1. */
  collisionAt: number = -1;
  /** Whether a parity error was detected. */
  parityError = false;
  /** Number of cards that answered. */
  answered = 0;
}

/** The field with its cards. */
export class Field {
  /** Cards in the field (fixed slots; null = empty). */
  readonly cards: (VirtualCard | null)[] = new Array(FIELD_CAPACITY).fill(null);
  /** Noise rates in force. */
  noise: FieldNoise = {};
  /** Whether the reader's antenna is on. */
  #on = false;
  readonly #rng: SimRandom;
  readonly #one = new Uint8Array(64);
  /** Noise events injected (drops, flips, crc, parity). */
  noiseEvents = 0;

  /** Creates an empty field with a noise seed. */
  constructor(seed = 1) {
    this.#rng = new SimRandom(seed);
  }

  /** The noise generator (shared with the chip). */
  get rng(): SimRandom {
    return this.#rng;
  }

  /** Puts a card in the field (powered if the antenna is on); returns false when full. */
  add(card: VirtualCard): boolean {
    if (this.cards.includes(card)) return true;
    const i = this.cards.indexOf(null);
    if (i < 0) return false;
    this.cards[i] = card;
    card.power(this.#on);
    return true;
  }

  /** Takes a card out of the field (it loses power). */
  remove(card: VirtualCard): void {
    const i = this.cards.indexOf(card);
    if (i >= 0) this.cards[i] = null;
    card.power(false);
  }

  /** Antenna on or off; switching it powers every card up (IDLE) or down. */
  setAntenna(on: boolean): void {
    if (on === this.#on) return;
    this.#on = on;
    for (const c of this.cards) c?.power(on);
  }

  /** Whether the antenna is on. */
  get antenna(): boolean {
    return this.#on;
  }

  /**
   * Sends `nbits` bits of `frame` to every powered card heard at receiver gain
   * field value `gain`; fills `ans`.
   */
  transceive(frame: Uint8Array, nbits: number, gain: number, ans: FieldAnswer): void {
    ans.length = 0;
    ans.collisionAt = -1;
    ans.parityError = false;
    ans.answered = 0;
    const one = this.#one;
    const out = ans.bits;
    for (let c = 0; c < FIELD_CAPACITY; c++) {
      const card = this.cards[c];
      if (!card || card.state === PICC_OFF) continue;
      const n = card.receive(frame, nbits, one);
      if (n === 0 || gain < card.minGain) continue;
      if (ans.answered === 0) {
        for (let i = 0; i < ((n + 7) >> 3); i++) out[i] = one[i]!;
        ans.length = n;
      } else {
        const common = n < ans.length ? n : ans.length;
        const limit = ans.collisionAt >= 0 ? ans.collisionAt : common;
        for (let i = 0; i < limit; i++) {
          const a = (out[i >> 3]! >> (i & 7)) & 1;
          const b = (one[i >> 3]! >> (i & 7)) & 1;
          if (a !== b) {
            ans.collisionAt = i;
            break;
          }
        }
        // Past the collision the reader sees the wired OR of the answers.
        for (let i = 0; i < ((n + 7) >> 3); i++) out[i] = out[i]! | one[i]!;
        if (n > ans.length) ans.length = n;
      }
      ans.answered++;
    }
    if (ans.length === 0) return;
    const noise = this.noise;
    const rng = this.#rng;
    if (noise.drop && rng.chance(noise.drop)) {
      this.noiseEvents++;
      ans.length = 0;
      ans.answered = 0;
      ans.collisionAt = -1;
      return;
    }
    if (noise.bitFlip && rng.chance(noise.bitFlip)) {
      this.noiseEvents++;
      const i = rng.int(ans.length);
      out[i >> 3] = out[i >> 3]! ^ (1 << (i & 7));
    }
    if (noise.crc && ans.length === 24 && rng.chance(noise.crc)) {
      this.noiseEvents++;
      const i = 8 + rng.int(16);
      out[i >> 3] = out[i >> 3]! ^ (1 << (i & 7));
    }
    if (noise.parity && rng.chance(noise.parity)) {
      this.noiseEvents++;
      ans.parityError = true;
    }
  }
}
