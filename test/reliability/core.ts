/**
 * The agent's storage and sync core, wired the way `service/agent.ts` wires
 * it (Journal → SpooledJournal in front → SyncEngine behind, woken after each
 * append), without readers or status, so the fault tests can run it on a
 * {@link FaultFs} in-process or in a child process and observe every
 * acknowledgement: a scan's seq once fsynced, an outcome once durable.
 *
 * @module
 */

import { parseIflowConfig } from "../../service/iflow/config.ts";
import { localStamp } from "../../service/clock.ts";
import { Journal } from "../../service/journal/journal.ts";
import type { JournalFs } from "../../service/journal/fs.ts";
import { SpooledJournal } from "../../service/journal/spool.ts";
import type {
  JournalLogger,
  JournalStats,
  Outcome,
  ScanInput,
} from "../../service/journal/types.ts";
import { exportObject } from "../../service/export_row.ts";
import { type ExportedRow, readArchive } from "./delivery.ts";
import { SyncEngine } from "../../service/sync/engine.ts";

/** A scan as the pipeline builds it (stamped now in Europe/Bucharest). */
export function scanOf(
  tag: string,
  reader: string,
  bootId: string,
  epochMs = Date.now(),
): ScanInput {
  const s = localStamp(epochMs, "Europe/Bucharest");
  return {
    reader,
    rfidTag: tag,
    epochMs,
    date: s.date,
    time: s.time,
    utcOffsetMin: s.utcOffsetMin,
    bootId,
    clockUnsynced: false,
    errorMsg: "",
  };
}

/** Options of {@link startCore}. */
export interface CoreOptions {
  /** Journal directory. */
  dir: string;
  /** File layer (a FaultFs). */
  fs?: JournalFs;
  /** iFlow offline endpoint. */
  iflowUrl: string;
  /** Device token. */
  token: string;
  /** Spool capacity (default 10,000, as the agent). */
  capacity?: number;
  /** Spool disk retry period (default 3000 ms, as the agent). */
  retryMs?: number;
  /** Segment size (default 4096). */
  segmentBytes?: number;
  /** Log sink. */
  logger?: JournalLogger;
  /** A scan is durable (fsynced) under `seq`. */
  onAck?: (seq: number, scan: ScanInput) => void;
  /** A scan could not be kept (memory queue full). */
  onLost?: (scan: ScanInput) => void;
  /** Outcomes are durable. */
  onOutcomes?: (list: { seq: number; outcome: Outcome }[]) => void;
}

/** A running core. */
export interface Core {
  /** The journal. */
  journal: Journal;
  /** Its disk-full spool. */
  spool: SpooledJournal;
  /** The sync engine. */
  engine: SyncEngine;
  /** Submits a scan; resolves with its seq once durable, or null if it could not be kept. */
  submit(scan: ScanInput): Promise<number | null>;
  /** Stops the engine and closes spool and journal (errors ignored: the disk may be gone). */
  stop(): Promise<void>;
}

/** Opens the journal and starts spool and engine as the agent does. */
export async function startCore(o: CoreOptions): Promise<Core> {
  const log = o.logger ?? (() => {});
  const journal = await Journal.open(o.dir, {
    fs: o.fs,
    segmentBytes: o.segmentBytes ?? 4096,
    archive: true,
    logger: log,
  });
  const waiting = new Map<ScanInput, (seq: number | null) => void>();
  const spool = new SpooledJournal(journal, {
    capacity: o.capacity,
    retryMs: o.retryMs,
    logger: log,
    onFlushed: (scan, seq) => {
      waiting.get(scan)?.(seq);
      waiting.delete(scan);
    },
  });
  const iflow = parseIflowConfig({
    url: o.iflowUrl,
    accessToken: o.token,
    backoffBaseMs: 20,
    backoffCapMs: 200,
    reconnectJitterMs: 50,
    timeoutMs: 800,
    pollMs: 50,
    batchSize: 10,
  });
  const engine = new SyncEngine({
    pending: (n, after) => journal.pending(n, after),
    stats: () => journal.stats(),
    recordOutcomes: async (list) => {
      await journal.recordOutcomes(list);
      o.onOutcomes?.(list);
    },
  }, { iflow, logger: log });
  engine.start();
  const submit = async (scan: ScanInput): Promise<number | null> => {
    const r = await spool.submit(scan);
    let seq: number | null;
    if (r.status === "journaled") seq = r.seq;
    else if (r.status === "dropped") seq = null;
    else seq = await new Promise<number | null>((res) => waiting.set(scan, res));
    if (seq === null) o.onLost?.(scan);
    else {
      o.onAck?.(seq, scan);
      engine.wake();
    }
    return seq;
  };
  return {
    journal,
    spool,
    engine,
    submit,
    async stop() {
      await engine.stop().catch(() => {});
      await spool.close().catch(() => {});
      for (const res of waiting.values()) res(null);
      waiting.clear();
    },
  };
}

/** What {@link readJournal} found. */
export interface JournalSnapshot {
  /** Rows as `cli export` prints them. */
  rows: ExportedRow[];
  /** Scans of retired (archived) segments. */
  retired: ExportedRow[];
  /** The journal's counters right after recovery. */
  stats: JournalStats;
  /** Files kept aside by recovery (`*.broken`). */
  broken: string[];
}

/** Opens (recovers) the journal in `dir` with the real file calls, exports it, closes it. */
export async function readJournal(dir: string): Promise<JournalSnapshot> {
  const j = await Journal.open(dir, { segmentBytes: 4096, archive: true });
  try {
    const rows: ExportedRow[] = [];
    for await (const row of j.export()) rows.push(exportObject(row) as unknown as ExportedRow);
    const broken: string[] = [];
    for await (const e of Deno.readDir(dir)) if (e.name.includes(".broken")) broken.push(e.name);
    return { rows, retired: await readArchive(dir), stats: j.stats(), broken };
  } finally {
    await j.close();
  }
}
