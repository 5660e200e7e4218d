/**
 * A fleet of agents after an outage, on a virtual clock: each agent is the
 * engine's real {@link SyncSchedule} (and so its real `Backoff`), asked for
 * every delay exactly where the engine asks (`failed` after a refused
 * request, `delivered` + `recovered` after the first answered one, then the
 * drain). iFlow refuses every request sent before `recoverAtMs` and answers
 * every one after; agents share nothing but iFlow, whose state depends only
 * on the time, so each agent's timeline is advanced on its own, in agent
 * order, from one seeded random source.
 *
 * @module
 */

import { type IflowConfig, parseIflowConfig } from "../../../service/iflow/mod.ts";
import { SyncSchedule } from "../../../service/sync/mod.ts";

/** The schedule keys of the `iflow` config (default: the shipped defaults). */
export type ScheduleConfig = Pick<
  IflowConfig,
  "backoffBaseMs" | "backoffCapMs" | "reconnectJitterMs"
>;

/** The shipped defaults of the schedule keys. */
export const DEFAULT_SCHEDULE: ScheduleConfig = parseIflowConfig({
  accessToken: "fleet-sim-token-0001",
});

/** One simulated outage. */
export interface FleetScenario {
  /** How many agents. */
  agents: number;
  /** Random source in [0, 1) shared by all agents (seed it). */
  random: () => number;
  /** iFlow refuses every request sent before this virtual time, ms. */
  recoverAtMs: number;
  /** Virtual time of each agent's first (refused) request; default 0 for all: the worst case. */
  firstRequestAtMs?: (agent: number) => number;
  /** `Retry-After` sent with every refusal, ms (absent: none). */
  retryAfterMs?: number;
  /** Requests the backlog takes after the first answered one (default 9). */
  drainRequests?: number;
  /** Virtual time from sending a request to its answer, ms (default 200). */
  requestMs?: number;
  /** Schedule keys (default {@link DEFAULT_SCHEDULE}). */
  config?: ScheduleConfig;
}

/** What the fleet did, times in virtual ms. */
export interface FleetRun {
  /** Each agent's first request sent at or after recovery, ms after recovery. */
  firstMs: number[];
  /** When each agent's backlog was all stored, ms after recovery. */
  storedMs: number[];
  /** Requests refused during the outage, all agents. */
  refused: number;
  /** Shortest time from a refusal's answer to that agent's next request, ms. */
  minRetryGapMs: number;
}

/** Runs `s` (see the module doc). */
export function simulateFleet(s: FleetScenario): FleetRun {
  const cfg = s.config ?? DEFAULT_SCHEDULE;
  const requestMs = s.requestMs ?? 200;
  const drain = s.drainRequests ?? 9;
  const firstMs: number[] = [];
  const storedMs: number[] = [];
  let refused = 0;
  let minRetryGapMs = Infinity;
  for (let a = 0; a < s.agents; a++) {
    const schedule = new SyncSchedule({ ...cfg, random: s.random });
    let t = s.firstRequestAtMs?.(a) ?? 0;
    while (t < s.recoverAtMs) {
      refused++;
      const delay = schedule.failed(s.retryAfterMs);
      minRetryGapMs = Math.min(minRetryGapMs, delay);
      t += requestMs + delay;
    }
    firstMs.push(t - s.recoverAtMs);
    schedule.delivered();
    const pause = schedule.recovered(drain > 0) ?? 0;
    t += requestMs + pause + drain * requestMs;
    storedMs.push(t - s.recoverAtMs);
  }
  return { firstMs, storedMs, refused, minRetryGapMs };
}

/** The most of `times` (ms) inside any window `[x, x + windowMs)`. */
export function maxInWindow(times: readonly number[], windowMs = 1000): number {
  const t = [...times].sort((x, y) => x - y);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** The `q`-quantile (0..1) of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const v = [...values].sort((x, y) => x - y);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] ?? NaN;
}
