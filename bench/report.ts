/**
 * The integrator benchmark report: runs every `bench/*_bench.ts` with
 * `deno bench -A --json`, the decoders' zero-allocation probes, and the
 * agent-level load run (1,000 scans/s for 60 s while iFlow is down, then the
 * drain), and writes `bench/README.md`: the machine, and one table of the
 * figures, each with the command that reproduces it. Every figure comes from
 * a measurement of this run; nothing is typed in.
 *
 *   deno run -A bench/report.ts [--load-seconds 60] [--out bench/README.md]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { probeGc } from "../test/support/gc_probe.ts";
import { type LoadResult, runLoad, START_FLAGS } from "../test/reliability/mod.ts";
import { benchFigure, type BenchResult, fmtRate } from "./figures.ts";
import { type Machine, machine } from "./machine.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** What one bench file produced. */
interface BenchFile {
  file: string;
  results: BenchResult[];
  /** What the file printed besides the JSON (its own summaries). */
  notes: string;
  error: string | null;
  seconds: number;
}

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
  // What the bench printed before its JSON, then what it noted inside bench functions.
  const notes = [text.slice(0, at < 0 ? text.length : at).trim(), inBench].filter(Boolean)
    .join("\n");
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

type Row = [area: string, figure: string, value: string, command: string];

const find = (files: BenchFile[], re: RegExp) =>
  files.flatMap((f) => f.results).find((r) => re.test(r.name));

/**
 * Journal/raw rows from the interleaved measurement journal_bench.ts prints
 * first (journal and raw variants alternating over 31 rounds, median), which
 * keeps fsync-latency drift out of the ratio; Deno.bench's own groups run one
 * after the other and are left to the JSON.
 */
function journalRows(files: BenchFile[]): Row[] {
  const rows: Row[] = [];
  const cmd = "`deno bench -A bench/journal_bench.ts`";
  const notes = files.find((f) => f.file === "journal_bench.ts")?.notes ?? "";
  for (const line of notes.split("\n")) {
    const m = /^(.+?)\s+journal\s+(\d+) appends\/s\s+(.*)$/.exec(line);
    if (!m) continue;
    const raws = [...m[3]!.matchAll(/raw \(([^)]+)\)\s+(\d+)\/s, journal\/raw ([\d.]+)/g)].map(
      (r) => `raw (${r[1]}) ${fmtRate(Number(r[2]), "writes")}: **${r[3]}**`,
    );
    rows.push([
      "journal",
      `journal/raw, ${m[1]!.trim()} (interleaved rounds, median)`,
      `${fmtRate(Number(m[2]), "appends")}; ${raws.join("; ")}`,
      cmd,
    ]);
  }
  const rec = find(files, /^Journal\.open \(recovery\)/);
  if (rec) rows.push(["journal", `recovery time: ${rec.name}`, benchFigure(rec), cmd]);
  return rows;
}

/** One row per Deno.bench result of `f`, with its figure. */
function benchRows(f: BenchFile, area: string): Row[] {
  return f.results.map((r): Row => [
    area,
    r.name,
    benchFigure(r),
    `\`deno bench -A bench/${f.file}\``,
  ]);
}

/**
 * Sync rows from what sync_bench.ts notes (its bench functions' own figures:
 * the Deno.bench time of an iteration also counts filling the journal and
 * starting simulators). Each figure is listed once per iteration Deno.bench ran.
 * `variant` names a run with settings of its own (a simulator that waits).
 */
