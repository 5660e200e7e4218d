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
 * first (journal and raw variants alternating over 31 rounds, median), which
 * keeps fsync-latency drift out of the ratio; Deno.bench's own groups run one
 * after the other and are left to the JSON.
 */
export function journalRows(files: BenchFile[]): Row[] {
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
 * `variant` names a run with settings of its own (a simulator that waits).
 */
export function syncRows(file: BenchFile, variant?: { label: string; cmd: string }): Row[] {
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
