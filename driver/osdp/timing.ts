/**
 * Control panel timing: reply timeout, poll interval, offline detection and
 * reconnect backoff. Every figure can be overridden (tests use short ones).
 *
 * @module
 */

/** Timing of one reader's link. */
export interface LinkTiming {
  /** How long to wait for a reply before resending the same command (same sequence). */
  replyTimeoutMs: number;
  /** Time between polls of an online reader. */
  pollIntervalMs: number;
  /** No valid reply for this long → the reader is offline. */
  offlineAfterMs: number;
  /** First reconnect delay once offline (doubles per failed attempt). */
  reconnectMinMs: number;
  /** Cap of the reconnect delay. */
  reconnectMaxMs: number;
  /** Delay before resending a command the reader answered with `osdp_BUSY`. */
  busyRetryMs: number;
  /** Timeouts in a row after which the reader is "not answering" (a warning). */
  silentAfterTimeouts: number;
  /**
   * While not answering on a shared line, the reader is probed once per this
   * interval (and when offline, no more often): a probe costs the line one
   * reply timeout, so the neighbours lose at most replyTimeoutMs / silentPollMs
   * of their polls (5% with the defaults).
   */
  silentPollMs: number;
}

/**
 * Defaults: 200 ms reply timeout, 50 ms polls, offline after 8 s, backoff 1 s …
 * 30 s, busy retry 100 ms, not answering after 3 timeouts, then probed every 4 s.
 */
export const DEFAULT_TIMING: Readonly<LinkTiming> = Object.freeze({
  replyTimeoutMs: 200,
  pollIntervalMs: 50,
  offlineAfterMs: 8000,
  reconnectMinMs: 1000,
  reconnectMaxMs: 30000,
  busyRetryMs: 100,
  silentAfterTimeouts: 3,
  silentPollMs: 4000,
});

/** `DEFAULT_TIMING` with `overrides` applied (undefined values ignored). */
export function resolveTiming(overrides: Partial<LinkTiming> = {}): LinkTiming {
  const t: LinkTiming = { ...DEFAULT_TIMING };
  for (const k of Object.keys(t) as (keyof LinkTiming)[]) {
    const v = overrides[k];
    if (v !== undefined) {
      if (!Number.isFinite(v) || v < 0) {
        throw new Error(`osdp timing ${k}: expected a number ≥ 0, got ${v}`);
      }
      t[k] = v;
    }
  }
  t.reconnectMaxMs = Math.max(t.reconnectMaxMs, t.reconnectMinMs);
  return t;
}