function syncRows(file: BenchFile, variant?: { label: string; cmd: string }): Row[] {
  const cmd = variant?.cmd ?? "`deno bench -A bench/sync_bench.ts`";
  const all = (re: RegExp) => [...file.notes.matchAll(re)].map((m) => m.slice(1));
  const list = (xs: string[]) => xs.join(" / ");
  const drain = all(/drain: (\d+) records, \d+ batches in [\d.]+ s = (\d+) records\/s/g);
  const bare = all(
    /before and after the drain\): (\d+) and (\d+) records\/s; drain \/ simulator alone = ([\d.]+)/g,
  );
  const cpu = all(
    /drain: agent ([\d.]+) ms, simulator ([\d.]+) ms; simulator alone: client ([\d.]+) ms, simulator ([\d.]+) ms/g,
  );
  const rss = all(/peak \(VmHWM\) ([\d.]+) MiB/g);
  const lat = all(/p50 ([\d.]+) ms, p99 ([\d.]+) ms/g);
  if (drain.length === 0 && lat.length === 0) return benchRows(file, "sync");
  const rows: Row[] = [];
  if (drain.length > 0) {
    rows.push([
      "sync",
      `drain of ${Number(drain[0]![0]).toLocaleString("en-US")} journaled scans into the simulator${
        variant ? `, ${variant.label}` : ""
      }`,
      `**${list(drain.map((d) => fmtRate(Number(d[1]), "records")))}**; the simulator alone ${
        list(bare.map((b) =>
          `${fmtRate(Number(b[0]), "records")} and ${fmtRate(Number(b[1]), "records")}`
        ))
      } (before and after); **drain / simulator ${list(bare.map((b) => b[2]!))}**; peak RSS ${
        list(rss.map((r) => `${r[0]} MiB`))
      } (target < 96 MiB)`,
      cmd,
    ]);
  }
  if (cpu.length > 0 && !variant) {
    rows.push([
      "sync",
      "CPU per batch of 50 during the drain (all threads, user + system; 2 cores shared)",
      `agent ${list(cpu.map((c) => `${c[0]} ms`))}, simulator ${
        list(cpu.map((c) => `${c[1]} ms`))
      }; simulator alone: bare client ${list(cpu.map((c) => `${c[2]} ms`))}, simulator ${
        list(cpu.map((c) => `${c[3]} ms`))
      }`,
      cmd,
    ]);
  }
  if (lat.length > 0) {
    rows.push([
      "sync",
      "online scan-to-iFlow latency (append + fsync → iFlow's reply)",
      `p50 ${list(lat.map((l) => `${l[0]} ms`))}; **p99 ${
        list(lat.map((l) => `${l[1]} ms`))
      }** (target p99 < 1 s)`,
      cmd,
    ]);
  }
  return rows;
}

