/**
 * Group-commit appender for one log (scan log or outcome log).
 *
 * Payloads are encoded straight into a staging buffer as frames (length and
 * payload; seq and CRC still blank) while a write is in flight. The next flush
 * swaps the staging buffer for its spare, stamps each frame's seq and CRC in
 * place, writes them with one `write` and makes them durable with one
 * `fdatasync`, then resolves every waiter. A waiter is resolved only after its
 * bytes are synced. Nothing is allocated per append but its promise: on a fast
 * disk the journal's own CPU is what separates it from a raw write+fdatasync.
 *
 * On a failed write or sync the file is truncated back to the last synced size
 * (and synced again) so no unacknowledged bytes linger to come back after a
 * crash; if even that fails the tail is marked dirty and repaired before the
 * next write. The seqs of a failed batch are reused.
 *
 * A new segment is written under `<name>.tmp` (header plus any initial frames),
 * fsynced, renamed to its final name, and the directory fsynced, before any
 * acknowledged frame goes into it.
 *
 * @module
 */

import { JournalError, toJournalError } from "./errors.ts";
import {
  FRAME_HEADER,
  frameSize,
  MAX_PAYLOAD,
  putFrame,
  SEGMENT_HEADER,
  segmentHeader,
  segmentName,
  stampFrame,
} from "./frame.ts";
import { type JournalFile, type JournalFs, writeAll } from "./fs.ts";

/** Hooks a log owner supplies. */
export interface LogHooks {
  /** True when `size + add` bytes would overflow the active segment. */
  shouldRoll(size: number, add: number): boolean;
  /**
   * Frames are durable: the run of frames at `buf[from, to)` (a staging buffer
   * that is reused: copy what you keep), carrying seqs `firstSeq`, `firstSeq + 1`...
   * in order; a frame at `buf[p]` sits at file offset `p + base`. One call per
   * written run (not per frame), before any of their waiters resolves.
   */
  onCommit(
    firstSeq: number,
    base: number,
    buf: Uint8Array,
    dv: DataView,
    from: number,
    to: number,
  ): void;
  /** Payloads to put first into a new segment (e.g. a snapshot), or none. */
  initialPayloads?(): Uint8Array[];
  /** A new segment is durable and active. */
  onNewSegment?(name: string, firstSeq: number, size: number): Promise<void> | void;
  /** A write failed (already turned into a JournalError) or succeeded again (null). */
  onHealth?(err: Error | null): void;
}

/** Writes a payload into `buf` at `at` (room for the size promised); returns the end offset. */
export type PayloadWriter<T> = (buf: Uint8Array, dv: DataView, at: number, value: T) => number;

const putBytes: PayloadWriter<Uint8Array> = (buf, _dv, at, p) => {
  buf.set(p, at);
  return at + p.length;
};

/** Frames waiting for a flush: bytes plus one waiter slot per frame. */
class Stage {
  buf: Uint8Array;
  dv: DataView;
  /** Bytes used. */
  len = 0;
  /** Frames staged. */
  frames = 0;
  /** Waiter of frame k at [k] (null for a frame nobody waits for); kept at their length across batches. */
  resolves: (((seq: number) => void) | null)[] = [];
  rejects: (((err: Error) => void) | null)[] = [];

  /** Adds a frame's waiter (its promise's resolving functions, or nulls). */
  wait(resolve: ((seq: number) => void) | null, reject: ((err: Error) => void) | null): void {
    const k = this.frames++;
    this.resolves[k] = resolve;
    this.rejects[k] = reject;
  }

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes, keeping what is staged. */
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.len + n, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  /** Empties it (and gives back memory a burst grew it to). */
  reset(): void {
    this.len = 0;
    // The waiter arrays keep their length (no regrowing them every batch) but let go
    // of the functions, unless a burst made them long.
    if (this.resolves.length > WAITERS_KEEP) {
      this.resolves.length = 0;
      this.rejects.length = 0;
    } else {
      for (let k = 0; k < this.frames; k++) {
        this.resolves[k] = null;
        this.rejects[k] = null;
      }
    }
    this.frames = 0;
    if (this.buf.length > STAGE_KEEP) {
      this.buf = new Uint8Array(STAGE_KEEP);
      this.dv = new DataView(this.buf.buffer);
    }
  }
}

