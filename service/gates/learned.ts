/**
 * The learned table: what iFlow's answers taught about each card. A tag is
 * `known` once iFlow stored a scan of it (or reported it a duplicate) and
 * `refused` once iFlow said no employee has that card or the employee is
 * outside the employment period. Each entry keeps when it was learned (its
 * state last changed) and when the card was last seen.
 *
 * Bounded: past `maxEntries` the card seen longest ago is forgotten (the Map
 * is kept in last-seen order, so that is its first key). Lookups are a map
 * read; the file it lives in is `learned_store.ts`.
 *
 * @module
 */

import type { LearnedState } from "./decide.ts";

/** Default bound of the learned table. */
export const LEARNED_MAX_ENTRIES = 50_000;

/** One learned card. */
export interface LearnedCard {
  /** The tag as journaled. */
  rfidTag: string;
  /** What iFlow said. */
  state: LearnedState;
  /** Epoch ms the state was learned (last changed). */
  learnedAt: number;
  /** Epoch ms the card was last read or answered for. */
  lastSeen: number;
}

/** The refusals that teach `refused` (iFlow's texts, compared without diacritics). */
const REFUSALS = [
  /niciun angajat nu este asociat/i, // "Niciun angajat nu este asociat acestei cartele de tip RFID: …"
  /in afara perioadei de angajare/i, // "Angajatul nu se poate ponta în afara perioadei de angajare."
];

/** True when iFlow's message says the card belongs to no (current) employee. */
export function isRefusal(message: string): boolean {
  const plain = message.slice(0, 400).normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  return REFUSALS.some((re) => re.test(plain));
}

/** Cards and what iFlow said of them, bounded, in last-seen order. */
export class LearnedTable {
  readonly #max: number;
  readonly #cards = new Map<string, LearnedCard>();
  /** Entries forgotten because the table was full. */
  evicted = 0;
  /** Changes since the table was last taken for saving. */
  changes = 0;

  /** A table of at most `maxEntries` cards. */
  constructor(maxEntries = LEARNED_MAX_ENTRIES) {
    this.#max = Math.max(1, maxEntries);
  }

  /** Cards in the table. */
  get size(): number {
    return this.#cards.size;
  }

  /** What was learned of `tag`, or null. */
  get(tag: string): LearnedState | null {
    return this.#cards.get(tag)?.state ?? null;
  }

  /** The whole entry of `tag`, if any. */
  entry(tag: string): Readonly<LearnedCard> | undefined {
    return this.#cards.get(tag);
  }

  /** Records what iFlow said of `tag` at `now` (epoch ms). */
  teach(tag: string, state: LearnedState, now: number): void {
    const old = this.#cards.get(tag);
    const learnedAt = old && old.state === state ? old.learnedAt : now;
    this.#put({ rfidTag: tag, state, learnedAt, lastSeen: Math.max(now, old?.lastSeen ?? 0) });
  }

  /** Notes that `tag` was read at `now` (only for cards already in the table). */
  seen(tag: string, now: number): void {
    const old = this.#cards.get(tag);
    if (old && now > old.lastSeen) this.#put({ ...old, lastSeen: now });
  }

  /** Puts a loaded entry back (file order is last-seen order). */
  restore(card: LearnedCard): void {
    this.#put(card);
  }

  #put(card: LearnedCard): void {
    this.#cards.delete(card.rfidTag);
    this.#cards.set(card.rfidTag, card);
    this.changes++;
    while (this.#cards.size > this.#max) {
      const first = this.#cards.keys().next().value!;
      this.#cards.delete(first);
      this.evicted++;
    }
  }

  /** Every entry, seen longest ago first. */
  cards(): LearnedCard[] {
    return [...this.#cards.values()];
  }

  /** Counts by state. */
  counts(): { known: number; refused: number } {
    let known = 0;
    for (const c of this.#cards.values()) if (c.state === "known") known++;
    return { known, refused: this.#cards.size - known };
  }
}
