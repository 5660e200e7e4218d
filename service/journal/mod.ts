/**
 * Crash-safe scan journal: append-only, CRC-checked segments that lose
 * nothing acknowledged on `kill -9` or power loss.
 *
 * - {@link Journal.append} resolves with the record's seq only after
 *   `fdatasync`; concurrent appends share one sync (group commit).
 * - Outcomes (accepted, duplicate, rejected) go to a sibling outcome log with
 *   the same framing and are durable before {@link Journal.recordOutcomes}
 *   resolves.
 * - {@link Journal.open} recovers: torn tails are cut (kept in `.broken`),
 *   damage in the middle is quarantined (`.corrupt`) and reported in
 *   {@link Journal.stats}; it never refuses to start because of damage.
 * - Finished segments are deleted, or gzipped into `archive/`.
 * - {@link SpooledJournal} keeps scans in a bounded memory queue while the
 *   disk is full or read-only and retries.
 *
 * @example
 * ```ts
 * import { Journal } from "./mod.ts";
 * const j = await Journal.open("/var/lib/pontaj/journal");
 * const seq = await j.append({
 *   reader: "gate-1", rfidTag: "0001234567", epochMs: Date.now(), date: "2025-06-01",
 *   time: "08:00:00", utcOffsetMin: 180, bootId: "b1", clockUnsynced: false, errorMsg: "",
 * });
 * const batch = await j.pending(100);
 * await j.recordOutcomes(batch.map((r) => ({ seq: r.seq, outcome: { kind: "accepted" } })));
 * await j.close();
 * ```
 *
 * @module
 */

export { Journal } from "./journal.ts";
export { exportJournal } from "./export.ts";
export { SpooledJournal } from "./spool.ts";
export type { SpoolOptions, SpoolStats, SubmitResult } from "./spool.ts";
export { JournalError } from "./errors.ts";
export type { JournalErrorCode } from "./errors.ts";
export { blockingFs, denoFs } from "./fs.ts";
export type { JournalDirEntry, JournalFile, JournalFs } from "./fs.ts";
export { crc32c } from "./crc32c.ts";
export type {
  ExportOptions,
  ExportRow,
  GateEventInput,
  GateEventKind,
  JournalLogger,
  JournalOptions,
  JournalStats,
  Outcome,
  RecordState,
  RejectField,
  ScanInput,
  ScanRecord,
} from "./types.ts";
