/**
 * The agent: opens the journal, starts the sync engine, supervises every
 * reader, runs each card read through the scan pipeline, and serves status.
 * `stop()` is the SIGTERM path: readers first, then in-flight appends, then
 * the sync (an in-flight batch gets its reply recorded or stays pending),
 * then the status server and the journal.
 *
 * @module
 */

import type { Config } from "./config/schema.ts";
import type { TagFormat } from "../driver/tag.ts";
import { Journal } from "./journal/journal.ts";
import { SpooledJournal } from "./journal/spool.ts";
import type { ScanInput } from "./journal/types.ts";
import type { JournalFs } from "./journal/fs.ts";
import type { Logger } from "./log.ts";
import { ScanPipeline, type ScanStore } from "./pipeline/scan_pipeline.ts";
import { devicesFor } from "./readers/factory.ts";
import type { DeviceOverrides } from "./readers/kind.ts";
import { ReaderSupervisor } from "./readers/supervisor.ts";
import type { ReaderDriver, ScanFeedback } from "./readers/types.ts";
// Capture code (session, tap, writer) is loaded by `import()` when a capture starts (issue #19).
import type { CaptureSummary } from "../driver/capture/session.ts";
import type { CaptureOutput } from "../driver/capture/writer.ts";
import { SyncEngine } from "./sync/engine.ts";
import { startStatusServer, type StatusServer } from "./status/server.ts";
import { memoryStatus, type ReaderStatus, type StatusSnapshot } from "./status/snapshot.ts";
import { PACKAGE_VERSION } from "./iflow/config.ts";
import { syncStatusForSnapshot } from "./sync_status.ts";
import { exportObjects, parseSince } from "./export_row.ts";
import { AgentGates } from "./gates/agent_gates.ts";
import { type MemoryTrimmer, startMemoryTrimmer } from "./memory_trim.ts";
import type { GateSet } from "./gates/gates.ts";

/** Options beyond the config. */
export interface AgentOptions {
  /** Log sink (redacting). */
  logger: Logger;
  /** Serve status (default true; `sync --once` and tests may turn it off). */
  statusServer?: boolean;
  /** Wall clock for scans (tests set it). */
  now?: () => number;
  /**
   * Simulated kernel layers for devices that cannot exist here (the demo, tests; see
   * `demoDeviceOverrides` in `@pontaj/pontaj/testing`).
   * @internal
   */
  devices?: DeviceOverrides;
  /**
   * The journal's file layer (default: the real one); the reliability tests inject faults here.
   * @internal
   */
  journalFs?: JournalFs;
}

/** Adapts the spool's result to "seq once durable, null if not kept". */
function durableStore(
  spool: SpooledJournal,
  waiting: Map<ScanInput, (seq: number | null) => void>,
): ScanStore {
  return {
    async submit(scan) {
      const r = await spool.submit(scan);
      if (r.status === "journaled") return r.seq;
      if (r.status === "dropped") return null;
      return await new Promise<number | null>((resolve) => waiting.set(scan, resolve));
    },
  };
}

/** A running agent. */
export class Agent {
  /** The config it runs. */
  readonly config: Config;
  /** Random id of this start. */
  readonly bootId: string = crypto.randomUUID().slice(0, 8);
  /** Epoch ms it started. */
  readonly startedAt: number = Date.now();
  readonly #log: Logger;
  readonly #journal: Journal;
  readonly #spool: SpooledJournal;
  readonly #sync: SyncEngine;
  readonly #pipeline: ScanPipeline;
  readonly #supervisors: { kind: string; sup: ReaderSupervisor }[] = [];
  #status: StatusServer | null = null;
  readonly #gates: AgentGates;
  /** Scans spooled in memory (disk failing), resolved once journaled or lost. */
  readonly #waiting = new Map<ScanInput, (seq: number | null) => void>();
  #stopping: Promise<void> | null = null;
  #markStopped: () => void = () => {};
  readonly #stopped = new Promise<void>((r) => this.#markStopped = r);
  #trimmer: MemoryTrimmer | null = null;

