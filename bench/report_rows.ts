/**
 * The rows of the benchmark report (`bench/report.ts`): each measurement the
 * report run collected, turned into a table row with the command that
 * reproduces it.
 *
 * @module
 */

import type { LoadResult } from "../test/reliability/mod.ts";
import { benchFigure, type BenchResult, fmtRate } from "./figures.ts";

/** What one bench file produced. */
export interface BenchFile {
  file: string;
  results: BenchResult[];
  /** What the file printed besides the JSON (its own summaries). */
  notes: string;
  error: string | null;
  seconds: number;
}

/** One table row. */
export type Row = [area: string, figure: string, value: string, command: string];

const find = (files: BenchFile[], re: RegExp) =>
  files.flatMap((f) => f.results).find((r) => re.test(r.name));

/**
 * Journal/raw rows from the interleaved measurement journal_bench.ts prints
 * first (journal and raw variants alternating over 31 rounds; median round,
 * median of the rounds' own ratios), which
 * keeps fsync-latency drift out of the ratio; Deno.bench's own groups run one
 * after the other and are left to the JSON. Lines with the same label (the
 * group-commit runs, printed three times) become one row listing each run.
 */
export function journalRows(files: BenchFile[]): Row[] {
  const rows: Row[] = [];
  const cmd = "`deno bench -A bench/journal_bench.ts`";
  const notes = files.find((f) => f.file === "journal_bench.ts")?.notes ?? "";
  const runs = new Map<string, { journal: number; raws: [string, number, string][] }[]>();
  for (const line of notes.split("\n")) {
    const m = /^(.+?)\s+journal\s+(\d+) appends\/s\s+(.*)$/.exec(line);
    if (!m) continue;
    const raws = [...m[3]!.matchAll(/raw \(([^)]+)\)\s+(\d+)\/s, journal\/raw ([\d.]+)/g)].map(
      (r): [string, number, string] => [r[1]!, Number(r[2]), r[3]!],
    );
    const label = m[1]!.trim();
    if (!runs.has(label)) runs.set(label, []);
    runs.get(label)!.push({ journal: Number(m[2]), raws });
  }
  const list = (xs: string[]) => xs.join(" / ");
  for (const [label, rs] of runs) {
    const raws = rs[0]!.raws.map(([name], k) => {
      const ratios = list(rs.map((r) => r.raws[k]?.[2] ?? "?"));
      const baseline = !name.startsWith("the same +");
      return `raw (${name}) ${list(rs.map((r) => fmtRate(r.raws[k]?.[1] ?? 0, "writes")))}: ${
        baseline ? `**${ratios}**` : `${ratios} (not a baseline)`
      }`;
    });
    rows.push([
      "journal",
      `journal/raw, ${label} (interleaved rounds, median of round ratios${
        rs.length > 1 ? `; ${rs.length} runs` : ""
      })`,
      `${list(rs.map((r) => fmtRate(r.journal, "appends")))}; ${raws.join("; ")}`,
      cmd,
    ]);
  }
  const rec = find(files, /^Journal\.open \(recovery\)/);
  if (rec) rows.push(["journal", `recovery time: ${rec.name}`, benchFigure(rec), cmd]);
  return rows;
}

/**
 * Capture rows from the interleaved tap-off/tap-on lines capture_bench.ts
 * prints first (ranges over 3 runs and the verdict), then its Deno.bench groups.
 */
export function captureRows(f: BenchFile): Row[] {
  const cmd = "`deno bench -A bench/capture_bench.ts`";
  const rows: Row[] = [];
  for (const line of f.notes.split("\n")) {
    const m = /^capture (.+?): (off .*)$/.exec(line);
    if (m) rows.push(["capture", `tap off/on, ${m[1]} (interleaved, 3 runs)`, m[2]!, cmd]);
  }
  return [...rows, ...benchRows(f, "capture")];
}

