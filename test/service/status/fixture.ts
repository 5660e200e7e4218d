// Fixed snapshots for the status tests.
import type { StatusSnapshot } from "../../../service/status/mod.ts";

/** 2025-03-03 08:15:00 UTC. */
export const NOW = Date.UTC(2025, 2, 3, 8, 15, 0);

/** A healthy agent with two readers and some sync history. */
export function healthySnapshot(): StatusSnapshot {
  return {
    version: "0.1.0",
    bootId: "5f1c9a20",
    startedAt: NOW - 2 * 3600_000 - 3 * 60_000,
    now: NOW,
    healthy: true,
    degraded: [],
    alarms: [],
    lastError: null,
    pipeline: { read: 20, journaled: 17, debounced: 3, clockUnsynced: 0 },
    readers: [
      {
        name: "gate-1",
        kind: "ascii",
        state: "online",
        lastError: null,
        scans: 12,
        debounced: 2,
        decodeErrors: 1,
        reconnects: 0,
        lastScanAt: NOW - 3_000,
      },
      {
        name: "gate-2",
        kind: "osdp",
        state: "offline",
        lastError: "port /dev/ttyUSB1 disconnected",
        scans: 8,
        debounced: 1,
        decodeErrors: 0,
        reconnects: 4,
        lastScanAt: NOW - 125_000,
        details: { tamper: false, power: "ok" },
      },
    ],
    journal: {
      total: 17,
      pending: 3,
      rejected: 1,
      synced: 13,
      events: 2,
      held: 1,
      notPassed: 0,
      bytes: 12_595,
      segments: 2,
      oldestPendingAgeMs: 42_000,
      corruption: { count: 0 },
      queued: 0,
      dropped: 0,
      degraded: null,
    },
    sync: {
      state: "idle",
      lastError: null,
      lastSuccessAt: NOW - 4_000,
      batches: { ok: 5, transient: 2 },
      records: { accepted: 12, duplicate: 1, rejected: 1 },
      retries: 2,
      latency: { bounds: [0.1, 0.5, 1, 5], counts: [2, 9, 13, 14], sum: 5.25, count: 14 },
      lastLive: null,
    },
  };
}

/** The same agent, degraded: the token was rejected and the disk is full. */
export function degradedSnapshot(): StatusSnapshot {
  const s = healthySnapshot();
  s.healthy = false;
  s.alarms = ["iFlow rejected the device token"];
  s.degraded = ["journal: disk full"];
  s.lastError = "ENOSPC writing segment 000002";
  s.journal.degraded = "disk full";
  s.journal.queued = 5;
  s.journal.corruption = { count: 1, last: "bad CRC at 000001:4096" };
  s.sync.state = "auth-failed";
  s.sync.lastError = "401 Unauthorized";
  return s;
}
