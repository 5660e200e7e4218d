/**
 * When a reader's link may use the line next: the poll interval, BUSY
 * retries, the slow schedule of a reader that stopped answering (so a silent
 * reader costs its neighbours on a shared line at most
 * `replyTimeoutMs / silentPollMs` of their polls) and the reconnect backoff.
 *
 * @module
 */

import type { LinkTiming } from "./timing.ts";

/** Timing state of one link; see the module documentation. */
export class LinkSchedule {
  /** Earliest time the next transaction may start (ms). */
  dueAt: number;
  /** Time of the last valid reply (ms). */
  lastReplyAt: number;
  readonly #timing: LinkTiming;
  readonly #shared: boolean;
  #misses = 0;
  #backoff: number;

  /** A schedule starting at `now`; `shared` when other readers use the same line. */
  constructor(timing: LinkTiming, shared: boolean, now: number) {
    this.#timing = timing;
    this.#shared = shared;
    this.dueAt = now;
    this.lastReplyAt = now;
    this.#backoff = timing.reconnectMinMs;
  }

  /** False after `silentAfterTimeouts` timeouts in a row, until the next reply. */
  get answering(): boolean {
    return this.#misses < this.#timing.silentAfterTimeouts;
  }

  /** Timeouts in a row. */
  get misses(): number {
    return this.#misses;
  }

  /** Current reconnect delay. */
  get backoffMs(): number {
    return this.#backoff;
  }

  /** Counts a timeout; true when the reader has now been silent for `offlineAfterMs`. */
  timedOut(now: number): boolean {
    this.#misses++;
    return now - this.lastReplyAt >= this.#timing.offlineAfterMs;
  }

  /** The same command again: at once, or on the slow schedule when not answering on a shared line. */
  resend(now: number): void {
    this.dueAt = this.answering || !this.#shared ? now : now + this.#timing.silentPollMs;
  }

  /** A valid reply at `now`; returns true when the reader had stopped answering. */
  replied(now: number): boolean {
    const was = !this.answering;
    this.lastReplyAt = now;
    this.#misses = 0;
    return was;
  }

  /** BUSY: the same command after `busyRetryMs`. */
  busy(now: number): void {
    this.dueAt = now + this.#timing.busyRetryMs;
  }

  /** A command done: next poll one interval after `sentAt` when `idle`, else at once. */
  next(now: number, sentAt: number, idle: boolean): void {
    this.dueAt = idle ? Math.max(now, sentAt + this.#timing.pollIntervalMs) : now;
  }

  /** A restart: first contact after one poll interval. */
  restart(now: number): void {
    this.dueAt = now + this.#timing.pollIntervalMs;
  }

  /** Online: the reconnect backoff starts over. */
  connected(): void {
    this.#backoff = this.#timing.reconnectMinMs;
  }

  /** Offline or refused: the next probe after the backoff (never sooner than `silentPollMs` on a shared line). */
  retryLater(now: number, fresh: boolean): void {
    if (fresh) this.#backoff = this.#timing.reconnectMinMs;
    const floor = this.#shared ? this.#timing.silentPollMs : 0;
    this.dueAt = now + Math.max(this.#backoff, floor);
    this.#backoff = Math.min(this.#backoff * 2, this.#timing.reconnectMaxMs);
  }
}
