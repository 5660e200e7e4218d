/**
 * The arrival profile of a fleet after iFlow comes back, from what each agent
 * logged: every refused request ("iFlow request failed", with the wait it
 * drew) and every answered batch ("batch delivered"). A log line is written
 * when the reply arrives, so on loopback its time is the request's time
 * within a few milliseconds.
 *
 * @module
 */

import { quantile } from "../test/service/sync/fleet_sim.ts";

/** One request of one agent, as its log tells it. */
export interface FleetEvent {
  /** Agent index. */
  agent: number;
  /** Epoch ms of the log line. */
  atMs: number;
  /** Refused (transient failure) or answered. */
  kind: "refused" | "answered";
  /** For refused: the wait the agent drew, ms. */
  retryInMs?: number;
}

/** How the fleet came back after one outage. */
export interface FleetProfile {
  /** Agents in the fleet. */
  agents: number;
  /** Distinct agents sending in each second after `fromMs` (bin 0 is the first second). */
  perSecond: number[];
  /** Each agent's first request at or after recovery, ms after recovery (-1: none). */
  firstMs: number[];
  /** The most agents in one second after recovery, and which second (0-based). */
  busiest: { agents: number; second: number };
  /** The most agents in one second after the first second. */
  busiestAfterFirst: number;
  /** Shortest wait an agent drew after a refusal in the window, and the shortest real gap, ms. */
  minRetryInMs: number;
  /** Shortest time from a refusal to that agent's next request, ms. */
  minRetryGapMs: number;
}

/**
 * The profile of `events` from `fromMs` (recovery, or the start of a
 * Retry-After phase) to `toMs`; first requests are counted from `recoveredAtMs`.
 */
export function fleetProfile(
  events: readonly FleetEvent[],
  agents: number,
  fromMs: number,
  recoveredAtMs: number,
  toMs: number,
): FleetProfile {
  const bins: Set<number>[] = [];
  const firstMs = new Array<number>(agents).fill(-1);
  const lastRefusal = new Array<number>(agents).fill(-1);
  let minRetryInMs = Infinity;
  let minRetryGapMs = Infinity;
  const inWindow = events.filter((e) => e.atMs >= fromMs && e.atMs <= toMs)
    .sort((a, b) => a.atMs - b.atMs);
  for (const e of inWindow) {
    const bin = Math.floor((e.atMs - fromMs) / 1000);
    (bins[bin] ??= new Set()).add(e.agent);
    if (e.atMs >= recoveredAtMs && firstMs[e.agent] === -1) {
      firstMs[e.agent] = e.atMs - recoveredAtMs;
    }
    const prev = lastRefusal[e.agent]!;
    if (prev >= 0) minRetryGapMs = Math.min(minRetryGapMs, e.atMs - prev);
    lastRefusal[e.agent] = e.kind === "refused" ? e.atMs : -1;
    if (e.kind === "refused") minRetryInMs = Math.min(minRetryInMs, e.retryInMs ?? Infinity);
  }
  const perSecond = Array.from({ length: bins.length }, (_, i) => bins[i]?.size ?? 0);
  let busiest = { agents: 0, second: 0 };
  perSecond.forEach((n, second) => {
    if (n > busiest.agents) busiest = { agents: n, second };
  });
  return {
    agents,
    perSecond,
    firstMs,
    busiest,
    busiestAfterFirst: Math.max(0, ...perSecond.slice(1)),
    minRetryInMs,
    minRetryGapMs,
  };
}

/** First-request p50 / p90 / max after recovery, seconds, as text. */
export function firstRequestText(p: FleetProfile): string {
  const got = p.firstMs.filter((ms) => ms >= 0);
  if (got.length === 0) return "no agent sent after recovery";
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const missing = p.agents - got.length;
  return `p50 ${s(quantile(got, 0.5))} s, p90 ${s(quantile(got, 0.9))} s, ` +
    `max ${s(Math.max(...got))} s` + (missing > 0 ? ` (${missing} agents never sent)` : "");
}

/** Agents per second after `fromMs`, trailing empty seconds cut, as `3 1 0 2 …`. */
export function perSecondText(p: FleetProfile): string {
  let end = p.perSecond.length;
  while (end > 0 && p.perSecond[end - 1] === 0) end--;
  return p.perSecond.slice(0, end).join(" ");
}