/** One row per Deno.bench result of `f`, with its figure. */
export function benchRows(f: BenchFile, area: string): Row[] {
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
 * `variant` names a run with settings of its own (a simulator that waits):
 * its drain row is the target "drain / simulator's pace".
 */
export function syncRows(file: BenchFile, variant?: { label: string; cmd: string }): Row[] {
  const cmd = variant?.cmd ?? "`deno bench -A bench/sync_bench.ts`";
  const all = (re: RegExp) => [...file.notes.matchAll(re)].map((m) => m.slice(1));
  const list = (xs: string[]) => xs.join(" / ");
  const drain = all(
    /drain: (\d+) records, \d+ batches in [\d.]+ s = (\d+) records\/s; agent CPU ([\d.]+) ms per batch = ([\d.]+) µs per record/g,
  );
  const gap = all(/the agent between a reply and the next send ([\d.]+) ms per batch/g);
  const sim = all(
    /delay applied ([\d.]+) ms, own time ([\d.]+) ms per batch \(CPU [\d.]+ ms\); simulator's pace (\d+) records\/s; drain \/ simulator's pace = ([\d.]+)/g,
  );
  const bare = all(
    /before and after the drain\): (\d+) and (\d+) records\/s \(bare client \/ simulator's pace ([\d.]+) and ([\d.]+)\); drain \/ bare client = ([\d.]+)/g,
  );
  const cpu = all(
    /drain: agent ([\d.]+) ms, simulator ([\d.]+) ms; bare: client ([\d.]+) ms, simulator ([\d.]+) ms/g,
  );
  const rss = all(/peak \(VmHWM\) ([\d.]+) MiB/g);
  const lat = all(/p50 ([\d.]+) ms, p99 ([\d.]+) ms/g);
  if (drain.length === 0 && lat.length === 0) return benchRows(file, "sync");
  const rows: Row[] = [];
  const rate = (x: string) => fmtRate(Number(x), "records");
  if (drain.length > 0) {
    const scans = Number(drain[0]![0]).toLocaleString("en-US");
    const paces = `drain ${
      list(drain.map((d) => rate(d[1]!)))
    }; the simulator's pace ${list(sim.map((x) => rate(x[2]!)))} = batch / (delay applied ${
      list(sim.map((x) => `${x[0]} ms`))
    } + its own time ${list(sim.map((x) => `${x[1]} ms`))}); bare client ${
      list(bare.map((b) => `${rate(b[0]!)} and ${rate(b[1]!)}`))
    } (before and after; bare client / simulator's pace ${
      list(bare.map((b) => `${b[2]} and ${b[3]}`))
    }); **drain / bare client ${
      list(bare.map((b) => b[4]!))
    }**; the agent between a reply and ` +
      `the next send ${list(gap.map((g) => `${g[0]} ms`))} per batch; peak RSS ${
        list(rss.map((r) => `${r[0]} MiB`))
      } (target < 96 MiB)`;
    rows.push(
      variant
        ? [
          "sync",
          `drain of ${scans} journaled scans, ${variant.label}: drain / the simulator's pace (target ≥ 0.9)`,
          `**${list(sim.map((x) => x[3]!))}**; ${paces}`,
          cmd,
        ]
        : [
          "sync",
          `drain of ${scans} journaled scans into the simulator answering at once (not a target: ` +
          "agent and simulator share the cores)",
          `drain / the simulator's pace ${list(sim.map((x) => x[3]!))}; ${paces}`,
          cmd,
        ],
    );
  }
  if (cpu.length > 0) {
    rows.push([
      "sync",
      `agent CPU per record during the drain${
        variant ? `, ${variant.label}` : ""
      } (all threads, user + system; batches of 50; 2 cores shared)`,
      `**${list(drain.map((d) => `${d[3]} µs`))}** (${
        list(drain.map((d) => `${d[2]} ms`))
      } per batch); simulator ${list(cpu.map((c) => `${c[1]} ms`))} per batch; bare client ${
        list(cpu.map((c) => `${c[2]} ms`))
      } per batch`,
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

/** The rows as a Markdown table. */
export function table(rows: Row[]): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  return [
    "| Area | Figure | Value | Reproduce |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

/** Rows of the agent load run (burst while iFlow is down, then the drain). */
export function loadRows(l: LoadResult, seconds: number): Row[] {
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
  ];
}
