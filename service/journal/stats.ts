/**
 * The journal's counters ({@link JournalStats}) from its index, its recovery
 * report and the few figures the journal keeps itself.
 *
 * @module
 */

import type { ScanIndex } from "./index.ts";
import type { RecoveryReport } from "./recovery.ts";
import type { JournalStats } from "./types.ts";

/** What the journal knows beside its index and recovery report. */
export interface JournalFigures {
  /** Bytes of the active outcome segment. */
  outcomeBytes: number;
  /** Read time of the oldest pending record, if known. */
  oldestEpochMs: number | null;
  /** Read time of the newest record. */
  newestEpochMs: number | null;
  /** A write problem, if any. */
  writeProblem: string | null;
  /** Highest seq handed out. */
  lastSeq: number;
  /** Holds released after the hold limit. */
  heldExpired: number;
}

/** Adds up the segments' counters (synchronous; no I/O). */
export function journalStats(
  index: ScanIndex,
  r: RecoveryReport,
  f: JournalFigures,
): JournalStats {
  let pending = 0, rejected = 0, synced = 0, cleared = 0, bytes = f.outcomeBytes;
  let events = 0, held = 0, notPassed = 0;
  for (const s of index.segments) {
    pending += s.pending;
    rejected += s.rejected;
    synced += s.synced;
    cleared += s.cleared;
    events += s.events;
    held += s.held;
    notPassed += s.notPassed;
    bytes += s.size;
  }
  const corruption: JournalStats["corruption"] = { count: r.corruptions };
  if (r.lastCorruption !== undefined) corruption.last = r.lastCorruption;
  return {
    total: pending + rejected + synced + cleared + held + notPassed,
    pending,
    rejected: rejected + cleared,
    synced,
    events,
    held,
    notPassed,
    heldExpired: f.heldExpired,
    bytes,
    segments: index.segments.length,
    oldestPendingAtMs: pending > 0 ? f.oldestEpochMs : null,
    newestEpochMs: f.newestEpochMs,
    corruption,
    degraded: f.writeProblem ??
      (r.problems.length > 0 ? `recovery incomplete: ${r.problems[r.problems.length - 1]}` : null),
    lastSeq: f.lastSeq,
    truncatedTails: r.truncatedTails,
    truncatedBytes: r.truncatedBytes,
  };
}
