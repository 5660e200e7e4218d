/**
 * The chaos run shared by `chaos_test.ts` (short) and `soak.ts` (long): the
 * real agent as a child process, one simulated reader of every implemented
 * kind on real ptys, the iFlow simulator with faults (5xx, hangs, resets,
 * lost replies, 414s), SIGKILL at seeded random moments and restart, while
 * scans keep arriving. Then faults stop, a last agent drains the backlog and
 * stops cleanly, and the delivery invariants are checked on `cli export` and
 * the simulator's store.
 *
 * Which taps may go missing: a tap written while no agent runs stays in the
 * pty's input queue and is read by the next agent; a tap the agent read but
 * had not yet acknowledged (fsync) when it was killed may be lost. Nothing
 * else: every acknowledged scan must be in the journal under its seq, and
 * every tap written while the final agent is up must be journaled.
 *
 * @module
 */

import { DEMO_TOKEN } from "../../service/iflow/sim/model.ts";
import { type SimFaults, startIflowSimulator } from "../../service/iflow/sim/simulator.ts";
import { Prng } from "../support/prng.ts";
import { type Ack, checkDelivery, type DeliveryReport, readArchive } from "./delivery.ts";
import {
  AgentChild,
  agentConfig,
  employeesFor,
  exportRows,
  knownTag,
  openSimReaders,
  unknownTag,
  waitUntil,
  writeConfig,
} from "./harness.ts";

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  /** PRNG seed (kill moments, tap order, simulator faults). */
  seed: number;
  /** Kill rounds at least (default 8). */
  kills?: number;
  /** Keep killing until this much time has passed (soak); default 0. */
  durationMs?: number;
  /** Taps per second across all readers (default 25). */
  rate?: number;
  /** Agent lifetime before a kill: [min, max) ms after it is ready (default [300, 2500)). */
  upMs?: [number, number];
  /** Time without an agent: [min, max) ms (default [0, 600)). */
  downMs?: [number, number];
  /** Simulator faults during the chaos (default: the mix below). */
  faults?: SimFaults;
  /** Taps while the final agent runs without faults (default 20). */
  finalTaps?: number;
  /** Entry script of the agent (default the real `service/main.ts`). */
  entry?: string;
  /** Environment per agent start (e.g. a fault-fs seed). */
  envFor?: (run: number) => Record<string, string>;
  /** Progress lines (default: none). */
  progress?: (line: string) => void;
}

/** What a chaos run did and found. */
export interface ChaosResult extends DeliveryReport {
  /** Reader kinds the taps went to. */
  kinds: string[];
  /** Readers left out (their simulator cannot reach another process). */
  skipped: string[];
  /** Taps written to readers. */
  written: number;
  /** Acknowledged by an agent ("scan journaled"). */
  acknowledged: number;
  /** Taps never journaled (all in kill windows). */
  lostInKillWindows: number;
  /** Of those, per reader kind. */
  lostByKind: Record<string, number>;
  /** SIGKILLs (plus agents that died on their own, e.g. by a fault fs). */
  kills: number;
  /** Of those, agents that died by a power cut of their fault fs. */
  powerCuts: number;
  /** Faults the simulator injected, by kind. */
  faults: { errors: number; hangs: number; resets: number; lostReplies: number; tooLong: number };
  /** Batches sent again (sum of each agent's last reported counter). */
  retries: number;
  /** Largest backlog (pending) seen. */
  maxBacklog: number;
  /** Backlog when the faults stopped. */
  backlogAtLastFault: number;
  /** From the last fault (kill, simulator fault) to an empty backlog, ms. */
  drainAfterLastFaultMs: number;
  /** Exit code of the final clean stop (SIGTERM). */
  finalExitCode: number;
  /** Wall time of the run, ms. */
  elapsedMs: number;
}

