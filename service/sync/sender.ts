/**
 * One sync step: read the oldest pending records, send them (one batch to the
 * offline endpoint, or one fresh scan to the live endpoint), and record the
 * outcomes in the journal. Scheduling (backoff, auth hold, jitter, wake-ups)
 * is the engine's job; see `engine.ts`.
 *
 * @module
 */

import type {
  IflowClient,
  IflowConfig,
  IflowOutcome,
  Logger,
  SendResult,
  WireRecord,
} from "../iflow/mod.ts";
import type { ScanRecord } from "../journal/mod.ts";
import { LatencyHistogram } from "./histogram.ts";
import { overlapNamesOwnLiveStamp } from "./live_guard.ts";
import type { LiveFeedback, SyncAlarm, SyncCounters, SyncJournal } from "./types.ts";

/** What one step came to. */
export type Step =
  | { kind: "empty" }
  | { kind: "sent"; more: boolean; accepted: number; duplicate: number; rejected: number }
  | { kind: "again" }
  | { kind: "transient"; reason: string; retryAfterMs?: number }
  | { kind: "auth"; reason: string };

function wireOf(r: ScanRecord): WireRecord {
  return { date: r.date, time: r.time, rfidTag: r.rfidTag, errorMsg: r.errorMsg };
}

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

  /** Creates a sender. */
  constructor(deps: SenderDeps) {
    this.#d = deps;
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
    if (r.kind === "ok") {
      return { kind: "sent", more: false, accepted: 0, duplicate: 0, rejected: 0 };
    }
    if (r.kind === "auth") return r;
    return { kind: "transient", reason: r.reason };
  }

  /** One step: the oldest pending records to iFlow, outcomes to the journal. */
  async step(allowLive: boolean): Promise<Step> {
    const { cfg } = this.#d;
    let recs: ScanRecord[];
    try {
      recs = await this.#d.journal.pending(cfg.batchSize);
    } catch (err) {
      return { kind: "transient", reason: `journal: ${msg(err)}` };
    }
    if (recs.length === 0) return { kind: "empty" };
    const first = recs[0]!;
    if (
      allowLive && cfg.mode === "live" && !this.#liveTried.has(first.seq) &&
      Math.abs(this.#d.now() - first.epochMs) < cfg.liveMaxAgeMs
    ) return await this.#sendLive(first);

    const wires = recs.map(wireOf);
    const n = this.#d.client.fitCount(wires, this.batchLimit, this.urlLimit);
    const res = await this.#timed((s) => this.#d.client.send(wires.slice(0, n), s));
    return await this.#settleBatch(recs, n, res);
  }

  async #settleBatch(recs: ScanRecord[], n: number, res: SendResult): Promise<Step> {
    const r = res.reply;
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
        recs[0]!.seq
      }, URL ${res.urlBytes} bytes)`;
      this.tooLongAlarm ??= { code: "record-too-long", message: reason, sinceMs: this.#d.now() };
      return { kind: "transient", reason };
    }
    const batch = recs.slice(0, n);
    const list = batch.map((rec, i) => ({
      seq: rec.seq,
      outcome: this.#settle(rec, r.outcomes[i]!),
    }));
    try {
      await this.#d.journal.recordOutcomes(list);
    } catch (err) {
      // iFlow has them; they stay pending and a resend reports duplicates.
      return { kind: "transient", reason: `journal: ${msg(err)}` };
    }
    this.counters.batches.ok++;
    this.batchLimit = this.#d.cfg.batchSize;
    this.tooLongAlarm = null;
    this.lastSuccessAtMs = this.#d.now();
    const step = {
      kind: "sent" as const,
      more: recs.length > n || recs.length === this.#d.cfg.batchSize,
      accepted: 0,
      duplicate: 0,
      rejected: 0,
    };
    for (let i = 0; i < list.length; i++) {
      const { seq, outcome } = list[i]!;
      this.#liveTried.delete(seq);
      this.#liveUncertain.delete(seq);
      step[outcome.kind]++;
      this.counters.records[outcome.kind]++;
      if (outcome.kind === "rejected") {
        const b = batch[i]!;
        this.#d.log("warn", "iFlow rejected a scan (final)", {
          seq,
          rfidTag: b.rfidTag,
          date: b.date,
          time: b.time,
          field: outcome.field,
          message: outcome.message,
        });
      }
    }
    this.#d.log("debug", "batch delivered", {
      records: n,
      accepted: step.accepted,
      duplicate: step.duplicate,
      rejected: step.rejected,
      latencyMs: Math.round(res.latencyMs),
    });
    return step;
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
        message: o.message,
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
    this.lastSuccessAtMs = this.#d.now();
    return { kind: "sent", more: true, accepted: 1, duplicate: 0, rejected: 0 };
  }
}
