/**
 * The sync engine: moves pending scans from the journal to iFlow, oldest
 * first, one request in flight, and records each record's outcome durably.
 *
 * - Batches fit `batchSize` and `maxUrlBytes` (a single record always goes);
 *   HTTP 414 halves the batch (and lowers the URL limit) and retries at once.
 * - Transient failures retry the whole batch after a full-jitter backoff
 *   (honouring `Retry-After`); per-record outcomes are final.
 * - An auth failure stops sending, raises the `auth-failed` alarm and
 *   re-checks every `authRecheckMs` (with the oldest batch, or an empty one);
 *   the agent keeps journaling meanwhile.
 * - At start with a backlog, and after an outage ends, the engine waits a
 *   random delay up to `reconnectJitterMs` before draining the backlog.
 * - Online with no backlog, `wake()` (called after each append) sends a new
 *   scan at once; `pollMs` is the fallback check.
 * - `mode: "live"`: see `live_guard.ts` for how uncertain live calls avoid
 *   double counting.
 *
 * @module
 */

import {
  IflowClient,
  type IflowConfig,
  type IflowOutcome,
  type Logger,
  redactingLogger,
  type WireRecord,
} from "../iflow/mod.ts";
import type { ScanRecord } from "../journal/mod.ts";
import { Backoff } from "./backoff.ts";
import { LatencyHistogram } from "./histogram.ts";
import { overlapNamesOwnLiveStamp } from "./live_guard.ts";
import type {
  LiveFeedback,
  SyncAlarm,
  SyncCounters,
  SyncEngineOptions,
  SyncJournal,
  SyncOnceResult,
  SyncProgress,
  SyncState,
  SyncStatus,
} from "./types.ts";

type Step =
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

/**
 * Sends journaled scans to iFlow.
 *
 * @example
 * ```ts
 * import { parseIflowConfig, SyncEngine } from "@pontaj/pontaj/service";
 * declare const journal: import("@pontaj/pontaj/service").SyncJournal;
 * const engine = new SyncEngine(journal, { iflow: parseIflowConfig({ accessToken: "8731560042" }) });
 * engine.start();
 * // after each journal.append(): engine.wake();
 * await engine.stop();
 * ```
 */
