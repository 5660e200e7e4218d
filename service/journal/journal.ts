/**
 * The crash-safe scan journal: see `mod.ts` for the overview.
 *
 * Outcomes go to a sibling log (`outcome-*.log`, same framing) rather than
 * into the scan log. Argument: scan segments must be deletable one by one as
 * soon as all their records are final, in any order (one rejected record must
 * not pin every later segment). If outcomes lived in the scan log, deleting a
 * segment would also delete outcomes it holds for records of older segments
 * still kept, and those records would come back as pending and be sent again.
 * With a sibling log, scan segments are immutable once sealed and are deleted
 * freely; the outcome log is kept small by compaction: when it grows past
 * `outcomeSegmentBytes` a new outcome segment is started whose first frames are
 * a snapshot of every non-pending state still needed (written under a temp
 * name, fsynced, renamed, directory fsynced), then the old outcome segments
 * are deleted. Replaying old segments and then the snapshot gives the same
 * state, so a crash at any point of the compaction loses nothing.
 *
 * @module
 */

import { degradedText, JournalError, toJournalError } from "./errors.ts";
import {
  FileWindow,
  FRAME_HEADER,
  frameSize,
  KIND_OUTCOME,
  KIND_SCAN,
  OUTCOME_PREFIX,
  SCAN_PREFIX,
} from "./frame.ts";
import { denoFs, type JournalFile, type JournalFs } from "./fs.ts";
import { ScanIndex, ScanSegment } from "./index.ts";
import { type LogHooks, LogWriter, type PayloadWriter } from "./log_writer.ts";
import {
  checkOutcome,
  decodeFrames,
  encodeEntries,
  OutcomeOp,
  outcomesToEntries,
  RecState,
} from "./outcome_codec.ts";
import { takeLock } from "./lock.ts";
import { newestEpochMs, PendingReader } from "./pending.ts";
import { listDir, loadOutcomeLog, loadScanLog, RecoveryReport } from "./recovery.ts";
import { dropOutcomeSegments, expireDamagedLogged, retireFinished } from "./retention.ts";
import { journalStats } from "./stats.ts";
import {
  eventMaxBytes,
  payloadHeld,
  payloadKind,
  putEvent,
  putScan,
  scanEpochMs,
  scanMaxBytes,
} from "./scan_codec.ts";
import { Holds } from "./holds.ts";
import { exportRows } from "./export.ts";
import { gateEntry, snapshotEntries } from "./snapshot.ts";
import type {
  ExportOptions,
  ExportRow,
  GateEventInput,
  GateNote,
  JournalLogger,
  JournalOptions,
  JournalStats,
  Outcome,
  ScanInput,
  ScanRecord,
} from "./types.ts";

const noLog: JournalLogger = () => {};

/** The crash-safe, append-only scan journal (one writer per directory). */
export class Journal {
  #fs: JournalFs;
  #dir: string;
  #log: JournalLogger;
  #o: { segmentBytes: number; outcomeBytes: number; archive: boolean; archiveDays: number };
  #keepDamagedDays: number;
  #lock: JournalFile;
  #index = new ScanIndex();
  #pending!: PendingReader;
  #scan!: LogWriter;
  #out!: LogWriter;
  #report: RecoveryReport;
  #health: { scan: string | null; outcome: string | null } = { scan: null, outcome: null };
  #oldest: { seq: number; epochMs: number } | null = null;
  #holds: Holds;
  #newestEpochMs: number | null = null;
  #snapshotBytes = 0;
  #oldOutcomeSegments: string[] = [];
  #retainChain: Promise<void> = Promise.resolve();
  #lastExpire = 0;
  #closed = false;

