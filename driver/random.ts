/**
 * The one seeded pseudo-random generator (mulberry32) of the project: device
 * simulators, the iFlow simulator, the sync engine's jitter and the tests all
 * draw from it, so a seed replays a run. Its state lives in a typed array, so
 * drawing numbers allocates nothing.
 *
 * @module
 */

/** A seeded generator: same seed, same sequence. */
export class SeededRandom {
  readonly #s = new Uint32Array(1);
  /** The seed it started from (print it when a test fails). */
  readonly seed: number;

  /** Creates a generator from a 32-bit seed. */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#s[0] = this.seed;
  }

  #step(): number {
    const s = (this.#s[0] = (this.#s[0]! + 0x6d2b79f5) | 0) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return t ^ (t >>> 14);
  }

  /** Next value in [0, 2^32). */
  nextU32(): number {
    return this.#step() >>> 0;
  }

  /** Next value in [0, 2^31) (a small integer: no heap number). */
  next31(): number {
    return this.#step() & 0x7fffffff;
  }

  /** Next value in [0, 1). */
  next(): number {
    return (this.#step() >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability `p` (resolution 2^-31). */
  chance(p: number): boolean {
    return p > 0 && this.next31() < p * 2147483648;
  }

  /** Fills `buf` with random bytes and returns it. */
  bytes(buf: Uint8Array): Uint8Array {
    for (let i = 0; i < buf.length; i++) buf[i] = this.#step() & 0xff;
    return buf;
  }
}

/** A seeded source of values in [0, 1), as a function (for options that take `() => number`). */
export function seededRandom(seed: number): () => number {
  const r = new SeededRandom(seed);
  return () => r.next();
}