export class SyncEngine {
  readonly #journal: SyncJournal;
  readonly #cfg: IflowConfig;
  readonly #client: IflowClient;
  readonly #log: Logger;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #onLive?: (f: LiveFeedback) => void;
  readonly #backoff: Backoff;
  readonly #latency = new LatencyHistogram();
  readonly #counters: SyncCounters = {
    batches: { ok: 0, transient: 0, auth: 0, tooLong: 0 },
    records: { accepted: 0, duplicate: 0, rejected: 0 },
    retries: 0,
    live: { stored: 0, notStored: 0, uncertain: 0, savedByOverlap: 0 },
  };
  #state: SyncState = "idle";
  #lastError: string | null = null;
  #lastErrorAt: number | null = null;
  #lastSuccessAt: number | null = null;
  #nextAttemptAt: number | null = null;
  #lastLatency: number | null = null;
  #lastLive: LiveFeedback | null = null;
  #alarms = new Map<SyncAlarm["code"], SyncAlarm>();
  #batchLimit: number;
  #urlLimit: number;
  #outage = false;
  #authFailed = false;
  #liveTried = new Set<number>();
  #liveUncertain = new Set<number>();
  #loop: Promise<void> | null = null;
  #busy = false;
  #stopping = false;
  #woken = false;
  #sleeper: (() => void) | null = null;
  #sleepWakeable = false;
  #inflight: AbortController | null = null;
  #stopped: Promise<void> | null = null;

  /** Creates an engine over `journal`; nothing is sent until `start()` or `syncOnce()`. */
  constructor(journal: SyncJournal, opts: SyncEngineOptions) {
    this.#journal = journal;
    this.#cfg = opts.iflow;
    this.#client = new IflowClient(opts.iflow);
    this.#log = redactingLogger(opts.logger ?? (() => {}), opts.iflow.accessToken);
    this.#random = opts.random ?? Math.random;
    this.#now = opts.now ?? Date.now;
    this.#onLive = opts.onLive;
    this.#backoff = new Backoff({
      baseMs: this.#cfg.backoffBaseMs,
      capMs: this.#cfg.backoffCapMs,
      random: this.#random,
    });
    this.#batchLimit = this.#cfg.batchSize;
    this.#urlLimit = this.#cfg.maxUrlBytes;
  }

  /** Starts the background loop (once). */
  start(): void {
    if (this.#loop || this.#stopping) return;
    if (this.#busy) throw new Error("SyncEngine.start: syncOnce is running");
    this.#loop = this.#run();
  }

  /** Tells the engine a scan was just journaled: an idle engine sends at once. */
  wake(): void {
    this.#woken = true;
    if (this.#sleeper && this.#sleepWakeable) this.#sleeper();
  }

  /**
   * Stops the engine. A request in flight gets up to `graceMs` (default
   * `timeoutMs`) for its reply to be recorded; after that it is aborted and its
   * records stay pending. Releases the HTTP client: the engine cannot restart.
   */
  stop(graceMs: number = this.#cfg.timeoutMs): Promise<void> {
    this.#stopped ??= this.#stop(graceMs);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#sleeper?.();
    const running = this.#loop;
    if (running) {
      const timer = setTimeout(() => this.#inflight?.abort(), graceMs);
      await running;
      clearTimeout(timer);
    }
    this.#client.close();
    this.#state = "stopped";
  }

  /** A status snapshot (token-free). */
  status(): SyncStatus {
    let pending = 0;
    let oldestPendingMs: number | null = null;
    try {
      const s = this.#journal.stats();
      pending = s.pending;
      oldestPendingMs = s.oldestPendingMs;
    } catch { /* journal closed: report zeros */ }
    return {
      state: this.#state,
      lastError: this.#lastError,
      lastErrorAtMs: this.#lastErrorAt,
      lastSuccessAtMs: this.#lastSuccessAt,
      nextAttemptAtMs: this.#nextAttemptAt,
      alarms: [...this.#alarms.values()].map((a) => ({ ...a })),
      counters: structuredClone(this.#counters),
      lastLatencyMs: this.#lastLatency,
      latency: this.#latency.snapshot(),
      pending,
      oldestPendingMs,
      batchLimit: this.#batchLimit,
      urlLimit: this.#urlLimit,
      lastLive: this.#lastLive ? { ...this.#lastLive } : null,
    };
  }

  /**
   * Drains the backlog now through the offline endpoint (for `cli sync --once`);
   * gives up after `maxRetries` consecutive transient failures or an auth failure.
   * Not while the background loop runs.
   */
  async syncOnce(
    opts: { onProgress?: (p: SyncProgress) => void; maxRetries?: number } = {},
  ): Promise<SyncOnceResult> {
    if (this.#loop) throw new Error("SyncEngine.syncOnce: the engine is running");
    if (this.#busy) throw new Error("SyncEngine.syncOnce: already running");
    this.#busy = true;
    const maxRetries = opts.maxRetries ?? 5;
    const p: SyncProgress = {
      batches: 0,
      sent: 0,
      accepted: 0,
      duplicate: 0,
      rejected: 0,
      pending: 0,
    };
    const done = (ok: boolean, error?: string): SyncOnceResult => {
      p.pending = this.status().pending;
      this.#state = this.#stopping ? "stopped" : this.#authFailed ? "auth-failed" : "idle";
      return error === undefined ? { ...p, ok } : { ...p, ok, error };
    };
    try {
      while (!this.#stopping) {
        const step = await this.#step(false);
        if (step.kind === "empty") return done(true);
        if (step.kind === "sent") {
          p.batches++;
          p.accepted += step.accepted;
          p.duplicate += step.duplicate;
          p.rejected += step.rejected;
          p.sent += step.accepted + step.duplicate + step.rejected;
          p.pending = this.status().pending;
          opts.onProgress?.({ ...p });
        } else if (step.kind === "auth") {
          this.#enterAuthFailed(step.reason);
          return done(false, `iFlow refused the device token: ${step.reason}`);
        } else if (step.kind === "transient") {
          if (this.#backoff.attempt >= maxRetries) {
            return done(false, `giving up after ${maxRetries + 1} attempts: ${step.reason}`);
          }
          await this.#pauseAfterFailure(step);
        }
      }
      return done(false, "stopped");
    } finally {
      this.#busy = false;
    }
  }

  // ---- loop ---------------------------------------------------------------

  async #run(): Promise<void> {
    try {
      if (this.#cfg.reconnectJitterMs > 0 && this.status().pending > 0) {
        await this.#jitterPause("start with a backlog");
      }
      while (!this.#stopping) {
        if (this.#authFailed) {
          this.#state = "auth-failed";
          this.#nextAttemptAt = this.#now() + this.#cfg.authRecheckMs;
          await this.#sleep(this.#cfg.authRecheckMs, false);
          if (this.#stopping) break;
          await this.#recheckAuth();
          continue;
        }
        this.#woken = false;
        const step = await this.#step(true);
        if (this.#stopping) break;
        switch (step.kind) {
          case "empty":
            this.#state = "idle";
            this.#nextAttemptAt = null;
            if (!this.#woken) await this.#sleep(this.#cfg.pollMs, true);
            break;
          case "sent":
            if (this.#outage) {
              this.#outage = false;
              if (step.more && this.#cfg.reconnectJitterMs > 0) {
                await this.#jitterPause("outage over");
              }
            }
            break;
          case "again":
            break;
          case "transient":
            await this.#pauseAfterFailure(step);
            break;
          case "auth":
            this.#enterAuthFailed(step.reason);
            break;
        }
      }
    } catch (err) {
      this.#log("error", "sync engine loop failed", { error: msg(err) });
      this.#fail(`internal: ${msg(err)}`);
    } finally {
      this.#state = "stopped";
      this.#nextAttemptAt = null;
    }
  }

  async #pauseAfterFailure(step: { reason: string; retryAfterMs?: number }): Promise<void> {
    const delay = this.#backoff.next(step.retryAfterMs);
    this.#outage = true;
    this.#counters.retries++;
    this.#state = "backoff";
    this.#nextAttemptAt = this.#now() + delay;
    this.#log("warn", "iFlow request failed; retrying the whole batch", {
      reason: step.reason,
      attempt: this.#backoff.attempt,
      retryInMs: delay,
    });
    await this.#sleep(delay, false);
  }

  async #jitterPause(why: string): Promise<void> {
    const delay = Math.floor(this.#random() * this.#cfg.reconnectJitterMs);
    this.#state = "backoff";
    this.#nextAttemptAt = this.#now() + delay;
    this.#log("info", "reconnect jitter before draining the backlog", { why, delayMs: delay });
    await this.#sleep(delay, false);
  }

  #enterAuthFailed(reason: string): void {
    this.#counters.batches.auth++;
    this.#fail(`iFlow refused the device token: ${reason}`);
    if (!this.#authFailed) {
      this.#authFailed = true;
      this.#alarms.set("auth-failed", {
        code: "auth-failed",
        message: `iFlow refuses the device access token (${reason}); sending stopped, ` +
          `scans are still journaled; re-checking every ${
            Math.round(this.#cfg.authRecheckMs / 1000)
          } s`,
        sinceMs: this.#now(),
      });
      this.#log("error", "iFlow refused the device token; sending stopped", {
        reason,
        recheckMs: this.#cfg.authRecheckMs,
      });
    }
    this.#state = "auth-failed";
  }

  async #recheckAuth(): Promise<void> {
    let step: Step = await this.#step(false);
    if (step.kind === "empty") step = await this.#probe();
    if (step.kind === "auth") {
      this.#enterAuthFailed(step.reason);
      return;
    }
    if (step.kind === "transient") {
      this.#fail(step.reason);
      return; // still unknown: stay in auth-failed, check again later
    }
    this.#authFailed = false;
    this.#alarms.delete("auth-failed");
    this.#backoff.reset();
    this.#log("info", "iFlow accepts the device token again; sending resumed");
  }

  async #probe(): Promise<Step> {
    const res = await this.#request([]);
    const r = res.reply;
    if (r.kind === "ok") {
      return { kind: "sent", more: false, accepted: 0, duplicate: 0, rejected: 0 };
    }
    if (r.kind === "auth") return r;
    return { kind: "transient", reason: r.reason };
  }

  #sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.#sleeper === done) this.#sleeper = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#sleeper = done;
      this.#sleepWakeable = wakeable;
    });
  }

  #fail(reason: string): void {
    this.#lastError = this.#client.redact(reason);
    this.#lastErrorAt = this.#now();
  }

  async #request(wires: WireRecord[]) {
    this.#state = "sending";
    this.#nextAttemptAt = null;
    const ac = new AbortController();
    this.#inflight = ac;
    try {
      const res = await this.#client.send(wires, ac.signal);
      this.#latency.observe(res.latencyMs);
      this.#lastLatency = res.latencyMs;
      return res;
    } finally {
      this.#inflight = null;
    }
  }

  // ---- one step -----------------------------------------------------------

  async #step(allowLive: boolean): Promise<Step> {
    let recs: ScanRecord[];
    try {
      recs = await this.#journal.pending(this.#cfg.batchSize);
    } catch (err) {
      this.#fail(`journal: ${msg(err)}`);
      return { kind: "transient", reason: `journal: ${msg(err)}` };
    }
    if (recs.length === 0) return { kind: "empty" };
    const first = recs[0]!;
    if (
      allowLive && this.#cfg.mode === "live" && !this.#liveTried.has(first.seq) &&
      Math.abs(this.#now() - first.epochMs) < this.#cfg.liveMaxAgeMs
    ) return await this.#sendLive(first);

    const wires = recs.map(wireOf);
    const n = this.#client.fitCount(wires, this.#batchLimit, this.#urlLimit);
    const batch = recs.slice(0, n);
    const res = await this.#request(wires.slice(0, n));
    const r = res.reply;
    if (r.kind === "transient") {
      this.#counters.batches.transient++;
      this.#fail(r.reason);
      return r;
    }
    if (r.kind === "auth") return r;
    if (r.kind === "too-long") {
      this.#counters.batches.tooLong++;
      this.#urlLimit = Math.min(this.#urlLimit, res.urlBytes - 1);
      if (n > 1) {
        this.#batchLimit = Math.max(1, n >> 1);
        this.#counters.retries++;
        this.#log("info", "HTTP 414: halving the batch", { from: n, to: this.#batchLimit });
        return { kind: "again" };
      }
      const reason = `HTTP 414 for a single record (seq ${first.seq}, URL ${res.urlBytes} bytes)`;
      this.#alarms.set("record-too-long", {
        code: "record-too-long",
        message: reason,
        sinceMs: this.#now(),
      });
      this.#fail(reason);
      return { kind: "transient", reason };
    }
    const list = batch.map((rec, i) => ({
      seq: rec.seq,
      outcome: this.#settle(rec, r.outcomes[i]!),
    }));
    try {
      await this.#journal.recordOutcomes(list);
    } catch (err) {
      // iFlow has them; they stay pending and a resend reports duplicates.
      this.#fail(`journal: ${msg(err)}`);
      return { kind: "transient", reason: `journal: ${msg(err)}` };
    }
    this.#counters.batches.ok++;
    this.#batchLimit = this.#cfg.batchSize;
    this.#alarms.delete("record-too-long");
    this.#backoff.reset();
    this.#lastSuccessAt = this.#now();
    const step = {
      kind: "sent" as const,
      more: recs.length > n,
      accepted: 0,
      duplicate: 0,
      rejected: 0,
    };
    for (let i = 0; i < list.length; i++) {
      const { seq, outcome } = list[i]!;
      this.#liveTried.delete(seq);
      this.#liveUncertain.delete(seq);
      step[outcome.kind]++;
      this.#counters.records[outcome.kind]++;
      if (outcome.kind === "rejected") {
        this.#log("warn", "iFlow rejected a scan (final)", {
          seq,
          rfidTag: batch[i]!.rfidTag,
          date: batch[i]!.date,
          time: batch[i]!.time,
          field: outcome.field,
          message: outcome.message,
        });
      }
    }
    if (recs.length === this.#cfg.batchSize) step.more = true;
    this.#log("debug", "batch delivered", {
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
      overlapNamesOwnLiveStamp(o.message, rec, this.#cfg.timeoutMs / 1000 + 120)
    ) {
      this.#counters.live.savedByOverlap++;
      this.#log("info", "overlap names our own live stamp: the live call had stored it", {
        seq: rec.seq,
        message: o.message,
      });
      return { kind: "duplicate" };
    }
    return o;
  }

  async #sendLive(rec: ScanRecord): Promise<Step> {
    this.#liveTried.add(rec.seq);
    this.#state = "sending";
    const ac = new AbortController();
    this.#inflight = ac;
    let res;
    try {
      res = await this.#client.live(rec.rfidTag, ac.signal);
    } finally {
      this.#inflight = null;
    }
    this.#latency.observe(res.latencyMs);
    this.#lastLatency = res.latencyMs;
    const r = res.reply;
    if (r.kind === "auth") return r;
    const fb: LiveFeedback = {
      seq: rec.seq,
      reader: rec.reader,
      rfidTag: rec.rfidTag,
      stored: r.kind === "stored",
      certain: r.kind === "stored" || r.certain,
      latencyMs: res.latencyMs,
      atMs: this.#now(),
    };
    if (r.kind === "stored") {
      fb.userName = r.userName;
      fb.userId = r.userId;
      fb.action = r.action;
    } else fb.reason = r.reason;
    this.#lastLive = fb;
    try {
      this.#onLive?.({ ...fb });
    } catch (err) {
      this.#log("warn", "live feedback hook threw", { error: msg(err) });
    }
    if (r.kind !== "stored") {
      this.#counters.live.notStored++;
      if (!r.certain) {
        this.#counters.live.uncertain++;
        this.#liveUncertain.add(rec.seq);
      }
      this.#log("info", "live call did not store the scan; falling back to the offline endpoint", {
        seq: rec.seq,
        certain: r.certain,
        reason: r.reason,
      });
      return { kind: "again" };
    }
    this.#counters.live.stored++;
    try {
      await this.#journal.recordOutcomes([{ seq: rec.seq, outcome: { kind: "accepted" } }]);
    } catch (err) {
      // Stored at iFlow but not recorded: the offline resend will meet our live stamp.
      this.#liveUncertain.add(rec.seq);
      this.#fail(`journal: ${msg(err)}`);
      return { kind: "transient", reason: `journal: ${msg(err)}` };
    }
    this.#liveTried.delete(rec.seq);
    this.#counters.records.accepted++;
    this.#backoff.reset();
    this.#lastSuccessAt = this.#now();
    return { kind: "sent", more: true, accepted: 1, duplicate: 0, rejected: 0 };
  }
}
