/**
 * {@link SpooledJournal}: keeps scans in a bounded memory queue while the disk
 * refuses writes (full, read-only, I/O errors), retries every few seconds and
 * writes them, in order, once the disk works again.
 *
 * Spooled scans are NOT durable: the caller learns it from the
 * {@link SubmitResult} (`spooled`) and must not acknowledge them as journaled.
 * When the queue is full a scan is dropped and an error is logged with the
 * count of scans that could not be kept: never a silent drop.
 *
 * @module
 */

import { degradedPhrase, JournalError, type JournalErrorCode } from "./errors.ts";
import type { Journal } from "./journal.ts";
import type { JournalLogger, ScanInput } from "./types.ts";

/** Options of {@link SpooledJournal}. */
export interface SpoolOptions {
  /** Scans held in memory at most (default 10,000). */
  capacity?: number;
  /** Milliseconds between disk retries (default 3000). */
  retryMs?: number;
  /** Log sink. */
  logger?: JournalLogger;
  /** Called for each spooled scan once it is journaled after all. */
  onFlushed?: (scan: ScanInput, seq: number) => void;
}

/** What {@link SpooledJournal.submit} did with a scan. */
export type SubmitResult =
  | { status: "journaled"; seq: number }
  | { status: "spooled"; queued: number }
  | { status: "dropped"; dropped: number };

/** Counters of the spool. */
export interface SpoolStats {
  /** Scans waiting in memory. */
  queued: number;
  /** Scans dropped because the queue was full (since start). */
  dropped: number;
  /** Spooled scans journaled later (since start). */
  flushed: number;
  /** "ok" or "degraded: disk full" / "degraded: read-only disk" / "degraded: disk error". */
  status: string;
  /** Message of the last disk error, or null. */
  lastError: string | null;
}

const DISK_CODES: ReadonlySet<JournalErrorCode> = new Set([
  "disk-full",
  "read-only",
  "permission",
  "io",
]);

/** A journal front that survives a failing disk with a bounded in-memory queue. */
export class SpooledJournal {
  /** The wrapped journal. */
  readonly journal: Journal;
  /** Spooled scans in submit order, each with its submit ticket. */
  #queue: { scan: ScanInput; ticket: number }[] = [];
  #tickets = 0;
  #capacity: number;
  #retryMs: number;
  #log: JournalLogger;
  #onFlushed: ((scan: ScanInput, seq: number) => void) | undefined;
  #failing: JournalErrorCode | null = null;
  #lastError: string | null = null;
  #dropped = 0;
  #droppedLogged = 0;
  #flushed = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #flushing: Promise<number> | null = null;
  #closed = false;

  /** Wraps `journal`. */
  constructor(journal: Journal, options: SpoolOptions = {}) {
    this.journal = journal;
    this.#capacity = Math.max(1, options.capacity ?? 10_000);
    this.#retryMs = Math.max(1, options.retryMs ?? 3000);
    this.#log = options.logger ?? (() => {});
    this.#onFlushed = options.onFlushed;
  }

