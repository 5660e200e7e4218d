/**
 * When the sync engine sends: every delay it sleeps between requests comes
 * from here, so the schedule can be driven on its own (a fleet of them on a
 * virtual clock in the tests) and the engine keeps only the I/O.
 *
 * - After a transient failure: the {@link Backoff} delay (full jitter below a
 *   ceiling that doubles from `backoffBaseMs` to `backoffCapMs`; a
 *   `Retry-After` is a floor with jitter on top).
 * - After the first delivered batch that ends an outage, with more pending:
 *   a random pause below `reconnectJitterMs` before draining the rest.
 * - At start with a backlog: the same pause before the first request.
 *
 * @module
 */

import { Backoff } from "./backoff.ts";

/** Options of {@link SyncSchedule}: the `iflow` config keys it reads, and the random source. */
export interface SyncScheduleOptions {
  /** Backoff ceiling after the first failure, ms. */
  backoffBaseMs: number;
  /** Largest backoff ceiling, ms. */
  backoffCapMs: number;
  /** Bound of the random pause before a backlog drain (after an outage, at start), ms. */
  reconnectJitterMs: number;
  /** Random source in [0, 1) (default `Math.random`; seed it in tests). */
  random?: () => number;
}

/**
 * The engine's sending schedule.
 *
 * @example
 * ```ts
 * import { SyncSchedule } from "@pontaj/pontaj/service";
 * const s = new SyncSchedule({ backoffBaseMs: 8000, backoffCapMs: 45_000, reconnectJitterMs: 15_000 });
 * const wait = s.failed(); // in [0, 8000)
 * s.delivered();
 * const pause = s.recovered(true); // in [0, 15000): the outage is over, a backlog remains
 * ```
 */
export class SyncSchedule {
  readonly #backoff: Backoff;
  readonly #random: () => number;
  readonly #jitterMs: number;
  #outage = false;

  /** A schedule with no failures yet. */
  constructor(opts: SyncScheduleOptions) {
    this.#random = opts.random ?? Math.random;
    this.#jitterMs = opts.reconnectJitterMs;
    this.#backoff = new Backoff({
      baseMs: opts.backoffBaseMs,
      capMs: opts.backoffCapMs,
      random: this.#random,
    });
  }

  /** Consecutive transient failures so far. */
  get attempt(): number {
    return this.#backoff.attempt;
  }

  /** True between a transient failure and the {@link recovered} call that ends it. */
  get inOutage(): boolean {
    return this.#outage;
  }

  /** Pause before the first request at start: random below `reconnectJitterMs` with a backlog, else 0. */
  atStart(pending: number): number {
    return pending > 0 ? this.#pause() : 0;
  }

  /** A transient failure (with the server's `Retry-After`, if any): how long to wait before retrying. */
  failed(retryAfterMs?: number): number {
    this.#outage = true;
    return this.#backoff.next(retryAfterMs);
  }

  /** A batch was answered: the failure count starts over. */
  delivered(): void {
    this.#backoff.reset();
  }

  /**
   * After a delivered batch in the background loop: null when no outage was
   * going on; else the outage is over and the result is the pause before
   * draining the rest (random below `reconnectJitterMs` when `more` is pending, else 0).
   */
  recovered(more: boolean): number | null {
    if (!this.#outage) return null;
    this.#outage = false;
    return more ? this.#pause() : 0;
  }

  /** Forgets the failures (the token is accepted again after an auth hold). */
  reset(): void {
    this.#backoff.reset();
  }

  #pause(): number {
    return this.#jitterMs > 0 ? Math.floor(this.#random() * this.#jitterMs) : 0;
  }
}