const STAGE_KEEP = 64 * 1024;
const WAITERS_KEEP = 1024;

/** Appender for one log directory/prefix. */
export class LogWriter {
  /** Seq the next frame gets. */
  nextSeq = 1;
  /** Committed bytes of the active segment. */
  size = 0;
  /** Active segment file name ("" before the first). */
  activeName = "";
  #fs: JournalFs;
  #dir: string;
  #prefix: string;
  #kind: number;
  #hooks: LogHooks;
  #file: JournalFile | null = null;
  #stage = new Stage(STAGE_KEEP);
  #spare = new Stage(STAGE_KEEP);
  #flushing: Promise<void> | null = null;
  #tailDirty = false;
  #closed = false;

  /** A writer for `<dir>/<prefix>-*.log` segments of log `kind`. */
  constructor(fs: JournalFs, dir: string, prefix: string, kind: number, hooks: LogHooks) {
    this.#fs = fs;
    this.#dir = dir;
    this.#prefix = prefix;
    this.#kind = kind;
    this.#hooks = hooks;
  }

  /** Continues an existing segment of committed `size` bytes. */
  async openActive(name: string, size: number, nextSeq: number): Promise<void> {
    this.activeName = name;
    this.size = size;
    this.nextSeq = nextSeq;
    this.#file = await this.#fs.open(`${this.#dir}/${name}`, { write: true, append: true });
  }