/** The default fault mix: about one request in three fails somehow, plus 414s above 1400 bytes. */
export const CHAOS_FAULTS: SimFaults = {
  errorRate: 0.1,
  hangRate: 0.03,
  hangMs: 1500,
  resetRate: 0.07,
  lostReplyRate: 0.1,
  maxUrlBytes: 1400,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the chaos scenario; never throws for broken invariants (they are in `violations`). */
export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const t0 = Date.now();
  const rng = new Prng(opts.seed);
  const say = opts.progress ?? (() => {});
  const rate = opts.rate ?? 25;
  const [upMin, upMax] = opts.upMs ?? [300, 2500];
  const [downMin, downMax] = opts.downMs ?? [0, 600];
  const capacity = Math.ceil(rate * ((opts.durationMs ?? 0) / 1000 + 120)) + 1000;
  const sim = await startIflowSimulator({
    port: 0,
    seed: opts.seed,
    tokens: [DEMO_TOKEN],
    employees: employeesFor(capacity),
    faults: opts.faults ?? CHAOS_FAULTS,
  });
  const sims = await openSimReaders();
  const readers = sims.readers;
  for (const why of sims.skipped) say(`reader left out: ${why}`);
  const dir = await Deno.makeTempDir({ prefix: "pontaj-chaos-" });
  const configPath = `${dir}/pontaj.jsonc`;
  await writeConfig(configPath, agentConfig(`${dir}/journal`, sim.url, DEMO_TOKEN, readers));

  const tapped = new Set<string>();
  const finalTags: string[] = [];
  const acks: Ack[] = [];
  const st: { agent: AgentChild | null; phase: "chaos" | "final" } = {
    agent: null,
    phase: "chaos",
  };
  let tapping = true;
  let next = 0;
  let maxBacklog = 0;
  const retriesByBoot = new Map<string, number>();
  const tapErrors: string[] = [];
  const kindOfTag = new Map<string, string>();

  // Taps keep arriving whatever the agent is doing.
  const tapper = (async () => {
    while (tapping) {
      const i = next++;
      const tag = rng.int(10) === 0 ? unknownTag(i) : knownTag(i);
      const reader = readers[i % readers.length]!;
      tapped.add(tag);
      kindOfTag.set(tag, reader.kind);
      if (st.phase === "final") finalTags.push(tag);
      try {
        await reader.tap(tag);
      } catch (err) {
        tapErrors.push(`tap ${tag} on ${reader.config.name}: ${(err as Error).message}`);
      }
      await sleep((1000 / rate) * (0.5 + rng.next()));
    }
  })();
  // Status polling for the figures.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const h = await st.agent?.health();
      if (h) {
        maxBacklog = Math.max(maxBacklog, h.journal.pending);
        retriesByBoot.set(h.bootId, h.sync.retries);
      }
      await sleep(200);
    }
  })();

  let kills = 0;
  let powerCuts = 0;
  let run = 0;
  let finalExitCode = -1;
  let backlogAtLastFault = 0;
  let drainAfterLastFaultMs = -1;
  try {
    const minKills = opts.kills ?? 8;
    while (kills < minKills || Date.now() - t0 < (opts.durationMs ?? 0)) {
      const a = new AgentChild({
        configPath,
        entry: opts.entry,
        env: { ...sims.env, ...opts.envFor?.(run) },
        run,
      });
      st.agent = a;
      run++;
      try {
        await a.waitReady(readers.length);
        await Promise.race([sleep(upMin + rng.int(upMax - upMin)), a.exited]);
      } catch (err) {
        if (!a.dead) throw err; // died by itself while starting (fault fs): counts as a kill
      }
      await a.kill();
      kills++;
      if (a.messages.has("fault fs: power cut")) powerCuts++;
      acks.push(...a.acks);
      say(
        `kill ${kills}: agent ${run} acknowledged ${a.acks.length} scans; ${tapped.size} tapped so far`,
      );
      st.agent = null;
      await sleep(downMin + rng.int(downMax - downMin));
    }

    // Last fault: the simulator behaves from now on, one last agent drains.
    sim.setFaults({});
    const lastFaultAt = Date.now();
    const last = new AgentChild({ configPath, entry: opts.entry, env: sims.env, run });
    st.agent = last;
    await last.waitReady(readers.length);
    backlogAtLastFault = (await last.health())?.journal.pending ?? 0;
    st.phase = "final";
    const finalCount = opts.finalTaps ?? 20;
    await waitUntil(() => finalTags.length >= finalCount, "final taps", 120_000);
    tapping = false;
    await tapper;
    const want = new Set(finalTags);
    await waitUntil(
      () => last.acks.filter((x) => want.has(x.tag)).length === want.size,
      `the ${want.size} taps made while the final agent ran to be acknowledged`,
      120_000,
    );
    await waitUntil(
      async () => (await last.health())?.journal.pending === 0,
      "the backlog to drain",
      300_000,
    );
    drainAfterLastFaultMs = Date.now() - lastFaultAt;
    polling = false;
    await poller;
    const h = await last.health();
    if (h) retriesByBoot.set(h.bootId, h.sync.retries);
    finalExitCode = (await last.stop()).code;
    acks.push(...last.acks);
    st.agent = null;

    const rows = await exportRows(configPath);
    const retired = await readArchive(`${dir}/journal`);
    const report = checkDelivery({
      rows,
      retired,
      stored: sim.stored(),
      acks,
      tapped,
      mustJournal: finalTags,
    });
    const journaledTags = new Set([...rows, ...retired].map((r) => r.rfidTag));
    const c = sim.counts();
    const lost = [...tapped].filter((t) => !journaledTags.has(t));
    report.violations.push(...tapErrors.slice(0, 10));
    return {
      ...report,
      kinds: readers.map((r) => r.kind),
      skipped: sims.skipped,
      written: tapped.size,
      acknowledged: acks.length,
      lostInKillWindows: lost.length,
      lostByKind: Object.fromEntries(
        readers.map((r) => [r.kind, lost.filter((t) => kindOfTag.get(t) === r.kind).length]),
      ),
      kills,
      powerCuts,
      faults: {
        errors: c.errors,
        hangs: c.hangs,
        resets: c.resets,
        lostReplies: c.lostReplies,
        tooLong: c.tooLong,
      },
      retries: [...retriesByBoot.values()].reduce((s, n) => s + n, 0),
      maxBacklog,
      backlogAtLastFault,
      drainAfterLastFaultMs,
      finalExitCode,
      elapsedMs: Date.now() - t0,
    };
  } finally {
    tapping = false;
    polling = false;
    await st.agent?.kill();
    await Promise.race([tapper, sleep(5000)]);
    await poller;
    await sim.close();
    await sims.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The figures of a chaos run as a name → value table. */
export function chaosFigures(r: ChaosResult): Record<string, string | number> {
  return {
    "reader kinds": r.kinds.join(", ") +
      (r.skipped.length ? ` (left out: ${r.skipped.join("; ")})` : ""),
    "scans written": r.written,
    "scans journaled": r.journaled,
    "acknowledged (fsynced)": r.acknowledged,
    "lost in kill windows": `${r.lostInKillWindows} (${
      Object.entries(r.lostByKind).map(([k, n]) => `${k} ${n}`).join(", ")
    })`,
    "delivered (stored at iFlow)": r.delivered,
    "read again after a restart": r.rereads,
    "rejected by iFlow (unknown cards)": r.rejected,
    "kills": r.kills,
    "faults": `${
      r.faults.errors + r.faults.hangs + r.faults.resets + r.faults.lostReplies + r.faults.tooLong
    } (5xx ${r.faults.errors}, hangs ${r.faults.hangs}, resets ${r.faults.resets}, lost replies ${r.faults.lostReplies}, 414 ${r.faults.tooLong})`,
    "retries": r.retries,
    "max backlog": r.maxBacklog,
    "time to drain after the last fault": `${
      (r.drainAfterLastFaultMs / 1000).toFixed(1)
    } s (backlog ${r.backlogAtLastFault})`,
    "violations": r.violations.length,
    "elapsed": `${(r.elapsedMs / 1000).toFixed(1)} s`,
  };
}
