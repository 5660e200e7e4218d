/**
 * Capped exponential backoff with full jitter, `Retry-After` as a floor with
 * jitter on top, and a seeded random source for tests.
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

/**
 * The wait for a `Retry-After` of `retryAfterMs`: never earlier than it
 * (clamped to {@link MAX_RETRY_AFTER_MS}), plus a uniform jitter in
 * `[0, min(retryAfterMs, capMs))` on top, so agents answered together come
 * back spread over the following interval instead of all at once.
 *
 * @example
 * ```ts
 * import { retryAfterJitter } from "@pontaj/pontaj/service";
 * retryAfterJitter(10_000, 45_000, () => 0.5); // 15000: in [10000, 20000)
 * ```
 */
export function retryAfterJitter(
  retryAfterMs: number,
  capMs: number,
  random: () => number,
): number {
  const floor = Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return floor + Math.floor(random() * Math.min(floor, capMs));
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
 * const later = b.next(10_000); // in [10000, 20000): Retry-After 10 s plus jitter
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
   * Counts a failure and returns how long to wait: the full-jitter delay; with
   * a positive `retryAfterMs`, the longer of that and {@link retryAfterJitter}
   * (Retry-After as a floor, jitter on top), so never earlier than the server
   * asked and never all at the same instant.
   */
  next(retryAfterMs?: number): number {
    const { baseMs, capMs } = this.#opts;
    const d = fullJitter(this.#attempt++, baseMs, capMs, this.#random);
    if (retryAfterMs === undefined || !(retryAfterMs > 0)) return d;
    return Math.max(d, retryAfterJitter(retryAfterMs, capMs, this.#random));
  }

  /** Forgets the failures (after a success). */
  reset(): void {
    this.#attempt = 0;
  }
}

/** A seeded random source in [0, 1), for deterministic jitter (the project's one generator). */
export { seededRandom } from "../../driver/random.ts";
