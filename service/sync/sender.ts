/**
 * One sync step: read the oldest pending records, send them (one batch to the
 * offline endpoint, or one fresh scan to the live endpoint), and record the
 * outcomes in the journal. Scheduling (backoff, auth hold, jitter, wake-ups)
 * is the engine's job; see `engine.ts`.
 *
 * A drain is a pipeline with one request in flight:
 *
 * - while batch N is in flight, the records after it are read from the
 *   journal and batch N+1's URL is built;
 * - when N's reply is in and checked, N+1 is sent at once, and N's outcomes
 *   are queued for writing (`outcome_writer.ts`): writes run one at a time in
 *   reply order, each taking every batch that waited for it (one fdatasync);
 * - N+1 goes out without waiting for those writes while at most
 *   `WRITES_BEHIND` (2) answered batches besides N are not durable yet;
 * - N's records count as delivered (status, `syncOnce`, the journal) only
 *   once N's outcomes are durable.
 *
 * So a crash finds at most three answered batches not durable, plus the one
 * in flight: those are sent again and iFlow reports them as duplicates
 * (delivered once). If a write fails, the batches queued behind it and those
 * answered before the error is taken are not recorded either: they stay
 * pending and are sent again.
 *
 * @module
 */

import { clipForeign } from "../clip.ts";
import type {
  IflowClient,
  IflowConfig,
  IflowOutcome,
  Logger,
  PreparedBatch,
  SendResult,
} from "../iflow/mod.ts";
import type { ScanRecord } from "../journal/mod.ts";
import { logsAt } from "../log.ts";
import { LatencyHistogram } from "./histogram.ts";
import { overlapNamesOwnLiveStamp } from "./live_guard.ts";
import { type Answered, type OutcomeList, OutcomeWriter } from "./outcome_writer.ts";
import type { LiveFeedback, SyncAlarm, SyncCounters, SyncJournal } from "./types.ts";

/** What one step came to. */
export type Step =
  | { kind: "empty" }
  | { kind: "sent"; more: boolean }
  | { kind: "again" }
  | { kind: "transient"; reason: string; retryAfterMs?: number }
  | { kind: "auth"; reason: string };

/** Batches and records whose outcomes became durable (see {@link Sender.takeDurable}). */
export interface Durable {
  /** Offline batches (and stored live scans). */
  batches: number;
  /** Records accepted. */
  accepted: number;
  /** Records iFlow already had. */
  duplicate: number;
  /** Records rejected (final). */
  rejected: number;
}

/** Pending records read from the journal, and the batch made of them. */
interface Batch {
  /** Every record read (more than sent when the URL limit cut the batch). */
  recs: ScanRecord[];
  /** The records sent (a prefix of `recs`) and their URL. */
  prepared: PreparedBatch;
}

/**
 * Answered batches whose outcomes may still be being written when the next
 * request goes out (besides the one just answered): a slow fdatasync stalls
 * the drain only when it lasts longer than about this many round trips.
 */
const WRITES_BEHIND = 2;

const noneDurable = (): Durable => ({ batches: 0, accepted: 0, duplicate: 0, rejected: 0 });

function msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Dependencies of {@link Sender}. */
export interface SenderDeps {
  journal: SyncJournal;
  client: IflowClient;
  cfg: IflowConfig;
  log: Logger;
  now: () => number;
  onLive?: (f: LiveFeedback) => void;
  /** Called when a request starts (the engine shows "sending"). */
  onSending: () => void;
}

/** Sends one batch (or one live scan) at a time and keeps the per-request figures. */
export class Sender {
  readonly #d: SenderDeps;
  readonly counters: SyncCounters = {
    batches: { ok: 0, transient: 0, auth: 0, tooLong: 0 },
    records: { accepted: 0, duplicate: 0, rejected: 0 },
    retries: 0,
    live: { stored: 0, notStored: 0, uncertain: 0, savedByOverlap: 0 },
  };
  readonly latency: LatencyHistogram = new LatencyHistogram();
  lastLatencyMs: number | null = null;
  lastLive: LiveFeedback | null = null;
  lastSuccessAtMs: number | null = null;
  /** Set while a single record is refused with 414. */
  tooLongAlarm: SyncAlarm | null = null;
  batchLimit: number;
  urlLimit: number;
  #liveTried = new Set<number>();
  #liveUncertain = new Set<number>();
  #inflight: AbortController | null = null;
  /** The batch after the one in flight, read during its round trip. */
  #ahead: Promise<Batch | null> | null = null;
  /** The outcomes of the last answered batch, to write once the next request is sent. */
  #unrecorded: Answered | null = null;
  /** Writes answered batches' outcomes in reply order (grouped while one write runs). */
  readonly #writer: OutcomeWriter;
  #durable: Durable = noneDurable();

