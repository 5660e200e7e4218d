/**
 * A fleet after an outage: N real agents (each its own process, journal
 * directory, simulated line reader on a pty and device token, the shipped
 * sync defaults) against one iFlow simulator on loopback.
 *
 * 1. Online: one scan each, all stored.
 * 2. Down: the simulator is closed (connection refused) for `--outage`
 *    seconds while every agent scans once a second; then it listens again on
 *    the same port (same tokens and employees).
 * 3. Retry-After: every request is answered 503 with `Retry-After:
 *    --retry-after` for `--ra-for` seconds while the agents keep scanning.
 *
 * After each, until every agent's scans are stored: the requests per second
 * (distinct agents, from each agent's log), each agent's first request after
 * recovery (p50/p90/max), the time until all were stored, and whether every
 * journaled scan was stored exactly once.
 *
 *   deno task bench:fleet [--agents 8] [--outage 60] [--retry-after 10] [--ra-for 30] [--write bench/README.md]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { demoReader } from "../service/demo/sim_readers.ts";
import { type IflowSimulator, startIflowSimulator } from "../service/iflow/sim/simulator.ts";
import type { StoredAttendance } from "../service/iflow/sim/model.ts";
import {
  AgentChild,
  agentConfig,
  employeesFor,
  knownTag,
  type SimReader,
  waitUntil,
  writeConfig,
} from "../test/reliability/mod.ts";
import { type FleetEvent, type FleetProfile, fleetProfile } from "./fleet_profile.ts";
import { fleetRows, printFleet, writeFleetRows } from "./fleet_rows.ts";

/** Options of {@link runFleet}. */
export interface FleetOptions {
  /** Agents (default 8). */
  agents?: number;
  /** Seconds iFlow is down (default 60). */
  outageSec?: number;
  /** `Retry-After` seconds of the second phase (default 10). */
  retryAfterSec?: number;
  /** Seconds the second phase lasts (default 30). */
  raForSec?: number;
  /** Progress lines. */
  progress?: (line: string) => void;
}

/** One phase of a fleet run. */
export interface FleetPhase {
  /** What happened, e.g. "down 60 s (connection refused)". */
  what: string;
  /** The arrival profile (see {@link fleetProfile}). */
  profile: FleetProfile;
  /** From recovery until every agent's scans were stored, ms. */
  allStoredMs: number;
}

