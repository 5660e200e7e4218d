/**
 * The decoder's fast path for frames of up to 32 bits (H10301 and most
 * custom short formats): the whole frame in one 32-bit word held in a local,
 * at most three parity rules checked without a loop, and the fields cut out
 * with two shifts. Chosen once per frame by bit count; everything else goes
 * through the general 4-word path in decode.ts, which gives the same result.
 *
 * @module
 */

import type { CompiledFormat } from "./formats.ts";

/**
 * A {@link CompiledFormat} of at most 32 bits, at most 3 parity rules and an
 * id (facility + card) of at most 31 bits, as small integers only.
 */
export class ShortFormat {
  /** Format name (reported in `CardRead.format`). */
  readonly name: string = "";
  /** Parity masks of rules 0–2 on the frame word (0 for a missing rule: parity 0). */
  readonly m0: number = 0;
  /** Rule 1's mask. */
  readonly m1: number = 0;
  /** Rule 2's mask. */
  readonly m2: number = 0;
  /** Expected parities, rule r's in bit 8r. */
  readonly expect: number = 0;
  /** Card field: frame bits before it (the left shift). */
  readonly cardStart: number = 0;
  /** Card field: `32 - cardLen` (the right shift). */
  readonly cardShift: number = 0;
  /** Card field length. */
  readonly cardLen: number = 0;
  /** Facility field: frame bits before it (0 and {@link facLen} 0 when none). */
  readonly facStart: number = 0;
  /** Facility field: `32 - facLen`. */
  readonly facShift: number = 0;
  /** Facility field length, 0 when the format has none. */
  readonly facLen: number = 0;
  /** Id bits (facility + card). */
  readonly idBits: number = 0;
  /** Id bytes, `ceil(idBits / 8)`. */
  readonly idBytes: number = 0;

  // Every field has an initialiser of its kind (0, ""), so that V8 keeps it a small-integer
  // field from the start: a field first defined as undefined becomes a tagged one, and each
  // load of it in the hot path then checks and untags.

  /** Takes `f`'s fields and word-0 masks; call only when {@link fitsShort}(f). */
  constructor(f: CompiledFormat) {
    const m = f.masks;
    this.name = f.name;
    this.m0 = f.ruleCount > 0 ? m[0]! | 0 : 0;
    this.m1 = f.ruleCount > 1 ? m[4]! | 0 : 0;
    this.m2 = f.ruleCount > 2 ? m[8]! | 0 : 0;
    let expect = 0;
    for (let r = 0; r < f.ruleCount; r++) expect |= f.expect[r]! << (8 * r);
    this.expect = expect;
    this.cardStart = f.cardStart;
    this.cardLen = f.cardLen;
    this.cardShift = 32 - f.cardLen;
    this.facStart = f.facLen > 0 ? f.facStart : 0;
    this.facLen = f.facLen;
    this.facShift = 32 - f.facLen;
    this.idBits = f.facLen + f.cardLen;
    this.idBytes = (this.idBits + 7) >>> 3;
  }
}

/** True when `f` can take the {@link ShortFormat} path. */
export function fitsShort(f: CompiledFormat): boolean {
  return f.bits <= 32 && f.ruleCount <= 3 && f.facLen + f.cardLen <= 31;
}
