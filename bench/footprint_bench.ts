/**
 * The agent's memory footprint (issue #19), each figure beside its reference
 * measured in the same run, over several runs:
 *
 * - bare Deno: `deno run` (the `start` task's flags) of a script that only waits;
 * - the agent's code alone: the same, importing `service/cli/run.ts` (every
 *   module `deno task start` loads before it opens anything);
 * - the idle agent: one simulated reader of each kind, an empty journal, the
 *   status server, iFlow up with nothing to send; read once start-up settled;
 * - backlog: the load run (`test/reliability/load.ts`: 60,000 scans at
 *   1,000/s while iFlow is down, then the drain): idle before, peak while
 *   the backlog builds and drains, and 30 s after the drain;
 * - `cli export` of 1,000,000 records, JSONL and CSV, fast and slow consumer.
 *
 * Each process's RSS is split into anonymous pages (its own heaps) and
 * file-backed pages (the Deno binary's text and read-only data: clean and
 * shared with every Deno process on the box).
 *
 *   deno run -A bench/footprint_bench.ts [--runs 3] [--load-seconds 60] [--records 1000000] [--json]
 *
 * `bench/report.ts` runs it (not `deno bench`: it measures other processes).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ProcMem, settledMem } from "../test/support/proc_mem.ts";
import { DENO_JSON, START_FLAGS } from "../test/support/start_flags.ts";
import {
  AgentChild,
  agentConfig,
  openSimReaders,
  writeConfig,
} from "../test/reliability/harness.ts";
import { type LoadResult, runLoad } from "../test/reliability/load.ts";
import { startIflowSimulator } from "../service/iflow/sim/simulator.ts";
import { DEMO_TOKEN } from "../service/iflow/sim/model.ts";
import type { MemoryStatus } from "../service/status/snapshot.ts";
import { exportFixture, type ExportRun, runExport } from "./footprint_export.ts";

const RUN_MODULE = new URL("../service/cli/run.ts", import.meta.url).href;
const EXPORT_MODULE = new URL("../service/cli/export.ts", import.meta.url).href;
/** What the agent entry of the tests adds to the agent's graph (bridged simulated GPIO). */
const AGENT_ENTRY_GRAPH = new URL("../test/reliability/sim_bridge.ts", import.meta.url).href;

/**
 * How long the agent is left alone after the drain before its RSS is read:
 * V8 gives back the heap the burst grew only after its memory reducer ran
 * (it starts 8 s after the last major GC), and the agent trims the C heap
 * every 5 s.
 */
export const AFTER_DRAIN_SETTLE_MS = 30_000;

/** What one run measured. */
export interface FootprintRun {
  /** Bare Deno (an empty script that waits). */
  bare: ProcMem;
  /** Deno with the agent's modules imported, nothing started. */
  code: ProcMem;
  /** The idle agent with one reader of each kind. */
  idle: ProcMem;
  /** Reader kinds the idle agent ran. */
  idleKinds: string[];
  /** V8 heap of the idle agent (`/health`'s `memory`), MiB, when it reports it. */
  idleHeap: { usedMiB: number; totalMiB: number; externalMiB: number } | null;
  /** The load run (backlog peak, after drain). */
  load: LoadResult | null;
  /** `cli export` runs. */
  exports: ExportRun[];
}

/** Options of {@link runFootprint}. */
export interface FootprintOptions {
  /** Runs (default 3). */
  runs?: number;
  /** Seconds of the load burst at 1,000 scans/s (default 60; 0 skips the load run). */
  loadSeconds?: number;
  /** Records of the export journal (default 1,000,000; 0 skips the export). */
  records?: number;
  /** Progress lines. */
  progress?: (line: string) => void;
}

/** `deno run <start flags> --config deno.json -` of `source`, settled; then killed. */
async function waitingScript(source: string): Promise<ProcMem> {
  const file = await Deno.makeTempFile({ prefix: "pontaj-footprint-", suffix: ".ts" });
  await Deno.writeTextFile(file, source);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...START_FLAGS, "--config", DENO_JSON, file],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const out = child.stdout.getReader();
    await out.read(); // "ready": everything imported
    out.releaseLock();
    return await settledMem(child.pid);
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await Deno.remove(file);
  }
}

const WAIT = `console.log("ready"); setInterval(() => {}, 1 << 30);\n`;

