/**
 * Child process of bench/native_vs_ts.ts: runs one TypeScript hot loop over
 * an input file like the C side (bench/native/main.c) does: warm-up passes,
 * then a heap-growth segment (one pass between forced GCs) and `passes` timed
 * samples (each about 10 ms of passes) between the GC probe markers; prints
 * one JSON line. Times are the
 * process's CPU time (`process.cpuUsage`, like the C side's
 * `CLOCK_PROCESS_CPUTIME_ID`): on a shared machine, waiting for a core is not
 * the loop's time.
 *
 *   deno run -A --v8-flags=--expose-gc,--max-semi-space-size=1 bench/native/ts_side.ts \
 *     <loop> <input file> <units> <passes>
 *
 * @module
 */

import process from "node:process";
import { GC_END, GC_START } from "../../test/support/gc_probe.ts";
import { heapGrowth } from "../../test/support/heap_growth.ts";
import { type LoopName, LOOPS } from "./inputs.ts";
import { makePass } from "./ts_loops.ts";

const [loop, file, unitsArg, passesArg] = Deno.args;
if (!LOOPS.includes(loop as LoopName) || !file) {
  console.error("usage: ts_side.ts <loop> <input file> <units> <passes>");
  Deno.exit(2);
}
const units = Number(unitsArg);
const passes = Math.max(1, Number(passesArg) | 0);
const bytes = await Deno.readFile(file);
const pass = makePass(loop as LoopName, bytes, units);
const sum = new Uint32Array(1);
let count = 0;
// Warm-up: at least 30 passes and 0.5 s, so the optimising compiler has finished before measuring.
const warmUntil = performance.now() + 500;
let once = Infinity;
for (let w = 0; w < 30 || performance.now() < warmUntil; w++) {
  const t0 = performance.now();
  count = pass(sum);
  once = Math.min(once, performance.now() - t0);
}
// Each timed sample repeats the pass for about 10 ms, as the C side does: process.cpuUsage
// ticks coarsely.
const reps = Math.max(1, Math.ceil(10 / Math.max(once, 1e-3)));
const first = sum[0]!;
const ns = new Float64Array(passes);
console.log(GC_START);
const growth = heapGrowth(() => pass(sum));
let bad = "";
for (let p = 0; p < passes; p++) {
  const t0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) {
    const c = pass(sum);
    if (c !== count || sum[0] !== first) {
      bad = `pass ${p} decoded ${c} (sum ${sum[0]}), the first ${count} (sum ${first})`;
    }
  }
  const t1 = process.cpuUsage(t0);
  ns[p] = (t1.user + t1.system) * 1000 / (units * reps);
}
console.log(GC_END);
if (bad) {
  console.error(bad);
  Deno.exit(1);
}
ns.sort();
console.log(JSON.stringify({
  loop,
  units,
  passes,
  median: ns[passes >> 1],
  best: ns[0],
  count,
  sum: first,
  heapGrowth: growth,
}));
