/**
 * The footprint rows of the benchmark report (`bench/report.ts`): each
 * target of issue #19 beside the reference it is measured against, as
 * ranges over the runs of `bench/footprint_bench.ts`.
 *
 * @module
 */

import { type FootprintRun, range } from "./footprint_bench.ts";
import type { Row } from "./report_rows.ts";

const r1 = (x: number) => Math.round(x * 10) / 10;
const runsOf = (n: number) => `${n} run${n === 1 ? "" : "s"}`;
/** A range of differences with their sign: `+4.3–5.6`, `−0.6`. */
const delta = (xs: number[]) => (Math.min(...xs) >= 0 ? "+" : "") + range(xs.map(r1));

/** The rows for `runs` (one run or more, measured in the same report run). */
export function footprintRows(runs: FootprintRun[], cmd: string): Row[] {
  if (runs.length === 0) return [];
  const n = runs.length;
  const over = runsOf(n);
  const mem = (pick: (r: FootprintRun) => { rssMiB: number; anonMiB: number; fileMiB: number }) =>
    `${range(runs.map((r) => pick(r).rssMiB))} MiB (anon ${
      range(runs.map((r) => pick(r).anonMiB))
    }, file-backed ${range(runs.map((r) => pick(r).fileMiB))})`;
  const rows: Row[] = [
    [
      "footprint",
      `bare Deno (an empty script, the start task's flags; ${over})`,
      `**${mem((r) => r.bare)}**`,
      cmd,
    ],
    [
      "footprint",
      `the agent's modules imported, nothing started (${over})`,
      mem((r) => r.code),
      cmd,
    ],
    [
      "footprint",
      `idle agent, one reader of each kind (${runs[0]!.idleKinds.join(", ")}) on simulators, ` +
      `settled (${over})`,
      `**${mem((r) => r.idle)}**; idle − bare **${
        range(runs.map((r) => r.idle.rssMiB - r.bare.rssMiB))
      } MiB** (target ≤ 52 MiB and ≤ bare + 15 MiB)${
        runs[0]!.idleHeap
          ? `; V8 heap used ${range(runs.map((r) => r.idleHeap?.usedMiB ?? 0))} MiB`
          : ""
      }`,
      cmd,
    ],
  ];
  const loads = runs.flatMap((r) => r.load ? [r.load] : []);
  if (loads.length > 0) {
    rows.push([
      "footprint",
      `backlog of ${loads[0]!.backlog.toLocaleString("en-US")} scans at 1,000/s with iFlow ` +
      `down, then the drain (8 byte-stream readers; ${runsOf(loads.length)})`,
      `idle ${range(loads.map((l) => l.rssIdleMiB))} MiB; peak **${
        delta(loads.map((l) => l.rssBacklogMiB - l.rssIdleMiB))
      } MiB** (${range(loads.map((l) => l.rssBacklogMiB))} MiB; target ≤ idle + 16); 30 s after ` +
      `the drain **${delta(loads.map((l) => l.rssAfterDrainMiB - l.rssIdleMiB))} MiB** (${
        range(loads.map((l) => l.rssAfterDrainMiB))
      } MiB; target ≤ idle + 4)`,
      cmd,
    ]);
  }
  for (const format of ["jsonl", "csv"] as const) {
    for (const consumer of ["fast", "slow"] as const) {
      const ex = runs.flatMap((r) =>
        r.exports.filter((e) => e.format === format && e.consumer === consumer)
      );
      if (ex.length === 0) continue;
      const rowsOut = ex[0]!.lines - (format === "csv" ? 1 : 0);
      rows.push([
        "footprint",
        `cli export of ${rowsOut.toLocaleString("en-US")} records, ${format}, ${consumer} ` +
        `consumer (${runsOf(ex.length)})`,
        `peak RSS **${range(ex.map((e) => e.peakMiB))} MiB** (target < 64 MiB); ${
          (ex[0]!.bytes / 1e6).toFixed(1)
        } MB in ${range(ex.map((e) => e.seconds))} s`,
        cmd,
      ]);
    }
  }
  return rows;
}