  /** Creates a sender. */
  constructor(deps: SenderDeps) {
    this.#d = deps;
    this.#writer = new OutcomeWriter(
      (list) => deps.journal.recordOutcomes(list),
      (a) => this.#counted(a),
    );
    this.batchLimit = deps.cfg.batchSize;
    this.urlLimit = deps.cfg.maxUrlBytes;
  }

  /** Aborts the request in flight, if any (its records stay pending). */
  abortInflight(): void {
    this.#inflight?.abort();
  }

  async #timed<T extends { latencyMs: number }>(fn: (s: AbortSignal) => Promise<T>): Promise<T> {
    this.#d.onSending();
    const ac = new AbortController();
    this.#inflight = ac;
    try {
      const r = await fn(ac.signal);
      this.latency.observe(r.latencyMs);
      this.lastLatencyMs = r.latencyMs;
      return r;
    } finally {
      this.#inflight = null;
    }
  }

  /** An empty batch: does iFlow take the token? */
  async probe(): Promise<Step> {
    const r = (await this.#timed((s) => this.#d.client.send([], s))).reply;
    if (r.kind === "ok") return { kind: "sent", more: false };
    if (r.kind === "auth") return r;
    return { kind: "transient", reason: r.reason };
  }

  /** What became durable since the last call (and resets it). */
  takeDurable(): Durable {
    const d = this.#durable;
    this.#durable = noneDurable();
    return d;
  }

  /**
   * Waits until the last answered batch's outcomes are written; a transient
   * step if that failed (its records stay pending and are sent again).
   */
  async settle(): Promise<Step | null> {
    this.startRecording();
    const error = await this.#writer.settle(0);
    return error === null ? null : { kind: "transient", reason: `journal: ${error}` };
  }

  /** Drops the batch read ahead and settles: nothing of this sender runs after it. */
  async quiesce(): Promise<Step | null> {
    const ahead = this.#ahead;
    this.#ahead = null;
    await ahead;
    return await this.settle();
  }

  /** One step: the oldest pending records to iFlow, outcomes to the journal. */
  async step(allowLive: boolean): Promise<Step> {
    const { cfg } = this.#d;
    const ahead = this.#ahead;
    this.#ahead = null;
    let batch = ahead ? await ahead : null;
    // A fresh scan may go live, which needs the batches before it settled first.
    if (batch && allowLive && cfg.mode === "live" && this.#goesLive(batch.recs[0]!)) batch = null;
    if (!batch) {
      const failed = await this.settle();
      if (failed) return failed;
      let recs: ScanRecord[];
      try {
        recs = await this.#d.journal.pending(cfg.batchSize);
      } catch (err) {
        return { kind: "transient", reason: `journal: ${msg(err)}` };
      }
      if (recs.length === 0) return { kind: "empty" };
      if (allowLive && cfg.mode === "live" && this.#goesLive(recs[0]!)) {
        return await this.#sendLive(recs[0]!);
      }
      batch = this.#prepare(recs);
    }
    const sent = batch.prepared.records;
    const sending = this.#timed((s) => this.#d.client.sendPrepared(batch.prepared, s));
    this.startRecording(); // the batch before, while this one is in flight
    const more = batch.recs.length > sent.length || batch.recs.length === cfg.batchSize;
    if (more) this.#ahead = this.#readAfter(batch.recs[sent.length - 1]!.seq);
    return await this.#settleBatch(batch, await sending, more);
  }

  #goesLive(first: ScanRecord): boolean {
    return !this.#liveTried.has(first.seq) &&
      Math.abs(this.#d.now() - first.epochMs) < this.#d.cfg.liveMaxAgeMs;
  }

  #prepare(recs: ScanRecord[]): Batch {
    return { recs, prepared: this.#d.client.prepare(recs, this.batchLimit, this.urlLimit) };
  }

  /** The batch of pending records after `seq` (null when there is none or reading failed). */
  async #readAfter(seq: number): Promise<Batch | null> {
    try {
      const all = await this.#d.journal.pending(this.#d.cfg.batchSize, seq);
      // A journal that ignores `afterSeq` must not make us resend the batch in flight.
      const recs = all.length > 0 && all[0]!.seq <= seq ? all.filter((r) => r.seq > seq) : all;
      return recs.length > 0 ? this.#prepare(recs) : null;
    } catch {
      return null; // the next step reads again and reports the error
    }
  }

  async #settleBatch(batch: Batch, res: SendResult, more: boolean): Promise<Step> {
    const r = res.reply;
    const sent = batch.prepared.records;
    const n = sent.length;
    if (r.kind !== "ok") this.#ahead = null; // the next step starts over from the journal
    if (r.kind === "transient") {
      this.counters.batches.transient++;
      return r;
    }
    if (r.kind === "auth") return r;
    if (r.kind === "too-long") {
      this.counters.batches.tooLong++;
      this.urlLimit = Math.min(this.urlLimit, res.urlBytes - 1);
      if (n > 1) {
        this.batchLimit = Math.max(1, n >> 1);
        this.counters.retries++;
        this.#d.log("info", "HTTP 414: halving the batch", { from: n, to: this.batchLimit });
        return { kind: "again" };
      }
      const reason = `HTTP 414 for a single record (seq ${
        batch.recs[0]!.seq
      }, URL ${res.urlBytes} bytes)`;
      this.tooLongAlarm ??= { code: "record-too-long", message: reason, sinceMs: this.#d.now() };
      return { kind: "transient", reason };
    }
    const list: OutcomeList = [];
    for (let i = 0; i < n; i++) {
      const rec = batch.recs[i]!;
      list.push({ seq: rec.seq, outcome: this.#settle(rec, r.outcomes[i]!) });
    }
    // Up to WRITES_BEHIND answered batches may still be written while the next one goes.
    const error = await this.#writer.settle(WRITES_BEHIND);
    if (error !== null) {
      this.#ahead = null;
      return { kind: "transient", reason: `journal: ${error}` };
    }
    this.batchLimit = this.#d.cfg.batchSize;
    this.tooLongAlarm = null;
    this.lastSuccessAtMs = this.#d.now();
    this.#unrecorded = { recs: batch.recs, list, latencyMs: res.latencyMs };
    return { kind: "sent", more };
  }

  /**
   * Starts writing the last answered batch's outcomes now. The next send starts
   * it anyway; the engine calls this before it pauses (backoff, jitter, poll).
   */
  startRecording(): void {
    const u = this.#unrecorded;
    if (!u) return;
    this.#unrecorded = null;
    this.#writer.add(u);
  }

  /** Counts and logs a batch whose outcomes are durable (only then). */
  #counted({ recs, list, latencyMs }: Answered): void {
    this.counters.batches.ok++;
    const c = { accepted: 0, duplicate: 0, rejected: 0 };
    for (let i = 0; i < list.length; i++) {
      const { seq, outcome } = list[i]!;
      this.#liveTried.delete(seq);
      this.#liveUncertain.delete(seq);
      c[outcome.kind]++;
      if (outcome.kind === "rejected") {
        const b = recs[i]!;
        this.#d.log("warn", "iFlow rejected a scan (final)", {
          seq,
          rfidTag: b.rfidTag,
          date: b.date,
          time: b.time,
          field: outcome.field,
          message: clipForeign(outcome.message),
        });
      }
    }
    const { records } = this.counters;
    const d = this.#durable;
    d.batches++;
    for (const k of ["accepted", "duplicate", "rejected"] as const) {
      records[k] += c[k];
      d[k] += c[k];
    }
    if (logsAt(this.#d.log, "debug")) {
      this.#d.log("debug", "batch delivered", {
        records: list.length,
        ...c,
        latencyMs: Math.round(latencyMs),
      });
    }
  }

  /** The outcome to record, reading an overlap after an uncertain live call as our own stamp. */
  #settle(rec: ScanRecord, o: IflowOutcome): IflowOutcome {
    if (
      o.kind === "rejected" && o.field === "error_check_in_out" &&
      this.#liveUncertain.has(rec.seq) &&
      overlapNamesOwnLiveStamp(o.message, rec, this.#d.cfg.timeoutMs / 1000 + 120)
    ) {
      this.counters.live.savedByOverlap++;
      this.#d.log("info", "overlap names our own live stamp: the live call had stored it", {
        seq: rec.seq,
        message: clipForeign(o.message),
      });
      return { kind: "duplicate" };
    }
    return o;
  }

  async #sendLive(rec: ScanRecord): Promise<Step> {
    this.#liveTried.add(rec.seq);
    const res = await this.#timed((s) => this.#d.client.live(rec.rfidTag, s));
    const r = res.reply;
    if (r.kind === "auth") return r;
    const fb: LiveFeedback = {
      seq: rec.seq,
      reader: rec.reader,
      rfidTag: rec.rfidTag,
      stored: r.kind === "stored",
      certain: r.kind === "stored" || r.certain,
      latencyMs: res.latencyMs,
      atMs: this.#d.now(),
    };
    if (r.kind === "stored") {
      fb.userName = r.userName;
      fb.userId = r.userId;
      fb.action = r.action;
    } else fb.reason = r.reason;
    this.lastLive = fb;
    try {
      this.#d.onLive?.({ ...fb });
    } catch (err) {
      this.#d.log("warn", "live feedback hook threw", { error: msg(err) });
    }
    if (r.kind !== "stored") {
      this.counters.live.notStored++;
      if (!r.certain) {
        this.counters.live.uncertain++;
        this.#liveUncertain.add(rec.seq);
      }
      this.#d.log(
        "info",
        "live call did not store the scan; falling back to the offline endpoint",
        {
          seq: rec.seq,
          certain: r.certain,
          reason: r.reason,
        },
      );
      return { kind: "again" };
    }
    this.counters.live.stored++;
    try {
      await this.#d.journal.recordOutcomes([{ seq: rec.seq, outcome: { kind: "accepted" } }]);
    } catch (err) {
      // Stored at iFlow but not recorded: the offline resend will meet our live stamp.
      this.#liveUncertain.add(rec.seq);
      return { kind: "transient", reason: `journal: ${msg(err)}` };
    }
    this.#liveTried.delete(rec.seq);
    this.counters.records.accepted++;
    this.#durable.batches++;
    this.#durable.accepted++;
    this.lastSuccessAtMs = this.#d.now();
    return { kind: "sent", more: true };
  }
}