  /** Starts a new segment now (also used for the first one). */
  async roll(): Promise<void> {
    const first = this.nextSeq;
    const name = segmentName(this.#prefix, first);
    const init = this.#hooks.initialPayloads?.() ?? [];
    let total = SEGMENT_HEADER;
    for (const p of init) total += frameSize(p.length);
    const buf = new Uint8Array(total);
    const dv = new DataView(buf.buffer);
    buf.set(segmentHeader(this.#kind), 0);
    let off = SEGMENT_HEADER;
    let seq = first;
    for (const p of init) off = putFrame(buf, dv, off, seq++, p);
    const tmp = `${this.#dir}/${name}.tmp`;
    const f = await this.#fs.open(tmp, { write: true, create: true, truncate: true });
    try {
      await writeAll(f, buf);
      await f.sync();
    } catch (err) {
      f.close();
      await this.#fs.remove(tmp).catch(() => {});
      throw err;
    }
    f.close();
    await this.#fs.rename(tmp, `${this.#dir}/${name}`);
    await this.#fs.syncDir(this.#dir);
    const next = await this.#fs.open(`${this.#dir}/${name}`, { write: true, append: true });
    this.#file?.close();
    this.#file = next;
    this.activeName = name;
    if (init.length > 0) this.#hooks.onCommit(first, 0, buf, dv, SEGMENT_HEADER, total);
    this.size = total;
    this.nextSeq = seq;
    await this.#hooks.onNewSegment?.(name, first, total);
  }

  /** Queues one payload; resolves with its seq once durable. */
  append(payload: Uint8Array): Promise<number> {
    return this.appendWith(payload.length, payload, putBytes);
  }

  /**
   * Queues the payload `write` puts for `value` in at most `maxBytes` bytes,
   * encoding it now (so later changes to `value` do not matter); resolves with
   * its seq once durable. If `write` throws, nothing is queued and the promise
   * rejects with that error.
   */
  appendWith<T>(maxBytes: number, value: T, write: PayloadWriter<T>): Promise<number> {
    const st = this.#stage;
    st.reserve(FRAME_HEADER + maxBytes);
    const start = st.len + FRAME_HEADER;
    let end: number;
    try {
      end = write(st.buf, st.dv, start, value);
      if (end - start > MAX_PAYLOAD) {
        throw new JournalError("invalid", `journal: a record is larger than ${MAX_PAYLOAD} bytes`);
      }
    } catch (err) {
      if (st.frames === 0) st.reset(); // give back what a huge rejected record reserved
      return Promise.reject(err);
    }
    st.dv.setUint32(st.len, end - start, true);
    st.len = end;
    const p = new Promise<number>((resolve, reject) => st.wait(resolve, reject));
    this.#kick();
    return p;
  }

  /** Queues payloads as one batch; resolves with the last seq once all are durable. */
  appendMany(payloads: Uint8Array[]): Promise<number> {
    if (payloads.length === 0) return Promise.resolve(this.nextSeq - 1);
    const st = this.#stage;
    for (let i = 0; i < payloads.length - 1; i++) {
      const p = payloads[i]!;
      st.reserve(frameSize(p.length));
      st.dv.setUint32(st.len, p.length, true);
      st.buf.set(p, st.len + FRAME_HEADER);
      st.len += frameSize(p.length);
      st.wait(null, null);
    }
    return this.append(payloads[payloads.length - 1]!);
  }

  /** Resolves when everything queued so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /** Drains, then closes the active file. */
  async close(): Promise<void> {
    await this.drain();
    this.#closed = true;
    this.#file?.close();
    this.#file = null;
  }

  #kick(): void {
    if (this.#flushing) return;
    this.#flushing = this.#flush();
  }

  async #repairTail(): Promise<void> {
    await this.#file!.truncate(this.size);
    await this.#file!.syncData();
    this.#tailDirty = false;
  }

  /**
   * Writes the staged batches one at a time until none is left: the whole
   * flush is this one async call (a nested async call per batch would cost a
   * promise and a microtask hop on the way back from every fdatasync).
   */
  async #flush(): Promise<void> {
    await Promise.resolve(); // the appends made in this turn join the batch
    while (this.#stage.frames > 0) {
      const batch = this.#stage;
      this.#stage = this.#spare;
      const { buf, dv } = batch;
      let i = 0; // first frame not yet durable
      let at = 0; // its offset in the stage
      try {
        if (this.#closed) throw new JournalError("closed", "journal: closed");
        if (!this.#file) {
          // Opening failed earlier (read-only disk at start): try again now.
          if (this.activeName) {
            this.#file = await this.#fs.open(`${this.#dir}/${this.activeName}`, {
              write: true,
              append: true,
            });
            this.#tailDirty = true;
          } else await this.roll();
        }
        if (this.#tailDirty) await this.#repairTail();
        while (i < batch.frames) {
          if (
            this.size > SEGMENT_HEADER &&
            this.#hooks.shouldRoll(this.size, frameSize(dv.getUint32(at, true)))
          ) await this.roll();
          // Frames [i, j) at stage bytes [at, end) fit the active segment.
          let j = i;
          let end = at;
          let seq = this.nextSeq;
          if (!this.#hooks.shouldRoll(this.size, batch.len - at)) {
            for (; j < batch.frames; j++) end = stampFrame(buf, dv, end, seq++);
          } else {
            while (j < batch.frames) {
              const fsz = frameSize(dv.getUint32(end, true));
              if (j > i && this.#hooks.shouldRoll(this.size, end - at + fsz)) break;
              end = stampFrame(buf, dv, end, seq++);
              j++;
            }
          }
          this.#tailDirty = true;
          const writing = writeAll(this.#file!, buf.subarray(at, end));
          if (writing) await writing;
          await this.#file!.syncData();
          this.#tailDirty = false;
          const first = this.nextSeq;
          const base = this.size - at; // file offset = stage offset + base
          this.#hooks.onCommit(first, base, buf, dv, at, end);
          this.size = end + base;
          this.nextSeq = seq;
          for (let k = i; k < j; k++) batch.resolves[k]?.(first + (k - i));
          i = j;
          at = end;
          this.#hooks.onHealth?.(null);
        }
      } catch (cause) {
        const err = toJournalError(
          cause,
          `appending to ${this.#prefix} segment ${this.activeName}`,
          this.#dir,
        );
        if (err.code !== "closed") this.#hooks.onHealth?.(err);
        if (this.#tailDirty && this.#file) {
          try {
            await this.#repairTail();
          } catch {
            // stays dirty; repaired before the next write
          }
        }
        for (let k = i; k < batch.frames; k++) batch.rejects[k]?.(err);
      }
      batch.reset();
      if (this.#stage.frames === 0) {
        // Nothing came in meanwhile: keep filling the buffer just written (its
        // memory is still in the CPU caches) rather than the other one.
        this.#spare = this.#stage;
        this.#stage = batch;
      } else this.#spare = batch;
    }
    this.#flushing = null;
  }
}
