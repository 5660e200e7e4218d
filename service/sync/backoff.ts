/**
 * Capped exponential backoff with full jitter, and a seeded random source for
 * tests.
 *
 * @module
 */

/** Longest `Retry-After` honoured, ms (a bigger value is clamped to this). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Full-jitter delay for failure number `attempt` (0-based): uniformly random in
 * `[0, min(capMs, baseMs * 2^attempt))`, so it stays random once capped.
 */
export function fullJitter(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 40));
  return Math.floor(random() * ceiling);
}

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** Delay ceiling after the first failure, ms. */
  baseMs: number;
  /** Largest delay ceiling, ms. */
  capMs: number;
  /** Random source in [0, 1) (default `Math.random`; seed it in tests). */
  random?: () => number;
}

/**
 * Tracks consecutive failures and hands out the next delay.
 *
 * @example
 * ```ts
 * import { Backoff } from "./backoff.ts";
 * const b = new Backoff({ baseMs: 1000, capMs: 300_000 });
 * const wait = b.next(); // in [0, 1000)
 * b.reset(); // after a success
 * ```
 */
export class Backoff {
  readonly #opts: BackoffOptions;
  readonly #random: () => number;
  #attempt = 0;

  /** Creates a backoff with no failures yet. */
  constructor(opts: BackoffOptions) {
    this.#opts = opts;
    this.#random = opts.random ?? Math.random;
  }

  /** Consecutive failures so far. */
  get attempt(): number {
    return this.#attempt;
  }

  /**
   * Counts a failure and returns how long to wait: the full-jitter delay, or
   * `retryAfterMs` (clamped to {@link MAX_RETRY_AFTER_MS}) when that is longer.
   */
  next(retryAfterMs?: number): number {
    const d = fullJitter(this.#attempt++, this.#opts.baseMs, this.#opts.capMs, this.#random);
    if (retryAfterMs === undefined || !(retryAfterMs > d)) return d;
    return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  }

  /** Forgets the failures (after a success). */
  reset(): void {
    this.#attempt = 0;
  }
}

/** A seeded random source in [0, 1), for deterministic jitter (the project's one generator). */
export { seededRandom } from "../../driver/random.ts";
