/**
 * Sync: the engine that delivers journaled scans to iFlow (batching, reply
 * outcomes, backoff with full jitter, auth alarm, live mode), its status, and
 * the pieces it is built from.
 *
 * @module
 */

export { SyncEngine } from "./engine.ts";
export type {
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
export {
  Backoff,
  type BackoffOptions,
  fullJitter,
  MAX_RETRY_AFTER_MS,
  retryAfterJitter,
  seededRandom,
} from "./backoff.ts";
export { SyncSchedule, type SyncScheduleOptions } from "./schedule.ts";
export { type HistogramSnapshot, LATENCY_BUCKETS_MS, LatencyHistogram } from "./histogram.ts";
export { overlapNamesOwnLiveStamp } from "./live_guard.ts";
/** Types the engine's API mentions, re-exported so this entry point is self-contained. */
export type { IflowConfig, LiveAction, Logger, LogLevel } from "../iflow/mod.ts";
export type { Outcome, RejectField, ScanInput, ScanRecord } from "../journal/mod.ts";
