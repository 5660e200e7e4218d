/**
 * The sync engine: moves pending scans from the journal to iFlow, oldest
 * first, one request in flight, and records each record's outcome durably.
 *
 * - Batches fit `batchSize` and `maxUrlBytes` (a single record always goes);
 *   HTTP 414 halves the batch (and lowers the URL limit) and retries at once.
 * - Transient failures retry the whole batch after a full-jitter backoff
 *   (`Retry-After` is a floor with jitter on top); per-record outcomes are
 *   final. Every delay comes from {@link SyncSchedule} (`schedule.ts`).
 * - An auth failure stops sending, raises the `auth-failed` alarm and
 *   re-checks every `authRecheckMs` (with the oldest batch, or an empty one);
 *   the agent keeps journaling meanwhile.
 * - At start with a backlog, and after an outage ends (first success after
 *   failures, with more to send), the engine waits a random delay up to
 *   `reconnectJitterMs` before draining the rest, so a fleet does not stampede.
 * - Online with no backlog, `wake()` (called after each append) sends a new
 *   scan at once; `pollMs` is the fallback check.
 * - `mode: "live"`: see `live_guard.ts` for how uncertain live calls avoid
 *   double counting.
 *
 * @module
 */

// The iFlow modules one by one: iflow/mod.ts also re-exports the simulator, which the agent does not need.
import { IflowClient } from "../iflow/client.ts";
import type { IflowConfig } from "../iflow/config.ts";
import { type Logger, redactingLogger } from "../iflow/redact.ts";
import { clipForeign } from "../clip.ts";
import { SyncSchedule } from "./schedule.ts";
import { Sender, type Step } from "./sender.ts";
import type {
  SyncAlarm,
  SyncEngineOptions,
  SyncJournal,
  SyncOnceResult,
  SyncProgress,
  SyncState,
  SyncStatus,
} from "./types.ts";

/** Longest `lastError` kept (it quotes iFlow's text, already clipped to fewer characters). */
const LAST_ERROR_MAX = 400;

/** The logger when none is given: writes nothing, so no line is built. */
const SILENT: Logger = Object.assign(() => {}, { level: "error" as const });

function msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Sends journaled scans to iFlow.
 *
 * @example
 * ```ts
 * import { SyncEngine } from "@pontaj/pontaj/service";
 * import { parseIflowConfig } from "../iflow/mod.ts";
 * declare const journal: import("@pontaj/pontaj/service").SyncJournal;
 * const engine = new SyncEngine(journal, { iflow: parseIflowConfig({ accessToken: "87315600429917345" }) });
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
  readonly #now: () => number;
  readonly #schedule: SyncSchedule;
  readonly #sender: Sender;
  #state: SyncState = "idle";
  #lastError: string | null = null;
  #lastErrorAt: number | null = null;
  #nextAttemptAt: number | null = null;
  #authAlarm: SyncAlarm | null = null;
  #loop: Promise<void> | null = null;
  #busy = false;
  #stopping = false;
  #stopped: Promise<void> | null = null;
  #woken = false;
  #sleeper: (() => void) | null = null;
  #sleepWakeable = false;

  /** Creates an engine over `journal`; nothing is sent until `start()` or `syncOnce()`. */
  constructor(journal: SyncJournal, opts: SyncEngineOptions) {
    this.#journal = journal;
    this.#cfg = opts.iflow;
    this.#client = new IflowClient(opts.iflow);
    this.#log = opts.logger ? redactingLogger(opts.logger, opts.iflow.accessToken) : SILENT;
    this.#now = opts.now ?? Date.now;
    const { backoffBaseMs, backoffCapMs, reconnectJitterMs } = this.#cfg;
    this.#schedule = new SyncSchedule({
      backoffBaseMs,
      backoffCapMs,
      reconnectJitterMs,
      random: opts.random ?? Math.random,
    });
    this.#sender = new Sender({
      journal,
      client: this.#client,
      cfg: this.#cfg,
      log: this.#log,
      now: this.#now,
      onLive: opts.onLive,
      onSending: () => {
        if (this.#authAlarm) return; // a re-check: still "auth-failed" until it succeeds
        this.#state = "sending";
        this.#nextAttemptAt = null;
      },
    });
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
   * Idempotent.
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
      const timer = setTimeout(() => this.#sender.abortInflight(), graceMs);
      await running;
      clearTimeout(timer);
    }
    this.#client.close();
    this.#state = "stopped";
  }

  /** Records the journal holds as pending (0 when it cannot say). */
  #pendingCount(): number {
    try {
      return this.#journal.stats().pending;
    } catch {
      return 0; // journal closed
    }
  }

  /** A status snapshot (token-free). */
  status(): SyncStatus {
    let pending = 0;
    let oldestPendingAtMs: number | null = null;
    try {
      const s = this.#journal.stats();
      pending = s.pending;
      oldestPendingAtMs = s.oldestPendingAtMs;
    } catch { /* journal closed: report zeros */ }
    const s = this.#sender;
    const alarms = [this.#authAlarm, s.tooLongAlarm].filter((a): a is SyncAlarm => a !== null);
    return {
      state: this.#state,
      lastError: this.#lastError,
      lastErrorAtMs: this.#lastErrorAt,
      lastSuccessAtMs: s.lastSuccessAtMs,
      nextAttemptAtMs: this.#nextAttemptAt,
      alarms: alarms.map((a) => ({ ...a })),
      counters: structuredClone(s.counters),
      lastLatencyMs: s.lastLatencyMs,
      latency: s.latency.snapshot(),
      pending,
      oldestPendingAtMs,
      batchLimit: s.batchLimit,
      urlLimit: s.urlLimit,
      lastLive: s.lastLive ? { ...s.lastLive } : null,
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
    /** Adds what became durable; tells `onProgress` when something did. */
    const count = () => {
      const d = this.#sender.takeDurable();
      if (d.batches === 0) return;
      p.batches += d.batches;
      p.accepted += d.accepted;
      p.duplicate += d.duplicate;
      p.rejected += d.rejected;
      p.sent += d.accepted + d.duplicate + d.rejected;
      p.pending = this.#pendingCount();
      opts.onProgress?.({ ...p });
    };
    const done = async (ok: boolean, error?: string): Promise<SyncOnceResult> => {
      // The last answered batch's outcomes are durable before the result says so.
      const failed = await this.#quiesce();
      if (failed !== null && ok) [ok, error] = [false, failed];
      count();
      p.pending = this.#pendingCount();
      this.#state = this.#stopping ? "stopped" : this.#authAlarm ? "auth-failed" : "idle";
      return error === undefined ? { ...p, ok } : { ...p, ok, error };
    };
    try {
      while (!this.#stopping) {
        const step = await this.#step(false);
        if (step.kind === "empty") return await done(true);
        if (step.kind === "sent") count();
        else if (step.kind === "auth") {
          return await done(false, this.#lastError ?? step.reason);
        } else if (step.kind === "transient") {
          if (this.#schedule.attempt >= maxRetries) {
            return await done(false, `giving up after ${maxRetries + 1} attempts: ${step.reason}`);
          }
          await this.#pauseAfterFailure(step);
        }
      }
      return await done(false, "stopped");
    } finally {
      this.#busy = false;
    }
  }

  // ---- loop ---------------------------------------------------------------

  /** One sender step with the engine's bookkeeping (errors, backoff reset, auth alarm). */
  async #step(allowLive: boolean): Promise<Step> {
    const step = await this.#sender.step(allowLive);
    if (step.kind === "transient") this.#fail(step.reason);
    else if (step.kind === "auth") this.#enterAuthFailed(step.reason);
    else if (step.kind === "sent") this.#schedule.delivered();
    return step;
  }

  async #run(): Promise<void> {
    try {
      const pending = this.#pendingCount();
      if (this.#cfg.reconnectJitterMs > 0 && pending > 0) {
        await this.#jitterPause("start with a backlog", this.#schedule.atStart(pending));
      }
      while (!this.#stopping) {
        if (this.#authAlarm) {
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
        if (step.kind === "empty") {
          this.#state = "idle";
          this.#nextAttemptAt = null;
          if (!this.#woken) await this.#sleep(this.#cfg.pollMs, true);
        } else if (step.kind === "sent" && this.#schedule.inOutage) {
          const pause = this.#schedule.recovered(step.more);
          this.#log("info", "iFlow reachable again");
          if (step.more && this.#cfg.reconnectJitterMs > 0) {
            await this.#jitterPause("outage over", pause ?? 0);
          }
        } else if (step.kind === "transient") {
          await this.#pauseAfterFailure(step);
        }
      }
    } catch (err) {
      this.#log("error", "sync engine loop failed", { error: msg(err) });
      this.#fail(`internal: ${msg(err)}`);
    } finally {
      // The last answered batch's outcomes are written before stop() resolves.
      const failed = await this.#quiesce();
      if (failed !== null) {
        this.#log("warn", "outcomes of the last batch not recorded; sent again next time", {
          reason: failed,
        });
      }
      this.#state = "stopped";
      this.#nextAttemptAt = null;
    }
  }

  /** Lets the sender finish; the reason (also kept as the last error) if outcomes failed to write. */
  async #quiesce(): Promise<string | null> {
    const failed = await this.#sender.quiesce();
    if (failed?.kind !== "transient") return null;
    this.#fail(failed.reason);
    return failed.reason;
  }

  async #pauseAfterFailure(step: { reason: string; retryAfterMs?: number }): Promise<void> {
    const delay = this.#schedule.failed(step.retryAfterMs);
    this.#sender.counters.retries++;
    this.#state = "backoff";
    this.#nextAttemptAt = this.#now() + delay;
    this.#log("warn", "iFlow request failed; retrying the whole batch", {
      reason: step.reason,
      attempt: this.#schedule.attempt,
      retryInMs: delay,
    });
    await this.#sleep(delay, false);
  }

  /** The pause that spreads a backlog's drain (`delay` from the schedule). */
  async #jitterPause(why: string, delay: number): Promise<void> {
    this.#state = "backoff";
    this.#nextAttemptAt = this.#now() + delay;
    this.#log("info", "reconnect jitter before draining the backlog", { why, delayMs: delay });
    await this.#sleep(delay, false);
  }

  #enterAuthFailed(reason: string): void {
    this.#sender.counters.batches.auth++;
    this.#fail(`iFlow refused the device token: ${reason}`);
    if (!this.#authAlarm) {
      this.#authAlarm = {
        code: "auth-failed",
        message: `iFlow refuses the device access token (${reason}); sending stopped, ` +
          `scans are still journaled; re-checking every ${
            Math.round(this.#cfg.authRecheckMs / 1000)
          } s`,
        sinceMs: this.#now(),
      };
      this.#log("error", "iFlow refused the device token; sending stopped", {
        reason,
        recheckMs: this.#cfg.authRecheckMs,
      });
    }
    this.#state = "auth-failed";
  }

  async #recheckAuth(): Promise<void> {
    let step: Step;
    do step = await this.#step(false); while (step.kind === "again" && !this.#stopping);
    if (step.kind === "empty") {
      step = await this.#sender.probe();
      if (step.kind === "auth") this.#enterAuthFailed(step.reason);
      else if (step.kind === "transient") this.#fail(step.reason);
    }
    // still refused, or still unknown (transient): stay on hold, check again later
    if (step.kind === "auth" || step.kind === "transient" || step.kind === "again") return;
    this.#authAlarm = null;
    this.#state = "idle";
    this.#schedule.reset();
    this.#log("info", "iFlow accepts the device token again; sending resumed");
  }

  #sleep(ms: number, wakeable: boolean): Promise<void> {
    this.#sender.startRecording(); // answered outcomes do not wait for the pause to end
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

  /** Keeps `reason` as the last error: the one place status and `/health` read it from. */
  #fail(reason: string): void {
    this.#lastError = clipForeign(this.#client.redact(reason), LAST_ERROR_MAX);
    this.#lastErrorAt = this.#now();
  }
}
