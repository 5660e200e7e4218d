/**
 * Debounce: the same tag on the same reader seen again within the window is
 * dropped (and counted). The window slides: a card left on a reader that
 * keeps repeating it yields one scan, and counts again only after it was
 * away for the whole window.
 *
 * @module
 */

/** Per reader and tag, the last time it was seen. */
export class Debouncer {
  readonly #windowMs: number;
  readonly #lastSeen = new Map<string, number>();
  #lastSweep = 0;
  /** Scans dropped so far. */
  dropped = 0;

  /** Drops repeats within `windowMs` (0 disables debouncing). */
  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** True if the scan should be kept; false if it is a repeat (counted). */
  accept(reader: string, tag: string, nowMs: number): boolean {
    if (this.#windowMs <= 0) return true;
    const key = `${reader}\u0000${tag}`;
    const last = this.#lastSeen.get(key);
    this.#lastSeen.set(key, nowMs);
    this.#sweep(nowMs);
    if (last !== undefined && nowMs - last >= 0 && nowMs - last < this.#windowMs) {
      this.dropped++;
      return false;
    }
    return true;
  }

  /** Forgets entries older than the window so memory stays bounded. */
  #sweep(nowMs: number): void {
    if (nowMs - this.#lastSweep < this.#windowMs) return;
    this.#lastSweep = nowMs;
    for (const [key, t] of this.#lastSeen) {
      if (nowMs - t >= this.#windowMs) this.#lastSeen.delete(key);
    }
  }
}
