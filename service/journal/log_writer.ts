/**
 * Group-commit appender for one log (scan log or outcome log).
 *
 * Payloads queue up while a write is in flight; the next flush frames all of
 * them (assigning seqs), writes them with one `write` and makes them durable
 * with one `fdatasync`, then resolves every waiter. A waiter is resolved only
 * after its bytes are synced.
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
import { frameSize, putFrame, SEGMENT_HEADER, segmentHeader, segmentName } from "./frame.ts";
import { type JournalFile, type JournalFs, writeAll } from "./fs.ts";

/** Hooks a log owner supplies. */
export interface LogHooks {
  /** True when `size + add` bytes would overflow the active segment. */
  shouldRoll(size: number, add: number): boolean;
  /** A frame is durable: its seq, file offset, payload. Called before its waiter resolves. */
  onCommit(seq: number, offset: number, payload: Uint8Array): void;
  /** Payloads to put first into a new segment (e.g. a snapshot), or none. */
  initialPayloads?(): Uint8Array[];
  /** A new segment is durable and active. */
  onNewSegment?(name: string, firstSeq: number, size: number): Promise<void> | void;
  /** A write failed (already turned into a JournalError) or succeeded again (null). */
  onHealth?(err: Error | null): void;
}

interface Item {
  payload: Uint8Array;
  resolve: ((seq: number) => void) | null;
  reject: ((err: Error) => void) | null;
}

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
  #queue: Item[] = [];
  #flushing: Promise<void> | null = null;
  #tailDirty = false;
  #scratch = new Uint8Array(64 * 1024);
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
    off = SEGMENT_HEADER;
    seq = first;
    for (const p of init) {
      this.#hooks.onCommit(seq++, off, p);
      off += frameSize(p.length);
    }
    this.size = total;
    this.nextSeq = seq;
    await this.#hooks.onNewSegment?.(name, first, total);
  }

  /** Queues one payload; resolves with its seq once durable. */
  append(payload: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ payload, resolve, reject });
      this.#kick();
    });
  }

  /** Queues payloads as one batch; resolves with the last seq once all are durable. */
  appendMany(payloads: Uint8Array[]): Promise<number> {
    if (payloads.length === 0) return Promise.resolve(this.nextSeq - 1);
    return new Promise((resolve, reject) => {
      for (let i = 0; i < payloads.length - 1; i++) {
        this.#queue.push({ payload: payloads[i]!, resolve: null, reject: null });
      }
      this.#queue.push({ payload: payloads[payloads.length - 1]!, resolve, reject });
      this.#kick();
    });
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
    this.#flushing = (async () => {
      await Promise.resolve();
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        await this.#writeBatch(batch);
      }
      this.#flushing = null;
    })();
  }

  async #repairTail(): Promise<void> {
    await this.#file!.truncate(this.size);
    await this.#file!.syncData();
    this.#tailDirty = false;
  }

  async #writeBatch(batch: Item[]): Promise<void> {
    let i = 0;
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
      while (i < batch.length) {
        if (
          this.size > SEGMENT_HEADER &&
          this.#hooks.shouldRoll(this.size, frameSize(batch[i]!.payload.length))
        ) await this.roll();
        let j = i;
        let total = 0;
        while (j < batch.length) {
          const fsz = frameSize(batch[j]!.payload.length);
          if (j > i && this.#hooks.shouldRoll(this.size, total + fsz)) break;
          total += fsz;
          j++;
        }
        if (this.#scratch.length < total) {
          this.#scratch = new Uint8Array(Math.max(total, this.#scratch.length * 2));
        }
        const buf = this.#scratch;
        const dv = new DataView(buf.buffer);
        let off = 0;
        let seq = this.nextSeq;
        for (let k = i; k < j; k++) off = putFrame(buf, dv, off, seq++, batch[k]!.payload);
        this.#tailDirty = true;
        await writeAll(this.#file!, buf.subarray(0, total));
        await this.#file!.syncData();
        this.#tailDirty = false;
        off = this.size;
        seq = this.nextSeq;
        for (let k = i; k < j; k++) {
          const p = batch[k]!.payload;
          this.#hooks.onCommit(seq++, off, p);
          off += frameSize(p.length);
        }
        this.size = off;
        const first = this.nextSeq;
        this.nextSeq = seq;
        for (let k = i; k < j; k++) batch[k]!.resolve?.(first + (k - i));
        i = j;
        this.#hooks.onHealth?.(null);
      }
    } catch (cause) {
      const err = toJournalError(cause, `appending to ${this.#prefix} segment ${this.activeName}`);
      if (err.code !== "closed") this.#hooks.onHealth?.(err);
      if (this.#tailDirty && this.#file) {
        try {
          await this.#repairTail();
        } catch {
          // stays dirty; repaired before the next write
        }
      }
      for (let k = i; k < batch.length; k++) batch[k]!.reject?.(err);
    }
  }
}
