/**
 * The sync engine's status in the shape the status page and metrics use
 * (seconds for the latency histogram, flat batch counters).
 *
 * @module
 */

import type { SyncStatus as EngineStatus } from "./sync/types.ts";
import type { SyncStatusView } from "./status/snapshot.ts";

/** Converts the engine's status for the status snapshot. */
export function syncStatusForSnapshot(s: EngineStatus): SyncStatusView {
  const c = s.counters;
  return {
    state: s.state,
    lastError: s.lastError,
    lastSuccessAt: s.lastSuccessAtMs,
    batches: {
      ok: c.batches.ok,
      transient: c.batches.transient,
      auth: c.batches.auth,
      too_long: c.batches.tooLong,
    },
    records: { ...c.records },
    retries: c.retries,
    latency: {
      bounds: s.latency.bounds.map((ms) => ms / 1000),
      counts: [...s.latency.counts],
      sum: s.latency.sum / 1000,
      count: s.latency.count,
    },
    lastLive: s.lastLive ? { ...s.lastLive } : null,
  };
}