function table(rows: Row[]): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  return [
    "| Area | Figure | Value | Reproduce |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

function loadRows(l: LoadResult, seconds: number): Row[] {
  const cmd = `\`deno run -A test/reliability/load.ts --seconds ${seconds}\``;
  return [
    [
      "agent",
      `burst journal rate (${l.written.toLocaleString("en-US")} scans at 1,000/s, iFlow down)`,
      `**${
        fmtRate(l.journalRate, "scans")
      }** fsynced; last scan journaled ${l.catchUpMs} ms after the burst; lost ${
        l.written - l.journaled
      }`,
      cmd,
    ],
    [
      "agent",
      `drain rate after the outage (backlog ${l.backlog.toLocaleString("en-US")})`,
      `**${fmtRate(l.drainRate, "records")}** (${
        (l.drainMs / 1000).toFixed(1)
      } s, reconnect jitter ≤ 0.5 s included); stored at iFlow ${
        l.delivered.toLocaleString("en-US")
      }, violations ${l.violations.length}`,
      cmd,
    ],
    [
      "agent",
      "RSS idle (8 readers, empty journal, 1 s after start)",
      `**${l.rssIdleMiB} MiB**`,
      cmd,
    ],
    [
      "agent",
      `RSS under backlog (up to ${l.backlog.toLocaleString("en-US")} pending)`,
      `**${l.rssBacklogMiB} MiB** (peak VmHWM over the run ${l.peakRssMiB} MiB)`,
      cmd,
    ],
  ];
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
      out: { type: "string", default: `${ROOT}bench/README.md` },
    },
  });
  const loadSeconds = Number(values["load-seconds"]);
  const say = (s: string) => console.error(`${new Date().toISOString()} ${s}`);
  const m = await machine();
  const files: BenchFile[] = [];
  const benchNames: string[] = [];
  for await (const e of Deno.readDir(`${ROOT}bench`)) {
    if (e.isFile && e.name.endsWith("_bench.ts")) benchNames.push(e.name);
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
  // The drain again with a simulator that waits 1 ms before each reply (a near network):
  // the agent's own cost per batch is then what separates the two paces.
  const SLOW_SIM = { SYNC_BENCH_SCANS: "20000", SYNC_BENCH_SIM_LATENCY_MS: "1" };
  say(`deno bench -A --json --filter drain bench/sync_bench.ts (simulator latency 1 ms)`);
  const slowSync = await runBenchFile("sync_bench.ts", { env: SLOW_SIM, filter: "drain" });
  say("zero-allocation probes");
  const probes = await gcProbes();
  say(`load: 1,000 scans/s for ${loadSeconds} s, then the drain`);
  const load = await runLoad({ rate: 1000, seconds: loadSeconds, progress: say });

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
        : benchRows(f, f.file.replace(/_bench\.ts$/, ""))),
    );
  }
  rows.push(
    ...syncRows(slowSync, {
      label: "the simulator answering after 1 ms",
      cmd: "`SYNC_BENCH_SCANS=20000 SYNC_BENCH_SIM_LATENCY_MS=1 deno bench -A --filter drain " +
        "bench/sync_bench.ts`",
    }),
  );
  rows.push(...loadRows(load, loadSeconds));
  for (const f of [...files, slowSync].filter((f) => f.error)) {
    rows.push([
      f.file,
      "FAILED",
      f.error!.replaceAll("\n", " "),
      `\`deno bench -A bench/${f.file}\``,
    ]);
  }

  const notes = [...files, slowSync].filter((f) => f.notes).map((f) =>
    `#### bench/${f.file}${f === slowSync ? " (simulator latency 1 ms, drain only)" : ""}` +
    `\n\n\`\`\`\n${f.notes}\n\`\`\``
  ).join("\n\n");
  const md = `# Benchmarks

Generated by \`deno run -A bench/report.ts\` (which runs every \`bench/*_bench.ts\`
with \`deno bench -A --json\`, the decoders' zero-allocation probes and the
agent load run). Every figure below was measured in that run; do not edit this
file by hand, run the report again.

## Machine

${machineText(m)}

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
  rounds; the median round counts), so drift in fsync latency hits all sides
  alike. The journal writes small batches with \`writeSync\` and syncs
  asynchronously, so the "writeSync + async fdatasync" baseline is the strict
  one: it shows only what the journal adds.
- Sync drain rows: "simulator alone" sends the same batches as bare GETs from
  a client that does nothing else, on a fresh simulator, before and after the
  drain; drain / simulator is the drain's rate over their mean. The agent
  sends one batch at a time and writes the answers to the batch before while
  the next is in flight. Agent and simulator share the machine's cores: the
  CPU row shows what each spends per batch, and the run with a simulator that
  waits 1 ms per reply shows the pace once the simulator, not the shared
  CPU, is the slow side.
- Agent rows run the real agent as a child process (\`service/main.ts run\`
  with the runtime flags of \`deno task start\`: \`${
    START_FLAGS.join(" ") || "none"
  }\`; with a simulated Wiegand reader, the same agent
  code through \`test/reliability/fixtures/agent_entry.ts\`, which only adds
  the simulated GPIO chip as a device override, as the demo does) against
  simulated readers on ptys and the iFlow simulator on loopback. Latency is measured from the card presented to the
  simulated reader until the simulated iFlow has stored the attendance.

## What the benchmarks printed

${notes || "(nothing)"}
`;
  await Deno.writeTextFile(values.out!, md);
  // The repository's `deno fmt --check` covers Markdown: write it formatted.
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", values.out!], cwd: ROOT })
    .output();
  say(`wrote ${values.out}`);
}