/** What a fleet run measured. */
export interface FleetResult {
  /** Agents. */
  agents: number;
  /** The flags that reproduce the run (those not at their default). */
  flags: string;
  /** The outage phase and the Retry-After phase. */
  outage: FleetPhase;
  /** The Retry-After phase. */
  retryAfter: FleetPhase;
  /** `Retry-After` seconds of the second phase. */
  retryAfterSec: number;
  /** Scans journaled (acknowledged) by all agents. */
  journaled: number;
  /** Journaled scans stored exactly once / missing / stored more than once / stored but never journaled. */
  once: number;
  /** Journaled scans iFlow never stored. */
  missing: number;
  /** Scans stored more than once. */
  doubled: number;
  /** Stored scans no agent journaled. */
  foreign: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The sync keys the reliability config sets for speed; removed so the shipped defaults apply. */
const FAST_KEYS = ["backoffBaseMs", "backoffCapMs", "reconnectJitterMs", "timeoutMs", "pollMs"];

/** Runs the fleet scenario (see the module doc). */
export async function runFleet(opts: FleetOptions = {}): Promise<FleetResult> {
  const n = opts.agents ?? 8;
  const outageSec = opts.outageSec ?? 60;
  const raSec = opts.retryAfterSec ?? 10;
  const raForSec = opts.raForSec ?? 30;
  const say = opts.progress ?? (() => {});
  const perAgent = 2 + outageSec + raForSec + 10; // scans each agent may tap, at most
  const employees = employeesFor(n * perAgent);
  const tokens = Array.from({ length: n }, (_, i) => `fleet-device-${i}`);
  const dir = await Deno.makeTempDir({ prefix: "pontaj-fleet-" });
  const readers: SimReader[] = [];
  const agents: AgentChild[] = [];
  const events: FleetEvent[] = [];
  const stored: StoredAttendance[] = [];
  const tapped = new Array<number>(n).fill(0);
  let sim: IflowSimulator | null = await startIflowSimulator({ port: 0, tokens, employees });
  const port = sim.port;
  try {
    for (let i = 0; i < n; i++) {
      const reader = await demoReader("line", `fleet-${i}`);
      readers.push(reader);
      const config = agentConfig(`${dir}/a${i}/journal`, sim.url, tokens[i]!, [reader], {}, {
        log: { level: "debug" },
      });
      const iflow = config.iflow as Record<string, unknown>;
      for (const k of FAST_KEYS) delete iflow[k];
      (config.journal as Record<string, unknown>).segmentBytes = 1 << 20;
      await Deno.mkdir(`${dir}/a${i}`);
      await writeConfig(`${dir}/a${i}/pontaj.jsonc`, config);
      agents.push(
        new AgentChild({
          configPath: `${dir}/a${i}/pontaj.jsonc`,
          onLog: (o) => {
            const atMs = Date.parse(String(o.ts));
            if (o.msg === "batch delivered") events.push({ agent: i, atMs, kind: "answered" });
            else if (o.msg === "iFlow request failed; retrying the whole batch") {
              events.push({ agent: i, atMs, kind: "refused", retryInMs: Number(o.retryInMs) });
            }
          },
        }),
      );
    }
    for (const a of agents) await a.waitReady(1, 120_000);
    say(`${n} agents ready`);
    const tapAll = async () => {
      for (let i = 0; i < n; i++) await readers[i]!.tap(knownTag(i * perAgent + tapped[i]!++));
    };
    const acked = () => agents.reduce((s, a) => s + a.acks.length, 0);
    const storedNow = () => stored.length + (sim?.stored().length ?? 0);
    /** Waits until every tapped scan is journaled and stored; returns when (epoch ms). */
    const allStored = async (what: string) => {
      const total = tapped.reduce((s, x) => s + x, 0);
      await waitUntil(() => acked() >= total, `${total} scans journaled`, 60_000, 50);
      await waitUntil(() => storedNow() >= total, what, 300_000, 50);
      return Date.now();
    };

    // 1. online
    await tapAll();
    await allStored("the first scans stored");
    await sleep(1000);

    // 2. down: connection refused
    stored.push(...sim.stored());
    await sim.close();
    sim = null;
    say(`iFlow down for ${outageSec} s (connection refused); every agent scans once a second`);
    const downUntil = Date.now() + outageSec * 1000;
    while (Date.now() < downUntil) {
      await tapAll();
      await sleep(1000);
    }
    sim = await startIflowSimulator({ port, tokens, employees });
    const upAt = Date.now();
    say("iFlow back; waiting until every scan is stored");
    const outageDone = await allStored("the backlog stored after the outage");
    await sleep(1000);
    const outage: FleetPhase = {
      what: `down ${outageSec} s (connection refused)`,
      profile: fleetProfile(events, n, upAt, upAt, outageDone),
      allStoredMs: outageDone - upAt,
    };

    // 3. Retry-After
    say(`iFlow answers 503 with Retry-After: ${raSec} for ${raForSec} s`);
    const raFrom = Date.now();
    sim.setFaults({ errorRate: 1, retryAfterSec: raSec });
    const raUntil = raFrom + raForSec * 1000;
    while (Date.now() < raUntil) {
      await tapAll();
      await sleep(1000);
    }
    sim.setFaults({});
    const raUp = Date.now();
    const raDone = await allStored("the backlog stored after the Retry-After phase");
    const retryAfter: FleetPhase = {
      what: `503 with Retry-After: ${raSec} for ${raForSec} s`,
      profile: fleetProfile(events, n, raFrom, raUp, raDone),
      allStoredMs: raDone - raUp,
    };

    // exactly once
    stored.push(...sim.stored());
    const journaled = new Set(agents.flatMap((a) => a.acks.map((k) => k.tag)));
    const times = new Map<string, number>();
    for (const s of stored) times.set(s.rfidTag, (times.get(s.rfidTag) ?? 0) + 1);
    let once = 0, missing = 0, doubled = 0, foreign = 0;
    for (const tag of journaled) {
      const c = times.get(tag) ?? 0;
      if (c === 0) missing++;
      else if (c === 1) once++;
      else doubled++;
    }
    for (const tag of times.keys()) if (!journaled.has(tag)) foreign++;
    const flags = [
      ["--agents", n, 8],
      ["--outage", outageSec, 60],
      ["--retry-after", raSec, 10],
      ["--ra-for", raForSec, 30],
    ].filter(([, v, d]) => v !== d).map(([k, v]) => `${k} ${v}`).join(" ");
    return {
      agents: n,
      flags,
      outage,
      retryAfter,
      retryAfterSec: raSec,
      journaled: journaled.size,
      once,
      missing,
      doubled,
      foreign,
    };
  } finally {
    await Promise.all(agents.map((a) => a.dead ? null : a.stop()));
    await sim?.close();
    for (const r of readers) await r.close().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      agents: { type: "string", default: "8" },
      outage: { type: "string", default: "60" },
      "retry-after": { type: "string", default: "10" },
      "ra-for": { type: "string", default: "30" },
      write: { type: "string" },
    },
  });
  const r = await runFleet({
    agents: Number(values.agents),
    outageSec: Number(values.outage),
    retryAfterSec: Number(values["retry-after"]),
    raForSec: Number(values["ra-for"]),
    progress: (l) => console.log(`${new Date().toISOString()} ${l}`),
  });
  const ok = printFleet(r);
  if (values.write) await writeFleetRows(values.write, fleetRows(r), r);
  Deno.exit(ok ? 0 : 1);
}
