/**
 * The agent's state as the status endpoint, the status page, the metrics and
 * `cli status` show it. The agent builds one snapshot per request.
 *
 * @module
 */

import type { GateStatus } from "../gates/gates.ts";
import type { StatusServerStats } from "./server.ts";

/** One reader's state. */
export interface ReaderStatus {
  /** Name from the config. */
  name: string;
  /** Reader kind (`ascii`, `line`, `wiegand`, `osdp`, `rc522`). */
  kind: string;
  /** Where the reader is (`not-answering`: a warning before `offline`; `refused`: see lastError). */
  state: "connecting" | "online" | "offline" | "stopped" | "refused" | "not-answering";
  /** Last error message (never contains secrets), or null. */
  lastError: string | null;
  /** Scans read (before debounce). */
  scans: number;
  /** Scans dropped by debounce. */
  debounced: number;
  /** Decode errors (checksum, parity, framing) counted by the decoder. */
  decodeErrors: number;
  /** Times the reader was reopened after a failure. */
  reconnects: number;
  /** Epoch ms of the last scan, or null. */
  lastScanAt: number | null;
  /** Kind-specific details (e.g. OSDP tamper/power, RC522 chip version). */
  details?: Record<string, unknown>;
  /** Dropped frames by reason (`unknown-length`, `parity`, `glitch`, …), for readers that count them. */
  drops?: Record<string, number>;
  /** Frames of a bit count without a format, by bit count. */
  unknownLengths?: Record<string, number>;
  /** The last few unknown bit counts, newest first. */
  lastUnknownLengths?: number[];
  /** Hints about a faulty line, raised when a fault repeats and cleared after a quiet period. */
  hints?: {
    /** Short code (`noise`, `both-low`, `too-fast`, `parity-one-length`, `unknown-length`, …). */
    code: string;
    /** What is probably wrong and what to do. */
    message: string;
    /** Bit count, for hints about one frame length. */
    bits?: number;
    /** Occurrences since the hint was raised. */
    count: number;
    /** Milliseconds since the last occurrence. */
    lastMsAgo: number;
  }[];
}

/** Latency histogram in Prometheus shape. */
export interface Histogram {
  /** Upper bounds in seconds, ascending (the +Inf bucket is implied). */
  bounds: number[];
  /** Cumulative counts per bound (same length as `bounds`). */
  counts: number[];
  /** Sum of observations in seconds. */
  sum: number;
  /** Number of observations. */
  count: number;
}

/** The sync engine's state. */
export interface SyncStatusView {
  /** `idle`, `sending`, `backoff`, `auth-failed`, `stopped`, ... */
  state: string;
  /** Last error (token redacted), or null. */
  lastError: string | null;
  /** Epoch ms of the last successful reply, or null. */
  lastSuccessAt: number | null;
  /** Batches by outcome (`ok`, `transient`, `auth`, `too-long`, ...). */
  batches: Record<string, number>;
  /** Records by final outcome. */
  records: { accepted: number; duplicate: number; rejected: number };
  /** Batch retries. */
  retries: number;
  /** Scan-journaled → iFlow-reply latency. */
  latency: Histogram;
  /** Last live-mode reply (user and check-in/out), if live mode is on. */
  lastLive?: Record<string, unknown> | null;
}

/** The journal's state. */
export interface JournalStatus {
  /** Records journaled in total. */
  total: number;
  /** Records waiting for iFlow. */
  pending: number;
  /** Records iFlow rejected (kept until retried). */
  rejected: number;
  /** Records delivered (accepted or duplicate). */
  synced: number;
  /** Gate events journaled (exit button, remote open; never sent), still on disk. */
  events?: number;
  /** Scans held until their passage is known (`sendUnpassed: false`). */
  held?: number;
  /** Held scans nobody passed with (kept as `not-passed`, never sent), still on disk. */
  notPassed?: number;
  /** Holds never resolved, released and sent after the hold limit (since start). */
  heldExpired?: number;
  /** Bytes on disk. */
  bytes: number;
  /** Segment files. */
  segments: number;
  /** Age of the oldest pending record in ms, or null. */
  oldestPendingAgeMs: number | null;
  /** Corruption found (count and the last description). */
  corruption: { count: number; last?: string };
  /** Scans waiting in memory because the disk failed. */
  queued: number;
  /** Scans that could not be kept (queue full). */
  dropped: number;
  /** Why the journal is degraded (e.g. "disk full"), or null. */
  degraded: string | null;
}

/** Everything the status endpoint reports. */
export interface StatusSnapshot {
  /** Package version. */
  version: string;
  /** Random id of this agent start. */
  bootId: string;
  /** Epoch ms the agent started. */
  startedAt: number;
  /** Epoch ms of this snapshot. */
  now: number;
  /** False when degraded: /health answers 503. */
  healthy: boolean;
  /** Reasons the agent is degraded (empty when healthy). */
  degraded: string[];
  /** Alarms an operator must act on (e.g. "iFlow rejected the device token"). */
  alarms: string[];
  /** Warnings that do not degrade the agent (e.g. "reader x not answering"). */
  warnings?: string[];
  /** Last error anywhere (secrets redacted), or null. */
  lastError: string | null;
  /** Pipeline counters. */
  pipeline: { read: number; journaled: number; debounced: number; clockUnsynced: number };
  /** Readers. */
  readers: ReaderStatus[];
  /** The journal. */
  journal: JournalStatus;
  /** The sync engine. */
  sync: SyncStatusView;
  /** The gates, when any are configured. */
  gates?: GateStatus[];
  /** The status server's refused requests and cut-off connections (when it runs). */
  statusServer?: StatusServerStats;
  /** The agent's memory now (`Deno.memoryUsage()`), MiB. */
  memory?: MemoryStatus;
}

/** The agent process's memory, MiB (one decimal). */
export interface MemoryStatus {
  /** Resident set. */
  rssMiB: number;
  /** V8 heap in use. */
  heapUsedMiB: number;
  /** V8 heap reserved. */
  heapTotalMiB: number;
  /** Memory outside the V8 heap held by JS objects (ArrayBuffers). */
  externalMiB: number;
}

/** {@link MemoryStatus} of this process. */
export function memoryStatus(): MemoryStatus {
  const m = Deno.memoryUsage();
  const mib = (b: number) => Math.round(b / 104857.6) / 10;
  return {
    rssMiB: mib(m.rss),
    heapUsedMiB: mib(m.heapUsed),
    heapTotalMiB: mib(m.heapTotal),
    externalMiB: mib(m.external),
  };
}
