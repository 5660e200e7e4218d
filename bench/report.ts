/**
 * The integrator benchmark report: runs every `bench/*_bench.ts` with
 * `deno bench -A --json`, the decoders' zero-allocation probes, and the
 * agent-level load run (1,000 scans/s for 60 s while iFlow is down, then the
 * drain), the fleet run (`bench/fleet.ts`: agents after an outage and a
 * `Retry-After`), and writes `bench/README.md`: the machine, and one table of the
 * figures, each with the command that reproduces it. Every figure comes from
 * a measurement of this run; nothing is typed in.
 *
 *   deno run -A bench/report.ts [--load-seconds 60] [--fleet-agents 8] [--out bench/README.md]
 *
 * @module
 */

import { NATIVE_GAP_NOTES } from "./native/gap_notes.ts";
import { parseArgs } from "node:util";
import { probeGc } from "../test/support/gc_probe.ts";
import { START_FLAGS } from "../test/reliability/mod.ts";
import { footprintText, runFootprint } from "./footprint_bench.ts";
import { footprintRows } from "./footprint_rows.ts";
import { benchFigure, type BenchResult } from "./figures.ts";
import { runFleet } from "./fleet.ts";
import { fleetNotes, fleetRows } from "./fleet_rows.ts";
import { type Machine, machine } from "./machine.ts";
import { compareNative, nativeTable } from "./native_vs_ts.ts";
import {
  type BenchFile,
  benchRows,
  captureRows,
  journalRows,
  loadRows,
  type Row,
  syncRows,
  table,
} from "./report_rows.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** A bench file run with settings of its own (environment, `--filter`). */
interface BenchVariant {
  env: Record<string, string>;
  filter: string;
}

async function runBenchFile(file: string, variant?: BenchVariant): Promise<BenchFile> {
  const t0 = performance.now();
  const notesFile = await Deno.makeTempFile({ prefix: "pontaj-bench-notes-" });
  const filter = variant ? ["--filter", variant.filter] : [];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "-A", "--json", ...filter, `bench/${file}`],
    cwd: ROOT,
    env: { ...variant?.env, PONTAJ_BENCH_NOTES: notesFile },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const inBench = (await Deno.readTextFile(notesFile)).trimEnd();
  await Deno.remove(notesFile);
  const text = new TextDecoder().decode(out.stdout);
  const at = text.search(/^\{\s*"version"/m);
  // What the bench printed before its JSON, then what it noted inside bench functions
  // (a note made at module level is in both: keep it once).
  const printed = text.slice(0, at < 0 ? text.length : at).trim();
  const printedLines = new Set(printed.split("\n"));
  const noted = inBench.split("\n").filter((line) => !printedLines.has(line)).join("\n");
  const notes = [printed, noted].filter(Boolean).join("\n");
  if (at < 0) {
    return {
      file,
      results: [],
      notes,
      seconds,
      error: new TextDecoder().decode(out.stderr).slice(-2000),
    };
  }
  const json = JSON.parse(text.slice(at)) as {
    benches: {
      name: string;
      group?: string;
      results: { ok?: Record<string, number>; failed?: unknown }[];
    }[];
  };
  const results: BenchResult[] = [];
  const failures: string[] = [];
  for (const b of json.benches) {
    const ok = b.results[0]?.ok;
    if (!ok) {
      failures.push(`${b.name}: ${JSON.stringify(b.results[0]?.failed ?? b.results[0])}`);
      continue;
    }
    results.push({
      file,
      name: b.name,
      group: b.group ?? null,
      n: ok.n!,
      avg: ok.avg!,
      min: ok.min!,
      max: ok.max!,
      p75: ok.p75!,
      p99: ok.p99!,
    });
  }
  return {
    file,
    results,
    notes,
    seconds,
    error: out.success && failures.length === 0 ? null : failures.join("\n") || `exit ${out.code}`,
  };
}

interface Probe {
  kind: string;
  fixture: string;
  scavenges: number;
  markCompacts: number;
  counts: string;
  test: string;
}