  /**
   * Journals a scan; if the disk refuses it (or earlier scans are still
   * spooled, to keep order) the scan is queued in memory instead, or dropped
   * and counted when the queue is full. Rejects only for invalid scans or a
   * closed journal.
   */
  async submit(scan: ScanInput): Promise<SubmitResult> {
    if (this.#closed) throw new JournalError("closed", "journal: closed");
    const ticket = this.#tickets++;
    if (this.#failing === null && this.#queue.length === 0) {
      try {
        return { status: "journaled", seq: await this.journal.append(scan) };
      } catch (err) {
        if (!(err instanceof JournalError) || !DISK_CODES.has(err.code)) throw err;
        this.#fail(err);
      }
    }
    // A direct write that failed can come back after later scans were spooled:
    // its ticket puts it back in submit order.
    return this.#spool(scan, ticket);
  }

  /** "ok" or "degraded: <reason>". */
  status(): string {
    return this.#failing ? `degraded: ${degradedPhrase(this.#failing)}` : "ok";
  }

  /** Counters. */
  stats(): SpoolStats {
    return {
      queued: this.#queue.length,
      dropped: this.#dropped,
      flushed: this.#flushed,
      status: this.status(),
      lastError: this.#lastError,
    };
  }

  /** Tries to write the queue now; resolves with how many scans were journaled. */
  flush(): Promise<number> {
    if (!this.#flushing) {
      this.#flushing = this.#flush().finally(() => (this.#flushing = null));
    }
    return this.#flushing;
  }

  /** Stops retrying (one last flush attempt), then closes the journal. Logs scans still lost. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#queue.length > 0) await this.flush();
    if (this.#queue.length > 0) {
      this.#log(
        "error",
        `journal spool: ${this.#queue.length} scan(s) could not be journaled before close`,
        {
          lost: this.#queue.length,
          dropped: this.#dropped,
        },
      );
    }
    await this.journal.close();
  }

  #fail(err: JournalError): void {
    if (this.#failing === null) {
      this.#log(
        "error",
        `journal spool: disk refuses writes, holding scans in memory: ${err.message}`,
        {
          code: err.code,
          capacity: this.#capacity,
        },
      );
    }
    this.#failing = err.code;
    this.#lastError = err.message;
    this.#arm();
  }

  #spool(scan: ScanInput, ticket: number): SubmitResult {
    if (this.#queue.length >= this.#capacity) {
      this.#dropped++;
      if (this.#droppedLogged === 0) this.#logDropped();
      return { status: "dropped", dropped: this.#dropped };
    }
    let at = this.#queue.length;
    while (at > 0 && this.#queue[at - 1]!.ticket > ticket) at--;
    this.#queue.splice(at, 0, { scan, ticket });
    this.#arm();
    return { status: "spooled", queued: this.#queue.length };
  }

  #logDropped(): void {
    if (this.#dropped === this.#droppedLogged) return;
    this.#droppedLogged = this.#dropped;
    this.#log(
      "error",
      `journal spool: queue full (${this.#capacity}); ${this.#dropped} scan(s) could not be kept`,
      {
        dropped: this.#dropped,
        capacity: this.#capacity,
      },
    );
  }

  #arm(): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setTimeout(async () => {
      this.#timer = null;
      await this.flush();
      this.#logDropped();
      if (this.#queue.length > 0 || this.#failing) this.#arm();
    }, this.#retryMs);
  }

  async #flush(): Promise<number> {
    let done = 0;
    while (this.#queue.length > 0) {
      // Probe with one scan, then write the rest in group-committed chunks.
      const n = done === 0 ? 1 : Math.min(256, this.#queue.length);
      const chunk = this.#queue.slice(0, n);
      const results = await Promise.allSettled(chunk.map((q) => this.journal.append(q.scan)));
      // Whatever was written leaves the queue; what failed stays, in order, at its head.
      const keep: { scan: ScanInput; ticket: number }[] = [];
      let diskErr: JournalError | null = null;
      for (let k = 0; k < results.length; k++) {
        const r = results[k]!;
        if (r.status === "fulfilled") {
          done++;
          this.#flushed++;
          this.#onFlushed?.(chunk[k]!.scan, r.value);
        } else if (r.reason instanceof JournalError && DISK_CODES.has(r.reason.code)) {
          diskErr = r.reason;
          keep.push(chunk[k]!);
        } else {
          this.#dropped++;
          this.#log("error", `journal spool: scan dropped: ${(r.reason as Error).message}`);
        }
      }
      this.#queue = keep.concat(this.#queue.slice(n));
      if (diskErr) {
        this.#failing = diskErr.code;
        this.#lastError = diskErr.message;
        return done;
      }
    }
    if (this.#failing !== null) {
      this.#log("info", `journal spool: disk writable again; ${done} spooled scan(s) journaled`, {
        flushed: done,
        dropped: this.#dropped,
      });
    }
    this.#failing = null;
    return done;
  }
}
