/**
 * Journaling gate decisions beside their scans. A decision is taken before
 * its scan is durable (the relay does not wait for the disk), so the seq and
 * the decision arrive in either order; once both are known the annotation is
 * queued and written to the journal's outcome log in batches. A passage
 * outcome that comes later is written again with `passed` set (the newer
 * annotation replaces the older). A scan held for its passage
 * (`sendUnpassed: false`) is released once its seq and passage are both
 * known: sent if the person passed, else final `not-passed`.
 *
 * @module
 */

import type { GateNote } from "../journal/types.ts";
import type { Logger } from "../log.ts";
import type { ScanRef } from "./gate.ts";

/** Scans awaiting their seq or their decision, at most. */
const MAX_UNPAIRED = 10_000;

/** Writes annotations durably (the journal's `annotateGates`). */
export type AnnotationSink = (notes: { seq: number; note: GateNote }[]) => Promise<void>;

/** Releases held scans (the journal's `releaseHeld`): `send` false makes one `not-passed`. */
export type ReleaseSink = (list: { seq: number; send: boolean }[]) => Promise<unknown>;

/** Pairs decisions with seqs and writes them. */
export class GateAnnotations {
  /** Annotations written, and the ones that could not be. */
  readonly counters = { written: 0, failed: 0, released: 0, releaseFailed: 0 };
  readonly #sink: AnnotationSink | undefined;
  readonly #release: ReleaseSink | undefined;
  #releases: { seq: number; send: boolean }[] = [];
  readonly #log: Logger;
  readonly #unpaired = new Map<ScanRef, { seq?: number; note?: GateNote }>();
  readonly #written = new WeakMap<ScanRef, { seq: number; note: GateNote }>();
  #queue: { seq: number; note: GateNote }[] = [];
  #flushing: Promise<void> | null = null;
  #stopped = false;

  /**
   * Writes through `sink` (none: pairs and drops, for tests) and releases held
   * scans through `release`; failures go to `log`.
   */
  constructor(sink: AnnotationSink | undefined, log: Logger, release?: ReleaseSink) {
    this.#sink = sink;
    this.#log = log;
    this.#release = release;
  }

  /** A gate decided `scan`. */
  decided(scan: ScanRef, note: GateNote): void {
    this.#pair(scan, undefined, note);
  }

  /** `scan` is journaled as `seq`. */
  journaled(scan: ScanRef, seq: number): void {
    if (!this.#stopped) this.#pair(scan, seq, undefined);
  }

  /** `scan` could not be journaled. */
  lost(scan: ScanRef): void {
    this.#unpaired.delete(scan);
  }

  /** The passage sensor's outcome for a granted `scan`. */
  passage(scan: ScanRef, passed: boolean): void {
    const w = this.#written.get(scan);
    if (w) {
      w.note = { ...w.note, passed };
      this.#enqueue(w.seq, w.note, scan);
      return;
    }
    const u = this.#unpaired.get(scan);
    if (u?.note) u.note = { ...u.note, passed };
  }

  #pair(scan: ScanRef, seq: number | undefined, note: GateNote | undefined): void {
    const u = this.#unpaired.get(scan) ?? {};
    if (seq !== undefined) u.seq = seq;
    if (note !== undefined) u.note = note;
    if (u.seq !== undefined && u.note !== undefined) {
      this.#unpaired.delete(scan);
      this.#written.set(scan, { seq: u.seq, note: u.note });
      this.#enqueue(u.seq, u.note, scan);
      return;
    }
    this.#unpaired.set(scan, u);
    if (this.#unpaired.size > MAX_UNPAIRED) {
      this.#unpaired.delete(this.#unpaired.keys().next().value!);
    }
  }

  #enqueue(seq: number, note: GateNote, scan: ScanRef): void {
    if (this.#stopped) return;
    this.#queue.push({ seq, note });
    if (scan.hold && note.passed !== null) {
      scan.hold = false; // released once
      this.#releases.push({ seq, send: note.passed });
    }
    this.#flushing ??= Promise.resolve().then(() => this.#flush());
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.#sink?.(batch);
        this.counters.written += batch.length;
      } catch (err) {
        this.counters.failed += batch.length;
        this.#log("error", "gate decisions could not be journaled", {
          count: batch.length,
          error: (err as Error).message,
        });
      }
      await this.#releaseHeld();
    }
    this.#flushing = null;
  }

  /** Releases the held scans whose passage is known (after their annotation is written). */
  async #releaseHeld(): Promise<void> {
    const list = this.#releases;
    if (list.length === 0) return;
    this.#releases = [];
    try {
      await this.#release?.(list);
      this.counters.released += list.length;
    } catch (err) {
      // Still held: the journal sends them after its hold limit, or at the next start.
      this.counters.releaseFailed += list.length;
      this.#log("error", "held scans could not be released", {
        count: list.length,
        error: (err as Error).message,
      });
    }
  }

  /** Waits until every queued annotation is written (or failed). */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /** Writes what is queued, then takes no more. */
  async stop(): Promise<void> {
    await this.drain();
    this.#stopped = true;
  }
}
