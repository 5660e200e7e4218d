/**
 * Public types of the sync engine: what it needs from the journal, its
 * options, and what it reports.
 *
 * @module
 */

import type { Outcome, ScanRecord } from "../journal/mod.ts";
import type { IflowConfig, LiveAction, Logger } from "../iflow/mod.ts";
import type { HistogramSnapshot } from "./histogram.ts";

/** The part of the journal the engine uses (the real `Journal` fits). */
export interface SyncJournal {
  /**
   * Oldest-first records without a final outcome; with `afterSeq`, only those
   * with a higher seq (the engine reads the next batch while the one before is
   * in flight, its outcomes not yet recorded).
   */
  pending(limit: number, afterSeq?: number): Promise<ScanRecord[]>;
  /** Durably records outcomes. */
  recordOutcomes(list: { seq: number; outcome: Outcome }[]): Promise<void>;
  /** Backlog figures for status. */
  stats(): { pending: number; oldestPendingAtMs: number | null };
}

/** Options of {@link SyncEngine}. */
export interface SyncEngineOptions {
  /** The parsed `iflow` config section. */
  iflow: IflowConfig;
  /** Log sink (wrapped so the token never reaches it). */
  logger?: Logger;
  /** Random source in [0, 1) for jitter (seed it in tests). */
  random?: () => number;
  /** Wall clock, epoch ms (default `Date.now`): used for live freshness and status times. */
  now?: () => number;
  /** Called with the reply of every live call (user name, check-in/out), for reader feedback. */
  onLive?: (feedback: LiveFeedback) => void;
}

/** The engine's state, for status. */
export type SyncState = "idle" | "sending" | "backoff" | "auth-failed" | "stopped";

/** What a live call came to. */
export interface LiveFeedback {
  /** Journal sequence number of the scan. */
  seq: number;
  /** Reader the scan came from. */
  reader: string;
  /** Card code. */
  rfidTag: string;
  /** True when iFlow stored it (then it is delivered). */
  stored: boolean;
  /** For not stored: true when iFlow answered in full, false when the outcome is unknown. */
  certain: boolean;
  /** The employee's name, when iFlow stored the scan. */
  userName?: string;
  /** The employee's iFlow id, when stored. */
  userId?: string;
  /** Check-in or check-out, when stored. */
  action?: LiveAction;
  /** Why it was not stored (token-free). */
  reason?: string;
  /** Round trip, ms. */
  latencyMs: number;
  /** When the reply arrived, epoch ms. */
  atMs: number;
}

/** An alarm raised in status. */
export interface SyncAlarm {
  /** `auth-failed`: iFlow refuses the device token; `record-too-long`: a single record gets 414. */
  code: "auth-failed" | "record-too-long";
  /** Human text (token-free). */
  message: string;
  /** Raised at, epoch ms. */
  sinceMs: number;
}

/** Counters since the engine was created. */
export interface SyncCounters {
  /** Requests to the offline endpoint by outcome (`ok`: answered, and the answers on disk). */
  batches: { ok: number; transient: number; auth: number; tooLong: number };
  /** Records by final outcome, counted once it is on disk (live-stored scans count as accepted). */
  records: { accepted: number; duplicate: number; rejected: number };
  /** Batches sent again (after a transient failure or a 414). */
  retries: number;
  /** Live calls: stored; not stored; of those, outcome unknown; overlap replies read as our own live stamp. */
  live: { stored: number; notStored: number; uncertain: number; savedByOverlap: number };
}

/** A status snapshot. */
export interface SyncStatus {
  /** Current state. */
  state: SyncState;
  /** Last failure (token-free), or null. */
  lastError: string | null;
  /** When it happened, epoch ms. */
  lastErrorAtMs: number | null;
  /** Last reply from iFlow that delivered something, epoch ms. */
  lastSuccessAtMs: number | null;
  /** When the engine will try again (backoff / auth re-check), epoch ms, or null. */
  nextAttemptAtMs: number | null;
  /** Raised alarms. */
  alarms: SyncAlarm[];
  /** Counters. */
  counters: SyncCounters;
  /** Last request round trip, ms. */
  lastLatencyMs: number | null;
  /** Request latency histogram (ms buckets). */
  latency: HistogramSnapshot;
  /** Records not yet delivered (from the journal). */
  pending: number;
  /** Read time of the oldest pending record, epoch ms, or null. */
  oldestPendingAtMs: number | null;
  /** Current records-per-batch limit (halved after a 414). */
  batchLimit: number;
  /** Current URL length limit (lowered after a 414). */
  urlLimit: number;
  /** The last live reply, or null. */
  lastLive: LiveFeedback | null;
}

/** Progress of {@link SyncEngine.syncOnce}: batches and records whose outcomes are on disk. */
export interface SyncProgress {
  /** Batches delivered. */
  batches: number;
  /** Records delivered or rejected so far. */
  sent: number;
  /** Of those, accepted. */
  accepted: number;
  /** Of those, duplicates (already at iFlow). */
  duplicate: number;
  /** Of those, rejected (final). */
  rejected: number;
  /** Records still pending in the journal. */
  pending: number;
}

/** Result of {@link SyncEngine.syncOnce}. */
export interface SyncOnceResult extends SyncProgress {
  /** True when the backlog was drained. */
  ok: boolean;
  /** Why not (token-free). */
  error?: string;
}
