/**
 * From a card read to a journaled scan: format the tag with the reader's
 * `tagFormat`, debounce, stamp with the wall clock in the configured zone
 * (flagging an unsynced clock), append to the journal, then wake the sync
 * engine and give the reader its feedback. The only allocation per read is
 * here, once the decoder has finished.
 *
 * @module
 */

import type { CardRead } from "../../driver/card.ts";
import { formatTag, type TagFormat } from "../../driver/tag.ts";
import { clockProblem, localStamp } from "../clock.ts";
import type { ScanInput } from "../journal/types.ts";
import { Debouncer } from "./debounce.ts";

/** Where scans go: resolves with the seq once durable, or null if the scan could not be kept. */
export interface ScanStore {
  /** Appends a scan; resolves after fsync (or after it is queued in memory while the disk fails). */
  submit(scan: ScanInput): Promise<number | null>;
}

/** Per-reader pipeline counters. */
export interface PipelineReaderCounters {
  /** Cards read (before debounce). */
  scans: number;
  /** Dropped by debounce. */
  debounced: number;
  /** Epoch ms of the last read, or null. */
  lastScanAt: number | null;
}

/** Pipeline options. */
export interface PipelineOptions {
  /** IANA zone for date/time. */
  timezone: string;
  /** Debounce window (ms). */
  debounceMs: number;
  /** This agent start's id. */
  bootId: string;
  /** The journal (or its disk-full spool). */
  store: ScanStore;
  /** `tagFormat` of each reader. */
  tagFormats: Map<string, TagFormat>;
  /** Epoch ms of the newest journaled scan (to notice a clock going backwards). */
  lastJournaledAtMs: number | null;
  /**
   * Called with each scan that passed debounce, before it is journaled and in the
   * same event-loop turn (the gate decides here); an exception is counted, never
   * stops the scan.
   */
  onAccepted?: (scan: ScanInput) => void;
  /** Called once a scan is durable (wake the sync engine, feedback to the reader). */
  onJournaled?: (scan: ScanInput, seq: number) => void;
  /** Called when a scan could not be kept. */
  onLost?: (scan: ScanInput, err: unknown) => void;
  /** The wall clock (tests set it). */
  now?: () => number;
}

/** Turns card reads into journaled scans. */
export class ScanPipeline {
  /** Totals. */
  readonly counters = {
    read: 0,
    journaled: 0,
    debounced: 0,
    clockUnsynced: 0,
    lost: 0,
    acceptedErrors: 0,
  };
  readonly #opts: PipelineOptions;
  readonly #debouncer: Debouncer;
  readonly #perReader = new Map<string, PipelineReaderCounters>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #now: () => number;
  #lastMs: number | null;

  /** Creates a pipeline. */
  constructor(opts: PipelineOptions) {
    this.#opts = opts;
    this.#debouncer = new Debouncer(opts.debounceMs);
    this.#now = opts.now ?? Date.now;
    this.#lastMs = opts.lastJournaledAtMs;
  }

  /** Counters of one reader. */
  reader(name: string): PipelineReaderCounters {
    let c = this.#perReader.get(name);
    if (!c) {
      c = { scans: 0, debounced: 0, lastScanAt: null };
      this.#perReader.set(name, c);
    }
    return c;
  }

  /**
   * Handles one card read from `reader`. Resolves with the seq once durable,
   * or null when debounced or not kept.
   */
  handle(reader: string, read: CardRead): Promise<number | null> {
    const tag = formatTag(read, this.#opts.tagFormats.get(reader) ?? "dec10");
    return this.handleTag(reader, tag);
  }

  /** Like {@link handle} for an already formatted tag. */
  handleTag(reader: string, rfidTag: string): Promise<number | null> {
    const now = this.#now();
    const rc = this.reader(reader);
    rc.scans++;
    rc.lastScanAt = now;
    this.counters.read++;
    if (!this.#debouncer.accept(reader, rfidTag, now)) {
      rc.debounced++;
      this.counters.debounced++;
      return Promise.resolve(null);
    }
    const problem = clockProblem(now, this.#lastMs);
    if (problem) this.counters.clockUnsynced++;
    else this.#lastMs = now;
    const stamp = localStamp(now, this.#opts.timezone);
    const scan: ScanInput = {
      reader,
      rfidTag,
      epochMs: now,
      date: stamp.date,
      time: stamp.time,
      utcOffsetMin: stamp.utcOffsetMin,
      bootId: this.#opts.bootId,
      clockUnsynced: problem !== "",
      errorMsg: problem,
    };
    if (this.#opts.onAccepted) {
      try {
        this.#opts.onAccepted(scan);
      } catch {
        this.counters.acceptedErrors++;
      }
    }
    const p = this.#opts.store.submit(scan).then(
      (seq) => {
        if (seq === null) {
          this.counters.lost++;
          this.#opts.onLost?.(scan, new Error("not kept"));
          return null;
        }
        this.counters.journaled++;
        this.#opts.onJournaled?.(scan, seq);
        return seq;
      },
      (err) => {
        this.counters.lost++;
        this.#opts.onLost?.(scan, err);
        return null;
      },
    );
    this.#inFlight.add(p);
    p.finally(() => this.#inFlight.delete(p));
    return p;
  }

  /** Scans handed in and not yet journaled (or known lost). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Waits until every scan handed in so far is journaled (or known lost). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }
}