  private constructor(
    dir: string,
    fs: JournalFs,
    lock: JournalFile,
    o: JournalOptions,
    rep: RecoveryReport,
  ) {
    this.#dir = dir;
    this.#fs = fs;
    this.#lock = lock;
    this.#log = o.logger ?? noLog;
    this.#o = {
      segmentBytes: Math.max(4096, o.segmentBytes ?? 16 * 1024 * 1024),
      outcomeBytes: Math.max(4096, o.outcomeSegmentBytes ?? 4 * 1024 * 1024),
      archive: o.archive ?? false,
      archiveDays: o.archiveDays ?? 30,
    };
    this.#keepDamagedDays = o.keepDamagedDays ?? 30;
    this.#report = rep;
    this.#holds = new Holds(o.holdLimitMs ?? 180_000, this.#log);
  }

  /**
   * Opens (creating if needed) the journal in `dir`: takes an exclusive lock,
   * recovers from torn tails and corruption (never refusing to start because
   * of damage), applies retention. Throws `JournalError` with code `locked` if
   * another process holds the journal, or an I/O code if `dir` is unusable.
   */
  static async open(dir: string, options: JournalOptions = {}): Promise<Journal> {
    const fs = options.fs ?? denoFs;
    try {
      await fs.mkdir(dir);
    } catch (err) {
      throw toJournalError(err, `creating the journal directory ${dir}`, dir);
    }
    const lock = await takeLock(fs, dir);
    const report = new RecoveryReport();
    const j = new Journal(dir, fs, lock, options, report);
    try {
      await j.#recover();
    } catch (err) {
      lock.close();
      throw toJournalError(err, `opening the journal in ${dir}`, dir);
    }
    return j;
  }

  async #recover(): Promise<void> {
    const fs = this.#fs;
    const dir = this.#dir;
    const listing = await listDir(fs, dir);
    for (const t of listing.temps) await fs.remove(`${dir}/${t}`).catch(() => {});
    const report = this.#report;
    const ctx = { fs, dir, window: new FileWindow(), logger: this.#log, repair: true, report };
    const index = await loadScanLog(ctx, listing.scan);
    this.#index = index;
    this.#pending = new PendingReader(fs, dir, index);
    const out = await loadOutcomeLog(ctx, listing.outcome, index);
    for (const p of this.#report.problems) this.#log("error", `journal: recovery: ${p}`);

    this.#scan = new LogWriter(fs, dir, SCAN_PREFIX, KIND_SCAN, {
      shouldRoll: (size, add) => size + add > this.#o.segmentBytes,
      onCommit: this.#onScanCommit,
      onNewSegment: (name, first, size) => this.#onScanSegment(name, first, size),
      onHealth: (err) => this.#onHealth("scan", err),
    });
    this.#out = new LogWriter(fs, dir, OUTCOME_PREFIX, KIND_OUTCOME, {
      shouldRoll: (size, add) =>
        size + add > Math.max(this.#o.outcomeBytes, 2 * this.#snapshotBytes),
      onCommit: (_first, _base, buf, dv, from, to) => decodeFrames(buf, dv, from, to, this.#apply),
      initialPayloads: () => this.#snapshot(),
      onNewSegment: () => this.#dropOldOutcomes(),
      onHealth: (err) => this.#onHealth("outcome", err),
    });
    const last = index.segments[index.segments.length - 1];
    const next = Math.max(last ? last.lastSeq : 0, index.maxOutcomeSeq) + 1;
    try {
      if (last) await this.#scan.openActive(last.name, last.size, next);
      else {
        this.#scan.nextSeq = next;
        await this.#scan.roll();
      }
    } catch (err) {
      this.#onHealth("scan", toJournalError(err, "opening the active scan segment", this.#dir));
    }
    const outFiles = listing.outcome;
    // Every existing outcome segment goes once a newer one is durable (the active one at the next compaction).
    this.#oldOutcomeSegments = outFiles.map((f) => f.name);
    try {
      if (outFiles.length > 0 && out.lastSize >= 0) {
        await this.#out.openActive(
          outFiles[outFiles.length - 1]!.name,
          out.lastSize,
          out.lastSeq + 1,
        );
        if (outFiles.length > 1) await this.#dropOldOutcomes();
      } else {
        // Created by the first outcome written (the writer rolls when it has no segment).
        this.#out.nextSeq = out.lastSeq + 1;
      }
    } catch (err) {
      this.#onHealth("outcome", toJournalError(err, "opening the outcome log", this.#dir));
    }
    await this.#retain();
    await this.#refreshOldest();
    this.#newestEpochMs = await newestEpochMs(this.#fs, this.#dir, this.#index);
    this.#log("info", "journal: opened", {
      dir,
      records: this.stats().total,
      pending: this.stats().pending,
      lastSeq: this.#scan.nextSeq - 1,
      corruption: this.#report.corruptions,
      truncatedTails: this.#report.truncatedTails,
    });
  }

  #apply = (op: number, seq: number, count: number, field: number, text: string): void => {
    this.#index.apply(op, seq, count, field, text);
  };

  /** Indexes the durable scan frames at `buf[from, to)` (seqs from `first`, file offset `p + base`). */
  #onScanCommit: LogHooks["onCommit"] = (first, base, buf, dv, from, to) => {
    const seg = this.#index.segments[this.#index.segments.length - 1]!;
    let seq = first;
    let lastStart = -1; // payload of the last scan (not an event) of the run
    let lastEnd = 0;
    for (let p = from; p < to; seq++) {
      const start = p + FRAME_HEADER;
      const next = start + dv.getUint32(p, true);
      const st = payloadKind(buf, start) > 0
        ? RecState.EVENT
        : payloadHeld(buf, start)
        ? RecState.HELD
        : RecState.PENDING;
      seg.add(seq, p + base, st);
      if (st !== RecState.EVENT) {
        lastStart = start;
        lastEnd = next;
        if (st === RecState.HELD) this.#holds.add(seq, Date.now());
        else if (this.#oldest === null) {
          this.#oldest = { seq, epochMs: scanEpochMs(dv, start, next) };
        }
      }
      p = next;
    }
    seg.size = to + base;
    if (lastStart >= 0) this.#newestEpochMs = scanEpochMs(dv, lastStart, lastEnd);
  };

  #onScanSegment(name: string, first: number, size: number): void {
    const segs = this.#index.segments;
    const prev = segs[segs.length - 1];
    if (prev) {
      prev.sealed = true;
      prev.trim();
    }
    const seg = new ScanSegment(name, first, 4096);
    seg.size = size;
    segs.push(seg);
    if (prev && prev.open === 0) this.#retainSoon();
  }

  #onHealth(log: "scan" | "outcome", err: Error | null): void {
    const prev = this.#health[log];
    if (err === null) {
      if (prev) this.#log("info", `journal: ${log} log writes work again`, { was: prev });
      this.#health[log] = null;
      return;
    }
    const { code, text } = degradedText(err);
    if (prev !== text) this.#log("error", err.message, { code, log });
    this.#health[log] = text;
  }

  #snapshot(): Uint8Array[] {
    const payloads = encodeEntries(snapshotEntries(this.#index));
    let bytes = 0;
    for (const p of payloads) bytes += frameSize(p.length);
    this.#snapshotBytes = bytes;
    return payloads;
  }

  async #dropOldOutcomes(): Promise<void> {
    const [names, active] = [this.#oldOutcomeSegments, this.#out?.activeName];
    this.#oldOutcomeSegments = [];
    await dropOutcomeSegments(this.#fs, this.#dir, names, active, this.#log);
    if (active) this.#oldOutcomeSegments.push(active);
  }

  /** Appends a scan; resolves with its seq once fsynced (concurrent appends share one fdatasync). */
  append(scan: ScanInput): Promise<number> {
    return this.#append(scan, scanMaxBytes, putScan);
  }

  /** Journals a gate event (exit button, remote open): seq once fsynced; final, never sent. */
  appendEvent(ev: GateEventInput): Promise<number> {
    return this.#append(ev, eventMaxBytes, putEvent);
  }

  #append<T>(v: T, size: (v: T) => number, put: PayloadWriter<T>): Promise<number> {
    if (this.#closed) return Promise.reject(new JournalError("closed", "journal: closed"));
    try {
      return this.#scan.appendWith(size(v), v, put);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Up to `limit` records with no final outcome, oldest first; with `afterSeq`,
   * only those with a higher seq (the sync engine reads the next batch while the
   * outcomes of the one before are still being written). A held scan stops the
   * batch (iFlow order) until released, or sent once held over `holdLimitMs`.
   */
  pending(limit: number, afterSeq = 0): Promise<ScanRecord[]> {
    return this.#pending.read(
      limit,
      afterSeq,
      (seg, i, what) => this.#lost(seg, i, what),
      (seg, i) => this.#holds.expire(seg, i, Date.now()),
    );
  }

  /**
   * Resolves held scans: `send` makes one pending (nothing written: a held scan
   * found at open is pending anyway), else it is durably final `not-passed`,
   * never sent. Seqs not held are ignored; returns how many changed.
   */
  async releaseHeld(list: { seq: number; send: boolean }[]): Promise<number> {
    if (this.#closed) throw new JournalError("closed", "journal: closed");
    const { sent, drop } = this.#holds.resolve(this.#index, list);
    if (sent > 0) await this.#refreshOldest();
    if (drop.length === 0) return sent;
    await this.#out.appendMany(encodeEntries(drop));
    for (const d of drop) this.#holds.forget(d.seq);
    await this.#retainSoon();
    return sent + drop.length;
  }

  #lost(seg: ScanSegment, i: number, what: string): void {
    seg.setState(i, 0);
    this.#report.corruptions++;
    this.#report.lastCorruption = what;
    this.#log("error", `journal: ${what}`);
  }

  /** Records final outcomes; durable (fsynced) before it resolves. Finished segments are then retired. */
  async recordOutcomes(list: { seq: number; outcome: Outcome }[]): Promise<void> {
    if (this.#closed) throw new JournalError("closed", "journal: closed");
    for (const { seq, outcome } of list) checkOutcome(seq, outcome);
    if (list.length === 0) return;
    await this.#out.appendMany(encodeEntries(outcomesToEntries(list)));
    await this.#refreshOldest();
    await this.#retainSoon();
  }

  /**
   * Annotates scans with their gate's decision (and passage), durably; the
   * records' states do not change. Notes for seqs not in the journal are counted and ignored.
   */
  async annotateGates(notes: { seq: number; note: GateNote }[]): Promise<void> {
    if (this.#closed) throw new JournalError("closed", "journal: closed");
    if (notes.length === 0) return;
    await this.#out.appendMany(encodeEntries(notes.map((n) => gateEntry(n.seq, n.note))));
  }

  /** Makes rejected records pending again (for `retry-rejected`); returns how many changed. */
  reopen(seqs: number[]): Promise<number> {
    return this.#mark(
      seqs,
      OutcomeOp.REOPEN,
      (st) => st === RecState.REJECTED || st === RecState.CLEARED,
    );
  }

  /** Marks rejected records as cleared by an admin: final, so their segment may be deleted; returns how many. */
  clearRejected(seqs: number[]): Promise<number> {
    return this.#mark(seqs, OutcomeOp.CLEARED, (st) => st === RecState.REJECTED);
  }

  async #mark(seqs: number[], op: number, ok: (st: number) => boolean): Promise<number> {
    if (this.#closed) throw new JournalError("closed", "journal: closed");
    const entries = [...new Set(seqs)].filter((s) => ok(this.#index.stateOf(s))).map((seq) => ({
      op,
      seq,
    }));
    if (entries.length === 0) return 0;
    await this.#out.appendMany(encodeEntries(entries));
    await this.#refreshOldest();
    await this.#retainSoon();
    return entries.length;
  }

  /** Counters and health (synchronous; no I/O). */
  stats(): JournalStats {
    return journalStats(this.#index, this.#report, {
      outcomeBytes: this.#out?.size ?? 0,
      oldestEpochMs: this.#oldest?.epochMs ?? null,
      newestEpochMs: this.#newestEpochMs,
      writeProblem: this.#health.scan ?? this.#health.outcome,
      lastSeq: (this.#scan?.nextSeq ?? 1) - 1,
      heldExpired: this.#holds.expired,
    });
  }

  /** Streams records with their state (oldest first); memory stays bounded. */
  export(opts: ExportOptions = {}): AsyncIterable<ExportRow> {
    return exportRows(this.#fs, this.#dir, this.#index, opts, (seq) => {
      const seg = this.#index.find(seq);
      if (seg) this.#lost(seg, seq - seg.firstSeq, `record ${seq} in ${seg.name} is unreadable`);
    });
  }

  /** Waits for queued writes and retention, closes files, releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#scan.close();
    await this.#out.close();
    await this.#retainChain;
    await this.#pending?.release(true);
    try {
      await this.#lock.truncate(0);
    } catch {
      // read-only disk: the stale pid is harmless, the lock dies with the descriptor
    }
    this.#lock.close();
  }

  async #refreshOldest(): Promise<void> {
    this.#oldest = await this.#pending.oldest(this.#oldest);
  }

  #retainSoon(): Promise<void> {
    this.#retainChain = this.#retainChain.then(() => this.#retain());
    return this.#retainChain;
  }

  async #retain(): Promise<void> {
    const now = Date.now();
    const hourly = now - this.#lastExpire > 3_600_000; // and at open
    if (hourly) this.#lastExpire = now;
    await retireFinished(this.#fs, this.#dir, this.#index, this.#log, {
      archive: this.#o.archive,
      archiveDays: this.#o.archiveDays,
      expire: hourly && this.#o.archive,
      nowMs: now,
    });
    await this.#pending.release();
    if (hourly) {
      await expireDamagedLogged(this.#fs, this.#dir, this.#keepDamagedDays, now, this.#log);
    }
  }
}