  private constructor(
    config: Config,
    opts: AgentOptions,
    journal: Journal,
    gates: AgentGates,
  ) {
    this.config = config;
    this.#log = opts.logger;
    this.#journal = journal;
    this.#gates = gates;
    const waiting = this.#waiting;
    this.#spool = new SpooledJournal(journal, {
      capacity: config.journal.queueLimit,
      logger: opts.logger,
      onFlushed: (scan, seq) => {
        waiting.get(scan)?.(seq);
        waiting.delete(scan);
      },
    });
    this.#sync = new SyncEngine(gates.syncJournal(), {
      iflow: config.iflow,
      logger: opts.logger,
      onLive: (f) => gates.live(f),
    });
    const tagFormats = new Map<string, TagFormat>(
      config.readers.map((r) => [r.name, r.tagFormat as TagFormat]),
    );
    this.#pipeline = new ScanPipeline({
      timezone: config.timezone,
      debounceMs: config.debounceMs,
      bootId: this.bootId,
      store: durableStore(this.#spool, waiting),
      tagFormats,
      lastJournaledAtMs: journal.stats().newestEpochMs,
      now: opts.now,
      onAccepted: (scan) => gates.accepted(scan),
      onJournaled: (scan, seq) => {
        this.#sync.wake();
        gates.journaled(scan, seq);
        this.#log("info", "scan journaled", {
          seq,
          reader: scan.reader,
          rfidTag: scan.rfidTag,
          date: scan.date,
          time: scan.time,
        });
        if (!gates.hasReader(scan.reader)) this.#feedback(scan.reader, "journaled");
      },
      onLost: (scan, err) => {
        gates.lost(scan);
        this.#log("error", "scan could not be kept", {
          reader: scan.reader,
          rfidTag: scan.rfidTag,
          error: err,
        });
      },
    });
  }

  /** Opens the journal and starts readers, sync and status. */
  static async start(config: Config, opts: AgentOptions): Promise<Agent> {
    const journal = await Journal.open(config.journal.dir, {
      segmentBytes: config.journal.segmentBytes,
      archive: config.journal.archive,
      archiveDays: config.journal.archiveDays,
      keepDamagedDays: config.journal.keepDamagedDays,
      logger: opts.logger,
      fs: opts.journalFs,
    });
    const gates = await AgentGates.open(config, journal, opts.logger);
    const agent = new Agent(config, opts, journal, gates);
    try {
      await agent.#start(opts.statusServer ?? true, opts.devices ?? {});
    } catch (err) {
      await agent.stop();
      throw err;
    }
    return agent;
  }

  async #start(withStatus: boolean, overrides: DeviceOverrides): Promise<void> {
    const log = this.#log;
    await this.#gates.start({
      syncStatus: () => this.#sync.status(),
      feedback: (reader, granted) => this.#feedback(reader, granted ? "granted" : "denied"),
      readerOutput: (reader, output, on, pulseMs) =>
        this.#driverOf(reader)?.output?.(reader, output, on, pulseMs) ?? false,
      overrides,
      bootId: this.bootId,
      wake: () => this.#sync.wake(),
    });
    for (
      const device of devicesFor(this.config.readers, {
        warn: (reader, msg) => log("warn", msg, { reader }),
        log,
        overrides,
        stateDir: this.config.journal.dir,
      })
    ) {
      const sup = new ReaderSupervisor({
        names: device.names,
        create: device.create,
        onCard: (reader, read) => void this.#pipeline.handle(reader, read),
        log: (level, msg, fields) => log(level, msg, { ...fields, kind: device.kind }),
      });
      this.#supervisors.push({ kind: device.kind, sup });
      sup.start();
    }
    this.#sync.start();
    if (withStatus) {
      this.#status = await startStatusServer({
        listen: this.config.status.listen,
        token: this.config.status.token,
        allowedHosts: this.config.status.allowedHosts,
        snapshot: () => this.snapshot(),
        logger: log,
        actions: {
          retryRejected: (since) => this.retryRejected(parseSince(since)),
          export: (o) => exportObjects(this.#journal.export(o)),
          gates: this.#gates.routes(),
          capture: (reader, seconds) => this.captureBytes(reader, seconds),
        },
      });
    }
    this.#trimmer = startMemoryTrimmer(
      undefined,
      (why) => log("debug", "memory trim unavailable", { why }),
    );
    log("info", "agent started", {
      version: PACKAGE_VERSION,
      bootId: this.bootId,
      readers: this.config.readers.map((r) => `${r.name} (${r.kind})`),
      journal: this.config.journal.dir,
      iflow: this.config.iflow.url,
    });
  }

  /**
   * Records the raw traffic of the reader named `reader` for `seconds` into
   * `out`, while it keeps reading (scans go on as usual).
   *
   * Rejects with a `CaptureError` (service/readers/capture.ts, loaded here) for an
   * unknown reader or one that is not open.
   * @internal
   */
  async capture(reader: string, seconds: number, out: CaptureOutput): Promise<CaptureSummary> {
    const { CaptureError, captureReader } = await import("./readers/capture.ts");
    const entry = this.config.readers.find((r) => r.name === reader);
    const device = this.#supervisors.find(({ sup }) => sup.names.includes(reader));
    if (!entry || !device) throw new CaptureError(`no reader named ${JSON.stringify(reader)}`);
    const stop = new AbortController();
    void this.#stopped.then(() => stop.abort());
    this.#log("info", "capture started", { reader, seconds });
    const s = await captureReader({
      reader: entry,
      driver: () => device.sup.driver,
      watchOpen: (fn) => device.sup.watchOpen(fn),
      seconds,
      out,
      signal: stop.signal,
    });
    this.#log("info", "capture done", { reader, ...s });
    return s;
  }

  /**
   * {@link capture} into memory (at most 64 MiB): the file `POST /actions/capture` sends.
   * @internal
   */
  async captureBytes(reader: string, seconds: number): Promise<Uint8Array> {
    const { MemoryOutput } = await import("../driver/capture/writer.ts");
    const out = new MemoryOutput(64 * 1024 * 1024);
    await this.capture(reader, seconds, out);
    if (out.refused > 0) {
      this.#log("warn", "capture cut at 64 MiB; the file ends there", {
        reader,
        refusedBytes: out.refused,
      });
    }
    return out.bytes();
  }

  /** URL of the status server, if it runs. */
  get statusUrl(): string | null {
    return this.#status?.url ?? null;
  }

  /**
   * The scan pipeline (tests and the demo read its counters).
   * @internal
   */
  get pipeline(): ScanPipeline {
    return this.#pipeline;
  }

  /**
   * The gates (tests and the demo read their status).
   * @internal
   */
  get gates(): GateSet | null {
    return this.#gates.set;
  }

  #driverOf(reader: string): ReaderDriver | undefined {
    return this.#supervisors.find(({ sup }) => sup.names.includes(reader))?.sup.driver ?? undefined;
  }

  #feedback(reader: string, result: ScanFeedback): void {
    for (const { sup } of this.#supervisors) {
      if (sup.names.includes(reader)) sup.driver?.feedback?.(reader, result);
    }
  }

  /** Makes rejected scans (read at or after `since`, epoch ms) pending again. */
  async retryRejected(since?: number): Promise<number> {
    const seqs: number[] = [];
    for await (const row of this.#journal.export({ state: "rejected", since })) seqs.push(row.seq);
    const n = await this.#journal.reopen(seqs);
    if (n > 0) this.#sync.wake();
    this.#log("info", "rejected scans made pending again", { count: n });
    return n;
  }

  /**
   * Everything status reports, now (what `/health` serves as JSON).
   * @internal
   */
  snapshot(): StatusSnapshot {
    const js = this.#journal.stats();
    const spool = this.#spool.stats();
    const sync = syncStatusForSnapshot(this.#sync.status());
    const readers: ReaderStatus[] = [];
    for (const { kind, sup } of this.#supervisors) {
      for (const name of sup.names) {
        const c = this.#pipeline.reader(name);
        readers.push({
          name,
          kind,
          state: sup.state === "online" ? sup.driver?.state?.(name) ?? "online" : sup.state,
          lastError: sup.driver?.health?.(name).lastError ?? sup.lastError,
          scans: c.scans,
          debounced: c.debounced,
          decodeErrors: sup.driver?.decodeErrors(name) ?? 0,
          reconnects: sup.reconnects,
          lastScanAt: c.lastScanAt,
          details: sup.driver?.details?.(name),
          ...sup.driver?.lineReport?.(name),
        });
      }
    }
    const degraded: string[] = [];
    const alarms = this.#sync.status().alarms.map((a) => a.message);
    const jDegraded = js.degraded ?? (spool.status === "ok" ? null : spool.status);
    if (jDegraded) degraded.push(`journal ${jDegraded}`);
    if (js.corruption.count > 0) degraded.push(`journal corruption found (${js.corruption.count})`);
    if (spool.dropped > 0) {
      alarms.push(`${spool.dropped} scan(s) could not be kept (memory queue full)`);
    }
    const warnings: string[] = [];
    for (const { sup } of this.#supervisors) {
      for (const name of sup.names) {
        const h = sup.state === "online" ? sup.driver?.health?.(name) : undefined;
        if (h?.degraded) degraded.push(`reader ${name} ${h.degraded}`);
        if (h?.warning) warnings.push(`reader ${name} ${h.warning}`);
      }
    }
    for (const r of readers) {
      const own = degraded.some((d) => d.startsWith(`reader ${r.name} `));
      if (r.state === "offline" && !own) {
        degraded.push(`reader ${r.name} offline: ${r.lastError ?? "?"}`);
      }
    }
    const gates = this.#gates.set?.status();
    for (const g of gates ?? []) {
      if (g.relayError) degraded.push(`gate ${g.name}: ${g.relayError}`);
    }
    if (alarms.length > 0) degraded.push(...alarms.filter((a) => !degraded.includes(a)));
    const now = Date.now();
    const stuckMs = js.oldestPendingAtMs === null ? 0 : now - js.oldestPendingAtMs;
    if (sync.lastError && stuckMs > 10 * 60_000) {
      degraded.push(`sync stuck: oldest pending scan is ${Math.round(stuckMs / 60_000)} min old`);
    }
    return {
      version: PACKAGE_VERSION,
      bootId: this.bootId,
      startedAt: this.startedAt,
      now,
      healthy: degraded.length === 0,
      degraded,
      alarms,
      warnings,
      lastError: sync.lastError ?? spool.lastError ?? readers.find((r) => r.lastError)?.lastError ??
        null,
      memory: memoryStatus(),
      pipeline: {
        read: this.#pipeline.counters.read,
        journaled: this.#pipeline.counters.journaled,
        debounced: this.#pipeline.counters.debounced,
        clockUnsynced: this.#pipeline.counters.clockUnsynced,
      },
      readers,
      journal: {
        total: js.total,
        pending: js.pending,
        rejected: js.rejected,
        synced: js.synced,
        events: js.events,
        held: js.held,
        notPassed: js.notPassed,
        heldExpired: js.heldExpired,
        bytes: js.bytes,
        segments: js.segments,
        oldestPendingAgeMs: js.oldestPendingAtMs === null
          ? null
          : Math.max(0, now - js.oldestPendingAtMs),
        corruption: js.corruption,
        queued: spool.queued,
        dropped: spool.dropped,
        degraded: jDegraded,
      },
      sync,
      gates,
      statusServer: this.#status?.stats(),
    };
  }

  /** Stops everything in order; resolves when the journal is closed. */
  stop(): Promise<void> {
    this.#markStopped();
    this.#trimmer?.stop();
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#log("info", "stopping: readers");
    await Promise.all(this.#supervisors.map(({ sup }) => sup.stop()));
    this.#log("info", "stopping: in-flight appends");
    // Wait for appends to reach the disk; scans spooled in memory (disk
    // failing) get one last flush when the spool closes.
    while (this.#pipeline.inFlight > this.#waiting.size) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await this.#gates.stopGates();
    this.#log("info", "stopping: sync");
    await this.#sync.stop();
    await this.#gates.close();
    await this.#status?.close();
    await this.#spool.close();
    for (const resolve of this.#waiting.values()) resolve(null);
    this.#waiting.clear();
    await this.#pipeline.drain();
    this.#log("info", "stopped");
  }
}
