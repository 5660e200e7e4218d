/**
 * Timers driven by the test: `advance(ms)` runs every timer due, in time
 * order, so relay pulses and live waits are tested without sleeping.
 *
 * @module
 */

import type { Timers } from "../../service/gates/relay.ts";

/** A manual clock with timers. */
export class ManualTimers implements Timers {
  /** Current time (ms). */
  now = 0;
  #next = 1;
  readonly #due = new Map<number, { at: number; fn: () => void }>();

  /** Timers waiting. */
  get pending(): number {
    return this.#due.size;
  }

  /** Schedules `fn` at `now + ms`. */
  set(fn: () => void, ms: number): number {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, fn });
    return id;
  }

  /** Cancels a timer. */
  clear(id: unknown): void {
    this.#due.delete(id as number);
  }

  /** Moves the clock forward by `ms`, running the timers that fall due (earliest first). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#due) if (e[1].at <= end && (!first || e[1].at < first[1].at)) first = e;
      if (!first) break;
      this.#due.delete(first[0]);
      this.now = first[1].at;
      first[1].fn();
    }
    this.now = end;
  }
}
