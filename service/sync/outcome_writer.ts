/**
 * Writes the outcomes of answered batches to the journal in reply order, one
 * write at a time: a batch answered while a write runs waits for it, and all
 * that waited go in the next write together (one `recordOutcomes` call, one
 * fdatasync). A batch counts as durable only when its write has returned.
 *
 * The sender (`sender.ts`) bounds how many answered batches may be waiting
 * ({@link OutcomeWriter.settle}) before it sends the next request, so a slow
 * fdatasync costs the drain nothing until the bound is reached.
 *
 * When a write fails, the batches queued behind it, and those answered before
 * the sender takes the error, are not written either: they stay pending in
 * the journal and are sent again (iFlow reports them as duplicates).
 *
 * @module
 */

import type { IflowOutcome } from "../iflow/mod.ts";
import type { ScanRecord } from "../journal/mod.ts";

/** Outcomes of a batch, by seq. */
export type OutcomeList = { seq: number; outcome: IflowOutcome }[];

/** An answered batch whose outcomes are to be written. */
export interface Answered {
  /** The records read for it (those sent are the first `list.length`). */
  recs: ScanRecord[];
  /** Their outcomes. */
  list: OutcomeList;
  /** The round trip that brought the answer, ms. */
  latencyMs: number;
}

function msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Queues answered batches and writes them in order, grouped while a write runs. */
export class OutcomeWriter {
  readonly #write: (list: OutcomeList) => Promise<void>;
  readonly #onDurable: (a: Answered) => void;
  #queued: Answered[] = [];
  #inWrite = 0;
  /** The write running now (resolves when it ends, whatever the result). */
  #current: Promise<unknown> | null = null;
  #running = false;
  #error: string | null = null;

  /**
   * `write` makes a list durable (the journal's `recordOutcomes`);
   * `onDurable` is called for each batch, in order, once its write returned.
   */
  constructor(write: (list: OutcomeList) => Promise<void>, onDurable: (a: Answered) => void) {
    this.#write = write;
    this.#onDurable = onDurable;
  }

  /** Answered batches whose outcomes are not durable yet (queued or being written). */
  get waiting(): number {
    return this.#inWrite + this.#queued.length;
  }

  /** Queues `a` (dropped while a failed write's error is not taken: it stays pending). */
  add(a: Answered): void {
    if (this.#error !== null) return;
    this.#queued.push(a);
    if (!this.#running) void this.#run();
  }

  /**
   * Waits until at most `max` answered batches are not durable; returns (and
   * forgets) the error of a failed write, or null.
   */
  async settle(max: number): Promise<string | null> {
    while (this.waiting > max && this.#current) await this.#current;
    const error = this.#error;
    this.#error = null;
    return error;
  }

  /** Writes what is queued, group after group, until nothing is; never rejects. */
  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queued.length > 0) {
        const group = this.#queued;
        this.#queued = [];
        this.#inWrite = group.length;
        const list = group.length === 1 ? group[0]!.list : group.flatMap((a) => a.list);
        const writing = this.#write(list).then(() => null, msg);
        this.#current = writing;
        const error = await writing;
        this.#inWrite = 0;
        if (error !== null) {
          this.#error = error;
          this.#queued = []; // not written either: pending, sent again
          return;
        }
        for (const a of group) this.#onDurable(a);
      }
    } catch (err) {
      this.#error ??= msg(err); // a throwing onDurable (a logger): stop and report it
      this.#queued = [];
      this.#inWrite = 0;
    } finally {
      this.#running = false;
      this.#current = null;
    }
  }
}
