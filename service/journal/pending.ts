/**
 * Reading pending records from the index: the batch for the sync engine and
 * the read time of the oldest one (for `stats().oldestPendingAtMs`).
 *
 * @module
 */

import { toJournalError } from "./errors.ts";
import type { JournalFs } from "./fs.ts";
import { NO_OFFSET, type ScanIndex, type ScanSegment } from "./index.ts";
import { RecState } from "./outcome_codec.ts";

const HELD = RecState.HELD;
import { RecordReader } from "./reader.ts";
import { ScanDecoder, scanEpochMs } from "./scan_codec.ts";
import type { ScanRecord } from "./types.ts";

/**
 * Reads pending records for the sync engine. It stays open on one segment
 * between calls, with a 64 KiB window (about 800 records) and one decoder, so
 * a drain reads the disk once per window and allocates only the records it
 * returns, instead of opening the segment and a fresh window every batch.
 */
export class PendingReader {
  #index: ScanIndex;
  #reader: RecordReader;
  #decoder = new ScanDecoder();
  #queue: Promise<unknown> = Promise.resolve();

  /** A reader over the segments of `index` in `dir`. */
  constructor(fs: JournalFs, dir: string, index: ScanIndex) {
    this.#index = index;
    this.#reader = new RecordReader(fs, dir, 64 * 1024);
  }

  /** Runs `fn` after every call before it: the window and the file position are shared. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Points the reader at `seg` (false if its file is gone). */
  async #use(seg: ScanSegment): Promise<boolean> {
    if (this.#reader.name === seg.name) return true;
    try {
      await this.#reader.open(seg.name);
      return true;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw toJournalError(err, `reading ${seg.name}`);
    }
  }

  /**
   * Up to `limit` pending records with a seq above `afterSeq`, oldest first. A
   * record that no longer reads back intact is reported through `lost` (and
   * skipped).
   */
  read(
    limit: number,
    afterSeq: number,
    lost: (seg: ScanSegment, slot: number, what: string) => void,
    held: (seg: ScanSegment, slot: number) => boolean = () => false,
  ): Promise<ScanRecord[]> {
    return this.#exclusive(() => this.#read(limit, afterSeq, lost, held));
  }

  async #read(
    limit: number,
    afterSeq: number,
    lost: (seg: ScanSegment, slot: number, what: string) => void,
    held: (seg: ScanSegment, slot: number) => boolean,
  ): Promise<ScanRecord[]> {
    const out: ScanRecord[] = [];
    if (limit <= 0) return out;
    for (const seg of this.#index.segments.slice()) {
      if (seg.pending + seg.held === 0 || seg.firstSeq + seg.slots - 1 <= afterSeq) continue;
      if (!(await this.#use(seg))) continue;
      const reader = this.#reader;
      const n = seg.slots;
      // Skip the delivered head of the segment once, not on every call.
      let first = seg.firstPending;
      while (first < n && seg.states[first] !== RecState.PENDING && seg.states[first] !== HELD) {
        first++;
      }
      seg.firstPending = first;
      for (let i = Math.max(first, afterSeq - seg.firstSeq + 1); i < n && out.length < limit; i++) {
        // A held scan keeps the later ones back (iFlow order) until released.
        if (seg.states[i] === HELD && !held(seg, i)) return out;
        if (seg.states[i] !== RecState.PENDING) continue;
        const seq = seg.firstSeq + i;
        const off = seg.offsets[i]!;
        // From the window without a promise when it holds the frame (most records).
        let ok = reader.tryRead(off, seq);
        if (ok < 0) ok = (await reader.read(off, seq, seg.size)) ? 1 : 0;
        const rec = ok === 1
          ? this.#decoder.decode(reader.buf, reader.start, reader.end, seq)
          : null;
        if (rec) out.push(rec);
        else lost(seg, i, `record ${seq} in ${seg.name} is unreadable (damaged after open)`);
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The oldest pending record's seq and read time (reads it only when it changed), or null. */
  oldest(
    prev: { seq: number; epochMs: number } | null,
  ): Promise<{ seq: number; epochMs: number } | null> {
    return this.#exclusive(() => this.#oldest(prev));
  }

  async #oldest(
    prev: { seq: number; epochMs: number } | null,
  ): Promise<{ seq: number; epochMs: number } | null> {
    for (const seg of this.#index.segments) {
      if (seg.pending === 0) continue;
      const i = seg.states.indexOf(RecState.PENDING, seg.firstPending);
      if (i < 0 || i >= seg.slots) continue;
      const seq = seg.firstSeq + i;
      if (prev?.seq === seq) return prev;
      try {
        if ((await this.#use(seg)) && await this.#reader.read(seg.offsets[i]!, seq, seg.size)) {
          const r = this.#reader;
          const dv = new DataView(r.buf.buffer, r.buf.byteOffset);
          return { seq, epochMs: scanEpochMs(dv, r.start, r.end) };
        }
      } catch {
        // unreadable now: keep the previous value
      }
      return prev;
    }
    return null;
  }

  /** Closes its file if that segment has left the index (retired), or always with `all`. */
  release(all = false): Promise<void> {
    return this.#exclusive(() => {
      const name = this.#reader.name;
      if (all || (name && !this.#index.segments.some((s) => s.name === name))) {
        this.#reader.close();
      }
      return Promise.resolve();
    });
  }
}

/**
 * Read time of the newest record still on disk (for noticing a clock that
 * went backwards across a restart), or null when there is none.
 */
export async function newestEpochMs(
  fs: JournalFs,
  dir: string,
  index: ScanIndex,
): Promise<number | null> {
  for (let k = index.segments.length - 1; k >= 0; k--) {
    const seg = index.segments[k]!;
    for (let i = seg.slots - 1; i >= 0; i--) {
      const off = seg.offsets[i]!;
      if (off === NO_OFFSET || seg.states[i] === RecState.EVENT) continue; // scans only
      const reader = new RecordReader(fs, dir, 4096);
      try {
        await reader.open(seg.name);
        if (await reader.read(off, seg.firstSeq + i)) {
          const dv = new DataView(reader.buf.buffer, reader.buf.byteOffset);
          return scanEpochMs(dv, reader.start, reader.end);
        }
      } catch {
        // unreadable: try the one before
      } finally {
        reader.close();
      }
    }
  }
  return null;
}
