/**
 * Seeded generator for the simulator's noise (mulberry32), with its state in a
 * typed array so drawing numbers allocates nothing.
 *
 * @module
 */

/** A seeded pseudo-random generator. */
export class SimRandom {
  readonly #s = new Uint32Array(1);
  /** The seed it started from. */
  readonly seed: number;

  /** Creates a generator from a 32-bit seed. */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#s[0] = this.seed;
  }

  /** Next value in [0, 2^31). */
  next31(): number {
    const s = (this.#s[0] = (this.#s[0]! + 0x6d2b79f5) | 0) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) & 0x7fffffff;
  }

  /** Integer in [0, n) for n ≤ 2^31. */
  int(n: number): number {
    return this.next31() % n;
  }

  /** True with probability `p` (resolution 2^-31). */
  chance(p: number): boolean {
    return p > 0 && this.next31() < p * 2147483648;
  }
}