/** The idle agent: one simulated reader of every kind, iFlow up, settled. */
async function idleAgent(): Promise<Pick<FootprintRun, "idle" | "idleKinds" | "idleHeap">> {
  const sims = await openSimReaders();
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-footprint-idle-" });
  let agent: AgentChild | null = null;
  try {
    const config = agentConfig(`${dir}/journal`, sim.url, DEMO_TOKEN, sims.readers);
    await writeConfig(`${dir}/pontaj.jsonc`, config);
    agent = new AgentChild({ configPath: `${dir}/pontaj.jsonc`, env: sims.env });
    await agent.waitReady(sims.readers.length);
    const idle = await settledMem(agent.pid);
    const health = await agent.health() as { memory?: Record<string, number> } | null;
    const m = health?.memory;
    const idleHeap = m
      ? { usedMiB: m.heapUsedMiB!, totalMiB: m.heapTotalMiB!, externalMiB: m.externalMiB! }
      : null;
    return { idle, idleKinds: sims.readers.map((r) => r.kind), idleHeap };
  } finally {
    if (agent && !agent.dead) await agent.stop();
    await sim.close();
    await sims.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Runs the footprint measurements `runs` times. */
export async function runFootprint(opts: FootprintOptions = {}): Promise<FootprintRun[]> {
  const runs = opts.runs ?? 3;
  const loadSeconds = opts.loadSeconds ?? 60;
  const records = opts.records ?? 1_000_000;
  const say = opts.progress ?? (() => {});
  const fixture = records > 0 ? await exportFixture(records) : null;
  const out: FootprintRun[] = [];
  try {
    // Deno transpiles a module the first time it runs it, inside the process that loads it:
    // load every measured graph once so no measured process pays for it.
    await waitingScript(
      [RUN_MODULE, EXPORT_MODULE, AGENT_ENTRY_GRAPH].map((m) =>
        `await import(${JSON.stringify(m)});`
      )
        .join("\n") + `\n${WAIT}`,
    );
    for (let i = 0; i < runs; i++) {
      say(`footprint run ${i + 1} of ${runs}: bare Deno, the agent's code, the idle agent`);
      const bare = await waitingScript(WAIT);
      const code = await waitingScript(`await import(${JSON.stringify(RUN_MODULE)});\n${WAIT}`);
      const idle = await idleAgent();
      let load: LoadResult | null = null;
      if (loadSeconds > 0) {
        say(`footprint run ${i + 1}: backlog (${loadSeconds * 1000} scans at 1,000/s, iFlow down)`);
        load = await runLoad({
          rate: 1000,
          seconds: loadSeconds,
          progress: say,
          afterDrainSettleMs: AFTER_DRAIN_SETTLE_MS,
          archive: false, // the shipped default; archiving (gzip) is measured apart, see the notes
        });
      }
      const exports: ExportRun[] = [];
      if (fixture) {
        for (const format of ["jsonl", "csv"] as const) {
          for (const consumer of ["fast", "slow"] as const) {
            say(`footprint run ${i + 1}: cli export ${records} records, ${format}, ${consumer}`);
            exports.push(await runExport(fixture, format, consumer));
          }
        }
      }
      out.push({ bare, code, ...idle, load, exports });
    }
  } finally {
    await fixture?.remove();
  }
  return out;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** `min–max` of `xs` (one value when they agree), MiB. */
export function range(xs: number[]): string {
  const lo = r1(Math.min(...xs));
  const hi = r1(Math.max(...xs));
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

/** The figures as text lines (what `bench/report.ts` keeps as this bench's notes). */
export function footprintText(runs: FootprintRun[]): string {
  const lines: string[] = [];
  const mem = (m: ProcMem) => `${m.rssMiB} MiB (anon ${m.anonMiB}, file ${m.fileMiB})`;
  runs.forEach((r, i) => {
    lines.push(`run ${i + 1}`);
    lines.push(`  bare Deno            ${mem(r.bare)}`);
    lines.push(`  agent's code only    ${mem(r.code)}`);
    lines.push(
      `  idle agent (${r.idleKinds.join(",")})  ${mem(r.idle)}; idle - bare ${
        r1(r.idle.rssMiB - r.bare.rssMiB)
      } MiB${
        r.idleHeap
          ? `; V8 heap used ${r.idleHeap.usedMiB} of ${r.idleHeap.totalMiB}, external ${r.idleHeap.externalMiB}`
          : ""
      }`,
    );
    if (r.load) {
      const l = r.load;
      const h = (m: MemoryStatus | null) =>
        m ? `heap ${m.heapUsedMiB}/${m.heapTotalMiB}, external ${m.externalMiB}` : "heap ?";
      lines.push(
        `  backlog ${l.backlog}: idle ${mem(l.idleMem)}, peak ${l.rssBacklogMiB} (+${
          r1(l.rssBacklogMiB - l.rssIdleMiB)
        }), after the drain ${mem(l.afterDrainMem)} (+${r1(l.rssAfterDrainMiB - l.rssIdleMiB)})`,
      );
      lines.push(
        `    V8 (used/total MiB): idle ${h(l.heap.idle)}; full backlog ${
          h(l.heap.backlog)
        }; after the drain ${h(l.heap.afterDrain)}`,
      );
    }
    for (const e of r.exports) {
      lines.push(
        `  export ${e.format} ${e.consumer}: peak ${e.peakMiB} MiB, ${e.lines} lines, ${
          (e.bytes / 1e6).toFixed(1)
        } MB in ${e.seconds.toFixed(1)} s`,
      );
    }
  });
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "3" },
      "load-seconds": { type: "string", default: "60" },
      records: { type: "string", default: "1000000" },
      json: { type: "boolean", default: false },
    },
  });
  const runs = await runFootprint({
    runs: Number(values.runs),
    loadSeconds: Number(values["load-seconds"]),
    records: Number(values.records),
    progress: (l) => console.error(`${new Date().toISOString()} ${l}`),
  });
  console.log(values.json ? JSON.stringify(runs) : footprintText(runs));
}
