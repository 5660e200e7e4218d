/**
 * Public record and option types of the journal (the contract in
 * JOURNAL_API.md).
 *
 * @module
 */

import type { JournalFs } from "./fs.ts";
import type { Logger } from "../log.ts";

/** What the pipeline appends. */
export interface ScanInput {
  /** Reader name from config. */
  reader: string;
  /** The tag string sent to iFlow. */
  rfidTag: string;
  /** UTC epoch ms at read time. */
  epochMs: number;
  /** Local "YYYY-MM-DD" that will be sent. */
  date: string;
  /** Local "HH:MM:SS" that will be sent. */
  time: string;
  /** Offset used for date/time, minutes east of UTC (Bucharest summer: 180). */
  utcOffsetMin: number;
  /** Random id of this agent start. */
  bootId: string;
  /** True when the clock was not known to be synchronised at read time. */
  clockUnsynced: boolean;
  /** Usually ""; sent to iFlow as errorMsg. */
  errorMsg: string;
  /**
   * Held until its gate knows the passage (`sendUnpassed: false`): not sent
   * until released; set by the gate before the scan is appended.
   */
  hold?: boolean;
}

/** Kinds of gate event journaled without a card (never sent to iFlow). */
export type GateEventKind = "exit" | "manual-open";

/** A gate event to journal: the gate's name in `reader`, `rfidTag` empty, a note in `errorMsg`. */
export interface GateEventInput extends ScanInput {
  /** What opened the gate. */
  event: GateEventKind;
}

/** A journaled scan. */
export interface ScanRecord extends ScanInput {
  /** Journal sequence number (strictly increasing, also across restarts). */
  seq: number;
}

/** The error field iFlow names when it rejects a record. */
export type RejectField = "error_authenticate" | "error_check_in_out" | "error_csv";

/** Final per-record result of sending a scan to iFlow. */
export type Outcome =
  | { kind: "accepted" }
  | { kind: "duplicate"; iflowId?: string }
  | { kind: "rejected"; field: RejectField; message: string };

/**
 * State of a record; duplicate and accepted are both "synced". `held`: waiting
 * for its passage (`sendUnpassed: false`); `not-passed`: granted, nobody
 * passed, never sent; `event`: a gate event (exit button, remote open), never sent.
 */
export type RecordState =
  | "pending"
  | "synced"
  | "rejected"
  | "held"
  | "not-passed"
  | "event";

/** Log sink of the journal: the agent's {@link Logger}. */
export type JournalLogger = Logger;

/** Options of {@link Journal.open}. */
export interface JournalOptions {
  /** Segment size in bytes before a new segment is started (default 16 MiB). */
  segmentBytes?: number;
  /** Gzip finished segments into `archive/` instead of deleting them (default false). */
  archive?: boolean;
  /** Days archived segments are kept (default 30). */
  archiveDays?: number;
  /**
   * Days the damaged bytes recovery set aside (`<segment>.broken`, `<segment>.corrupt`)
   * are kept for inspection, counted from when they were set aside (default 30).
   */
  keepDamagedDays?: number;
  /** Log sink (default: nothing). */
  logger?: Logger;
  /**
   * File layer (default: Deno's async calls, {@link denoFs}); tests inject faults here.
   * @internal
   */
  fs?: JournalFs;
  /** Size at which the outcome log is compacted into a new segment (default 4 MiB). */
  outcomeSegmentBytes?: number;
  /**
   * Longest a scan is held for its passage before the sync sends it anyway
   * (ms, default 180,000: longer than the longest passage timeout).
   */
  holdLimitMs?: number;
}

/** Counters and health of a journal. */
export interface JournalStats {
  /** Scan records kept (pending, held, rejected, synced, not passed; events apart), in segments not yet deleted. */
  total: number;
  /** Records with no final outcome. */
  pending: number;
  /** Records iFlow rejected (kept until reopened or cleared). */
  rejected: number;
  /** Records accepted or duplicate, not yet deleted with their segment. */
  synced: number;
  /** Gate events (exit button, remote open) held: final, never sent. */
  events: number;
  /** Scans held until their passage is known (`sendUnpassed: false`). */
  held: number;
  /** Granted scans nobody passed with (`sendUnpassed: false`): final, never sent. */
  notPassed: number;
  /** Held scans released because they were held longer than `holdLimitMs` (since open). */
  heldExpired: number;
  /** Bytes on disk in scan and outcome segments. */
  bytes: number;
  /** Number of scan segments. */
  segments: number;
  /** Epoch ms of the oldest pending record's read time, or null when none. */
  oldestPendingAtMs: number | null;
  /** Read time of the newest journaled scan (epoch ms), or null when empty. */
  newestEpochMs: number | null;
  /** Corruption found since open (including recovery): count of damaged regions, last description. */
  corruption: { count: number; last?: string };
  /** Null when healthy, else a short reason ("disk full: ...", "read-only disk: ..."). */
  degraded: string | null;
  /** Highest sequence number handed out (0 when none). */
  lastSeq: number;
  /** Torn tails cut at open (bytes kept in `.broken` files). */
  truncatedTails: number;
  /** Bytes cut from torn tails at open. */
  truncatedBytes: number;
}

/** One exported record with its state. */
export interface ExportRow extends ScanRecord {
  /** Current state. */
  state: RecordState;
  /** The recorded outcome, if any. */
  outcome?: Outcome;
  /** Why the row is unusual (for rejected: iFlow's message; undecodable payloads). */
  error?: string;
  /** The gate's decision on the scan, if a gate decided it. */
  gate?: GateNote;
  /** Set on gate event rows: what opened the gate (`reader` holds the gate's name). */
  event?: GateEventKind;
}

/** A gate's decision on a scan, annotated beside it in the outcome log. */
export interface GateNote {
  /** Gate name. */
  gate: string;
  /** True when the gate opened. */
  granted: boolean;
  /** Why (`known`, `allow-file`, `live`, `policy-any`, `offline-open`, `offline-closed`, `refused`, `unknown`). */
  reason: string;
  /** Passage sensor: passed, not passed within its timeout, or null (no sensor / not known). */
  passed: boolean | null;
}

/** Filter for exports. */
export interface ExportOptions {
  /** Only rows in this state. */
  state?: RecordState;
  /** Only rows read at or after this epoch ms. */
  since?: number;
}
