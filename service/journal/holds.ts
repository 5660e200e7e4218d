/**
 * Scans held for their passage (`sendUnpassed: false`) while the journal is
 * open: when each was held, so a hold the gate never resolves (a failed
 * write, a bug) is released after a limit instead of stopping the sync for
 * good. After a restart nothing is held: a held scan found at open is pending.
 *
 * @module
 */

import type { ScanIndex, ScanSegment } from "./index.ts";
import { type OutcomeEntry, OutcomeOp, RecState } from "./outcome_codec.ts";
import type { Logger } from "../log.ts";

/** The held scans of one open journal. */
export class Holds {
  /** Holds released because they outlived the limit. */
  expired = 0;
  readonly #since = new Map<number, number>();
  readonly #limitMs: number;
  readonly #log: Logger;

  /** Holds that last at most `limitMs`; expiries are logged to `log`. */
  constructor(limitMs: number, log: Logger) {
    this.#limitMs = limitMs;
    this.#log = log;
  }

  /** `seq` is held from `nowMs`. */
  add(seq: number, nowMs: number): void {
    this.#since.set(seq, nowMs);
  }

  /** `seq` is no longer held (resolved as not passed). */
  forget(seq: number): void {
    this.#since.delete(seq);
  }

  /**
   * Splits resolutions of held scans: `send` ones are made pending now (counted
   * in `sent`), the others come back as the entries that make them `not-passed`
   * once written. Seqs not held are skipped.
   */
  resolve(
    index: ScanIndex,
    list: { seq: number; send: boolean }[],
  ): { sent: number; drop: OutcomeEntry[] } {
    const drop: OutcomeEntry[] = [];
    let sent = 0;
    for (const { seq, send } of list) {
      if (index.stateOf(seq) !== RecState.HELD) continue;
      if (!send) drop.push({ op: OutcomeOp.NOT_PASSED, seq });
      else if (this.release(index, seq)) sent++;
    }
    return { sent, drop };
  }

  /** Makes held `seq` pending; false if it was not held. */
  release(index: ScanIndex, seq: number): boolean {
    const seg = index.find(seq);
    if (!seg || seg.states[seq - seg.firstSeq] !== RecState.HELD) return false;
    seg.setState(seq - seg.firstSeq, RecState.PENDING);
    this.#since.delete(seq);
    return true;
  }

  /**
   * The held slot `i` of `seg` stops a pending read unless it has been held
   * longer than the limit: then it is made pending (true), logged and counted.
   */
  expire(seg: ScanSegment, i: number, nowMs: number): boolean {
    const seq = seg.firstSeq + i;
    const since = this.#since.get(seq) ?? nowMs;
    if (!this.#since.has(seq)) this.#since.set(seq, nowMs);
    if (nowMs - since < this.#limitMs) return false;
    seg.setState(i, RecState.PENDING);
    this.#since.delete(seq);
    this.expired++;
    this.#log("warn", `journal: scan ${seq} held for its passage over ${this.#limitMs} ms: sent`);
    return true;
  }
}
