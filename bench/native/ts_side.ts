/**
 * Child process of bench/native_vs_ts.ts: one hot loop, C and TypeScript
 * taking turns in this process over the same input bytes. The C references
 * come from the shared library the bench built (opened with `Deno.dlopen`);
 * each side warms up, then samples of about 10 ms alternate, C, TS, C, TS, …,
 * timed with the same clock: the CPU time of this (the JS) thread, so time
 * spent waiting for a core on a shared machine counts for neither. Between
 * the GC probe markers: the TS side's heap growth over one pass between forced
 * GCs, and the samples. Prints one JSON line.
 *
 *   deno run -A --v8-flags=--expose-gc,--max-semi-space-size=1 bench/native/ts_side.ts \
 *     <loop> <input file> <units> <samples> [<C library>]
 *
 * Without a library (no C compiler) only the TS side runs, timed with `process.cpuUsage`.
 *
 * @module
 */

import process from "node:process";
import { GC_END, GC_START } from "../../test/support/gc_probe.ts";
import { heapGrowth } from "../../test/support/heap_growth.ts";
import { type LoopName, LOOPS } from "./inputs.ts";
import { makePass } from "./ts_loops.ts";

const [loop, file, unitsArg, samplesArg, libPath] = Deno.args;
if (!LOOPS.includes(loop as LoopName) || !file) {
  console.error("usage: ts_side.ts <loop> <input file> <units> <samples> [<C library>]");
  Deno.exit(2);
}
const units = Number(unitsArg);
const samples = Math.max(1, Number(samplesArg) | 0);
const bytes = await Deno.readFile(file);
const pass = makePass(loop as LoopName, bytes, units);
const sum = new Uint32Array(1);

const lib = libPath
  ? Deno.dlopen(libPath, {
    pontaj_init: { parameters: [], result: "void" },
    pontaj_run: {
      parameters: ["i32", "buffer", "u32", "u32", "i32", "buffer"],
      result: "i32",
    },
    pontaj_thread_cpu_ns: { parameters: [], result: "f64" },
  })
  : null;
lib?.symbols.pontaj_init();
const loopNo = LOOPS.indexOf(loop as LoopName);
const cSum = new Uint32Array(1);
const cpuNs = lib ? () => lib.symbols.pontaj_thread_cpu_ns() : () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const runC = (reps: number): number =>
  lib!.symbols.pontaj_run(loopNo, bytes, bytes.length, units, reps, cSum);

// Warm-up: at least 30 passes and 0.5 s, so the optimising compiler has finished.
for (let w = 0; w < 5; w++) pass(sum, true); // type feedback for every operation first
const warmUntil = performance.now() + 500;
let onceTs = Infinity;
let count = 0;
for (let w = 0; w < 30 || performance.now() < warmUntil; w++) {
  const t0 = cpuNs();
  count = pass(sum);
  onceTs = Math.min(onceTs, cpuNs() - t0);
}
const first = sum[0]!;
let onceC = Infinity;
if (lib) {
  for (let w = 0; w < 5; w++) {
    const t0 = cpuNs();
    const c = runC(1);
    onceC = Math.min(onceC, cpuNs() - t0);
    if (c !== count || cSum[0] !== first) {
      console.error(`C decoded ${c} (sum ${cSum[0]}), TS ${count} (sum ${first})`);
      Deno.exit(1);
    }
  }
}
// Each sample repeats the pass for about 10 ms.
const repsOf = (once: number) => Math.max(1, Math.ceil(1e7 / Math.max(once, 1000)));
const repsTs = repsOf(onceTs);
const repsC = repsOf(onceC);
const ts = new Float64Array(samples);
const cs = new Float64Array(samples);
let bad = "";
console.log(GC_START);
const growth = heapGrowth(() => pass(sum));
for (let k = 0; k < samples; k++) {
  if (lib) {
    const t0 = cpuNs();
    const c = runC(repsC);
    cs[k] = (cpuNs() - t0) / (units * repsC);
    if (c !== count || cSum[0] !== first) bad = `C decoded ${c} (sum ${cSum[0]}), TS ${count}`;
  }
  const t0 = cpuNs();
  for (let r = 0; r < repsTs; r++) {
    const c = pass(sum);
    if (c !== count || sum[0] !== first) bad = `TS decoded ${c} (sum ${sum[0]}), first ${count}`;
  }
  ts[k] = (cpuNs() - t0) / (units * repsTs);
}
console.log(GC_END);
lib?.close();
if (bad) {
  console.error(bad);
  Deno.exit(1);
}
ts.sort();
cs.sort();
console.log(JSON.stringify({
  loop,
  units,
  samples,
  ts: ts[0],
  tsMedian: ts[samples >> 1],
  c: lib ? cs[0] : null,
  cMedian: lib ? cs[samples >> 1] : null,
  count,
  sum: first,
  heapGrowth: growth,
}));
