/**
 * Seeds for tests, fuzzers and simulators, drawn with the project's one
 * generator (`driver/random.ts`). Every test that uses randomness takes its seed from
 * `PONTAJ_SEED` when set, prints it on failure, and so can be replayed.
 *
 * @module
 */

/** The project's seeded generator, under the name the tests use. */
export { SeededRandom as Prng } from "../../driver/random.ts";
import { SeededRandom as Prng } from "../../driver/random.ts";

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
