/**
 * A small seeded pseudo-random generator (mulberry32) for tests, fuzzers and
 * simulators. Every test that uses randomness takes its seed from
 * `PONTAJ_SEED` when set, prints it on failure, and so can be replayed.
 *
 * @module
 */

/** A seeded PRNG: same seed, same sequence. */
export class Prng {
  #state: number;
  /** The seed this generator started from (print it when a test fails). */
  readonly seed: number;

  /** Creates a generator from a 32-bit seed. */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** Next value in [0, 2^32). */
  nextU32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Next value in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fills `buf` with random bytes and returns it. */
  bytes(buf: Uint8Array): Uint8Array {
    for (let i = 0; i < buf.length; i++) buf[i] = this.nextU32() & 0xff;
    return buf;
  }
}

/** The seed for a test: `PONTAJ_SEED` if set, else `fallback`. */
export function testSeed(fallback: number): number {
  const env = Deno.env.get("PONTAJ_SEED");
  return env ? Number(env) >>> 0 : fallback >>> 0;
}

/**
 * Runs `fn` with a seeded PRNG; on failure rethrows with the seed in the message
 * so the run can be replayed with `PONTAJ_SEED=<seed>`.
 */
export async function withSeed(
  fallback: number,
  fn: (rng: Prng) => void | Promise<void>,
): Promise<void> {
  const rng = new Prng(testSeed(fallback));
  try {
    await fn(rng);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`[seed ${rng.seed}: replay with PONTAJ_SEED=${rng.seed}] ${msg}`, {
      cause: err,
    });
  }
}