async function gcProbes(): Promise<Probe[]> {
  const out: Probe[] = [];
  for await (const d of Deno.readDir(`${ROOT}test/driver`)) {
    if (!d.isDirectory) continue;
    let names: string[] = [];
    try {
      for await (const f of Deno.readDir(`${ROOT}test/driver/${d.name}/fixtures`)) {
        names.push(f.name);
      }
    } catch {
      continue;
    }
    names = names.filter((f) => f.endsWith(".ts")).sort();
    for (const f of names) {
      const path = `${ROOT}test/driver/${d.name}/fixtures/${f}`;
      const text = await Deno.readTextFile(path);
      if (!/GC-PROBE-START|GC_START/.test(text)) continue;
      const r = await probeGc(path);
      out.push({
        kind: d.name,
        fixture: `test/driver/${d.name}/fixtures/${f}`,
        scavenges: r.scavenges,
        markCompacts: r.markCompacts,
        counts: r.after.join(" ").slice(0, 160),
        test: `deno test -A test/driver/${d.name}/zero_alloc_test.ts`,
      });
    }
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.fixture.localeCompare(b.fixture));
}

function machineText(m: Machine): string {
  return [
    `- CPU: ${m.cpu} (${m.cores} cores)`,
    `- RAM: ${m.ramGiB} GiB`,
    `- Kernel: Linux ${m.kernel}`,
    `- Deno: ${m.deno} (V8 ${m.v8}, TypeScript ${m.typescript})`,
    `- Load average when the run started: ${m.loadAverage} (shared machine: other jobs ran alongside)`,
    `- Commit: ${m.commit}; run on ${m.date}`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "load-seconds": { type: "string", default: "60" },
      "fleet-agents": { type: "string", default: "8" },
      out: { type: "string", default: `${ROOT}bench/README.md` },
    },
  });
  const loadSeconds = Number(values["load-seconds"]);
  const say = (s: string) => console.error(`${new Date().toISOString()} ${s}`);
  const m = await machine();
  const files: BenchFile[] = [];
  const benchNames: string[] = [];
  for await (const e of Deno.readDir(`${ROOT}bench`)) {
    // footprint_bench.ts measures other processes: run below as a script, not by `deno bench`.
    if (e.isFile && e.name.endsWith("_bench.ts") && e.name !== "footprint_bench.ts") {
      benchNames.push(e.name);
    }
  }
  for (const f of benchNames.sort()) {
    say(`deno bench -A --json bench/${f}`);
    const r = await runBenchFile(f);
    say(
      `  ${r.results.length} results in ${r.seconds.toFixed(0)} s${
        r.error ? `; FAILED: ${r.error.slice(0, 200)}` : ""
      }`,
    );
    files.push(r);
  }
  // The drain again with a simulator that waits before each reply (a near and a far
  // network): then nothing but the round trip should bound the drain.
  const slowSims: { ms: number; scans: number; run: BenchFile }[] = [];
  for (const [ms, scans] of [[1, 20_000], [50, 5_000]] as const) {
    say(`deno bench -A --json --filter drain bench/sync_bench.ts (simulator latency ${ms} ms)`);
    const env = { SYNC_BENCH_SCANS: String(scans), SYNC_BENCH_SIM_LATENCY_MS: String(ms) };
    slowSims.push({
      ms,
      scans,
      run: await runBenchFile("sync_bench.ts", { env, filter: "drain" }),
    });
  }
  say("zero-allocation probes");
  const probes = await gcProbes();
  say("TS vs C: each hot loop beside its C reference, interleaved, 3 runs");
  const native = await compareNative({ say: (s) => say(`  ${s}`) });
  say(
    `footprint (3 runs, each with the load run: 1,000 scans/s for ${loadSeconds} s, then the drain)`,
  );
  const footprint = await runFootprint({ runs: 3, loadSeconds, progress: say });
  const load = footprint[0]!.load!;
  say(`fleet: ${values["fleet-agents"]} agents, iFlow down 60 s, then Retry-After 10 s for 30 s`);
  const fleet = await runFleet({ agents: Number(values["fleet-agents"]), progress: say });

  const rows: Row[] = [];
  const kinds = new Set<string>();
  for await (const d of Deno.readDir(`${ROOT}driver`)) if (d.isDirectory) kinds.add(d.name);
  for (const f of files.filter((f) => kinds.has(f.file.replace(/_bench\.ts$/, "")))) {
    const kind = f.file.replace(/_bench\.ts$/, "");
    for (const r of f.results) {
      rows.push([kind, r.name, benchFigure(r), `\`deno bench -A bench/${f.file}\``]);
    }
    for (const p of probes.filter((p) => p.kind === kind)) {
      rows.push([
        kind,
        `allocation in the hot loop (${p.fixture.split("/").pop()})`,
        `**${p.scavenges} scavenges**, ${p.markCompacts} mark-compacts with a 1 MiB young generation; ${p.counts}`,
        `\`${p.test}\``,
      ]);
    }
  }
  rows.push(...journalRows(files));
  const journal = files.find((f) => f.file === "journal_bench.ts");
  if (journal) {
    rows.push(
      ...benchRows(journal, "journal").filter((r) =>
        !/^(journal |journal\.|raw |Journal\.open)/.test(r[1])
      ),
    );
  }
  // Everything else (sync, ...), the agent's own benchmarks and the load run last.
  const rest = files.filter((f) => !kinds.has(f.file.replace(/_bench\.ts$/, "")) && f !== journal);
  rest.sort((x, y) => Number(x.file === "agent_bench.ts") - Number(y.file === "agent_bench.ts"));
  for (const f of rest) {
    rows.push(
      ...(f.file === "sync_bench.ts"
        ? syncRows(f)
        : f.file === "capture_bench.ts"
        ? captureRows(f)
        : benchRows(f, f.file.replace(/_bench\.ts$/, ""))),
    );
  }
  for (const { ms, scans, run } of slowSims) {
    rows.push(
      ...syncRows(run, {
        label: `the simulator answering after ${ms} ms`,
        cmd: `\`SYNC_BENCH_SCANS=${scans} SYNC_BENCH_SIM_LATENCY_MS=${ms} deno bench -A ` +
          "--filter drain bench/sync_bench.ts`",
      }),
    );
  }
  rows.push(...loadRows(load, loadSeconds));
  rows.push(
    ...footprintRows(
      footprint,
      `\`deno run -A bench/footprint_bench.ts --load-seconds ${loadSeconds}\``,
    ),
  );
  rows.push(...fleetRows(fleet));
  const slowRuns = slowSims.map((x) => x.run);
  for (const f of [...files, ...slowRuns].filter((f) => f.error)) {
    rows.push([
      f.file,
      "FAILED",
      f.error!.replaceAll("\n", " "),
      `\`deno bench -A bench/${f.file}\``,
    ]);
  }

  const notes = [...files, ...slowRuns].filter((f) => f.notes).map((f) =>
    `#### bench/${f.file}${
      slowRuns.includes(f)
        ? ` (simulator latency ${slowSims.find((x) => x.run === f)!.ms} ms, drain only)`
        : ""
    }` +
    `\n\n\`\`\`\n${f.notes}\n\`\`\``
  ).concat(`#### bench/footprint_bench.ts\n\n\`\`\`\n${footprintText(footprint)}\n\`\`\``)
    .concat(`#### bench/fleet.ts (${fleet.agents} agents)\n\n\`\`\`\n${fleetNotes(fleet)}\n\`\`\``)
    .join("\n\n");
  const md = `# Benchmarks

Generated by \`deno run -A bench/report.ts\` (which runs every \`bench/*_bench.ts\`
with \`deno bench -A --json\`, the decoders' zero-allocation probes, the
agent load run and the fleet run). Every figure below was measured in that run; do not edit this
file by hand, run the report again.

## Machine

${machineText(m)}

## TS vs C

${native.note}. Ranges over the runs. \`deno run -A bench/native_vs_ts.ts\` reproduces it
(\`--loop NAME\`, \`--runs\`, \`--samples\`, \`--seed\`).

${nativeTable(native)}

- Both sides run the same algorithm on the same bytes (made from one seed by
  \`bench/native/inputs.ts\`): C in \`bench/native/*.c\`, TypeScript through
  pontaj's public entry points in \`bench/native/ts_loops.ts\`. Each unit's
  value is added into a 32-bit sum on both sides; the run fails unless counts
  and sums agree.
- C runs from a shared library opened with \`Deno.dlopen\` in the same process
  as the TS side, turn about, so both see the same machine load; the clock is
  the JS thread's CPU time (\`CLOCK_THREAD_CPUTIME_ID\`). The TS side warms up
  for 0.5 s first.
- Heap growth: the TS side's \`heapUsed\` across one pass between forced GCs,
  least of 5 tries, less the cost of reading it (\`--expose-gc\`, 1 MiB
  semi-space); scavenges: \`--trace-gc\` lines while the samples ran, all runs.
  Both 0 means the loop allocates nothing.

${NATIVE_GAP_NOTES}

## Figures

${table(rows)}

Notes on reading the table:

- Decoder rows: time per frame (or byte) is the mean time of one benchmark
  iteration divided by the frames (bytes) the benchmark's name says it
  decodes. "Allocation" rows run the decoder's hot loop in a child with
  \`--trace-gc --max-semi-space-size=1\` and count minor GCs (scavenges) while
  it runs over the number of frames printed: 0 means the loop allocates
  nothing.
- Journal rows compare \`journal.append\` with a raw \`write\` + \`fdatasync\` of
  the same frame bytes on the same disk: the difference is the journal's own
  cost (framing, CRC32C, bookkeeping). They come from the interleaved run the
  benchmark prints first (journal and each raw variant take turns over 31
  rounds; rates are the median round, ratios the median of each round's own
  ratio), so drift in fsync latency hits all sides alike; group commit runs
  three times. The journal writes small batches with \`writeSync\` and syncs
  asynchronously, so the "writeSync + async fdatasync" baseline is the strict
  one: it shows only what the journal adds. The "the same + the scans encoded
  in the round" side is not a baseline: it also does the journal's encoding
  (payload, seq, CRC32C), so the distance to it is the journal's bookkeeping.
- Sync drain rows: the simulator's pace is batch records / (the delay it
  really applied before each reply + its own time per batch, from handler
  entry to the reply built), both counted by the simulator during the drain
  itself (\`/__sim/stats\`); a 1 ms timer fires after ~2 ms, which is why the
  applied delay is measured. The bare client sends the same batches as bare
  GETs, one at a time, with nothing else to do, on a fresh simulator with the
  same delay before and after the drain; bare client / simulator's pace shows
  what HTTP and loopback outside the handler cost any client. The agent
  sends one batch at a time and writes the answers to earlier batches while
  the next is in flight. Agent and simulator share the machine's cores.
- Agent rows run the real agent as a child process (\`service/main.ts run\`
  with the runtime flags of \`deno task start\`: \`${
    START_FLAGS.join(" ") || "none"
  }\`; with a simulated Wiegand reader, the same agent
  code through \`test/reliability/fixtures/agent_entry.ts\`, which only adds
  the simulated GPIO chip as a device override, as the demo does) against
  simulated readers on ptys and the iFlow simulator on loopback. Latency is measured from the card presented to the
  simulated reader until the simulated iFlow has stored the attendance.
- Fleet rows (\`bench/fleet.ts\`) run N such agents with the shipped sync
  defaults, each with its own journal, reader and token, against one
  simulator that is closed for 60 s and then answers 503 with Retry-After.
  The bounds are fractions of the fleet: with 8 agents a third is 2.7 agents,
  so three agents drawing the same second by chance miss it; the 1,000-agent
  simulation in \`test/service/sync/fleet_test.ts\` checks the same bounds
  where chance evens out.

## What the benchmarks printed

${notes || "(nothing)"}
`;
  await Deno.writeTextFile(values.out!, md);
  // The repository's `deno fmt --check` covers Markdown: write it formatted.
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", values.out!], cwd: ROOT })
    .output();
  say(`wrote ${values.out}`);
}
