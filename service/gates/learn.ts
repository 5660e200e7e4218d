/**
 * Teaching the learned table from iFlow's answers. The sync engine talks to
 * a {@link SyncJournal}; {@link TeachingJournal} stands between it and the
 * journal: it remembers the tag of each pending record it hands out, and once
 * a batch's outcomes are durable it teaches the table (accepted or duplicate
 * → known; "no employee for this card" or "outside the employment period" →
 * refused; anything else teaches nothing). Live answers teach through
 * {@link teachLive}.
 *
 * @module
 */

import type { Outcome, ScanRecord } from "../journal/types.ts";
import type { LiveFeedback, SyncJournal } from "../sync/types.ts";
import type { LearnedState } from "./decide.ts";
import { isRefusal } from "./learned.ts";
import type { LearnedStore } from "./learned_store.ts";

/** Most seq → tag pairs remembered between handing out a record and its outcome. */
const MAX_REMEMBERED = 10_000;

/** What an outcome teaches of its card, or null. */
export function learnedFromOutcome(o: Outcome): LearnedState | null {
  if (o.kind === "accepted" || o.kind === "duplicate") return "known";
  return isRefusal(o.message) ? "refused" : null;
}

/** What a live answer teaches of its card, or null. */
export function learnedFromLive(f: LiveFeedback): LearnedState | null {
  if (f.stored) return "known";
  return f.certain && f.reason !== undefined && isRefusal(f.reason) ? "refused" : null;
}

/** Teaches `store` from a live answer. */
export function teachLive(store: LearnedStore, f: LiveFeedback): void {
  const state = learnedFromLive(f);
  if (state === null) return;
  store.table.teach(f.rfidTag, state, f.atMs);
  store.changed();
}

/** A {@link SyncJournal} that teaches the learned table from every durable outcome. */
export class TeachingJournal implements SyncJournal {
  readonly #inner: SyncJournal;
  readonly #store: LearnedStore;
  readonly #now: () => number;
  readonly #tags = new Map<number, string>();

  /** Wraps `inner`; outcomes teach `store` at `now()`. */
  constructor(inner: SyncJournal, store: LearnedStore, now: () => number = Date.now) {
    this.#inner = inner;
    this.#store = store;
    this.#now = now;
  }

  /** The journal's pending records (their tags are remembered until their outcome). */
  async pending(limit: number, afterSeq?: number): Promise<ScanRecord[]> {
    const recs = await this.#inner.pending(limit, afterSeq);
    for (const r of recs) {
      if (this.#tags.size >= MAX_REMEMBERED) {
        this.#tags.delete(this.#tags.keys().next().value!);
      }
      this.#tags.set(r.seq, r.rfidTag);
    }
    return recs;
  }

  /** Records outcomes; once durable, teaches the table. */
  async recordOutcomes(list: { seq: number; outcome: Outcome }[]): Promise<void> {
    await this.#inner.recordOutcomes(list);
    const now = this.#now();
    let taught = 0;
    for (const { seq, outcome } of list) {
      const tag = this.#tags.get(seq);
      this.#tags.delete(seq);
      const state = learnedFromOutcome(outcome);
      if (tag === undefined || state === null) continue;
      this.#store.table.teach(tag, state, now);
      taught++;
    }
    if (taught > 0) this.#store.changed();
  }

  /** The journal's backlog figures. */
  stats(): { pending: number; oldestPendingAtMs: number | null } {
    return this.#inner.stats();
  }
}
