/**
 * The soak: the chaos run for a given duration (every other agent start on a
 * journal that loses power at a random op, the rest SIGKILLed), the fuzz
 * targets with 10^7 inputs each (in a heap-capped child, alongside), then the
 * full load run (1,000 scans/s for 60 s while iFlow is down, then the drain).
 * Prints the figures of each part; exits 1 if any invariant broke.
 *
 *   deno run -A test/reliability/soak.ts [--duration 30m] [--seed N]
 *     [--fuzz-inputs 10000000] [--load-seconds 60] [--rate 25]
 *
 * `--duration` takes 90s, 30m, 2h or plain seconds.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Prng } from "../support/prng.ts";
import { chaosFigures, runChaos } from "./chaos.ts";
import { FAULT_FS_ENV } from "./fault_fs.ts";
import { printFigures, runFuzzChild } from "./harness.ts";
import { loadFigures, runLoad } from "./load.ts";

/** Parses 90s / 30m / 2h / 600 into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new RangeError(`--duration: expected e.g. 90s, 30m or 2h, got '${text}'`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      duration: { type: "string", default: "30m" },
      seed: { type: "string" },
      "fuzz-inputs": { type: "string", default: "10000000" },
      "load-seconds": { type: "string", default: "60" },
      rate: { type: "string", default: "25" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno run -A test/reliability/soak.ts [--duration 30m] [--seed N] [--fuzz-inputs 10000000] [--load-seconds 60] [--rate 25]",
    );
    Deno.exit(0);
  }
  const durationMs = parseDuration(values.duration!);
  const seed = values.seed ? Number(values.seed) >>> 0 : (Date.now() >>> 0);
  const fuzzInputs = Number(values["fuzz-inputs"]);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  log(
    `soak: seed ${seed} (replay with --seed ${seed}), chaos for ${values.duration}, fuzz ${fuzzInputs} inputs per target`,
  );

  const fuzzing = runFuzzChild(fuzzInputs, seed);
  const ops = new Prng(seed ^ 0x5a5a);
  const chaos = await runChaos({
    seed,
    durationMs,
    rate: Number(values.rate),
    progress: log,
    envFor: (run): Record<string, string> =>
      run % 2 === 1 ? { [FAULT_FS_ENV]: `tear:${ops.nextU32()}:${5 + ops.int(150)}` } : {},
  });
  printFigures(`chaos soak (seed ${seed})`, {
    ...chaosFigures(chaos),
    "power cuts": chaos.powerCuts,
  });
  for (const v of chaos.violations) console.log(`  VIOLATION ${v}`);

  log("chaos done; waiting for the fuzz child");
  const fz = await fuzzing;
  console.log(`\nfuzz (${fuzzInputs} inputs per target)`);
  for (const r of fz.results) {
    console.log(
      `  ${r.name.padEnd(62)} ${
        r.failures === 0 ? "ok  " : "FAIL"
      } ${r.documentedErrors} documented errors, ${
        (r.ms / 1000).toFixed(0)
      } s, heap ${r.heapBeforeMiB}→${r.heapAfterMiB} MiB (peak ${r.heapPeakMiB})`,
    );
    for (const f of r.firstFailures) console.log(`    ${f} (target seed ${r.seed})`);
  }
  if (!fz.ok) console.log(`  fuzz child failed: ${fz.err}`);

  const loadSeconds = Number(values["load-seconds"]);
  log(`load: 1,000 scans/s for ${loadSeconds} s`);
  const load = await runLoad({ rate: 1000, seconds: loadSeconds, progress: log });
  printFigures("load", loadFigures(load, 1000));
  for (const v of load.violations) console.log(`  VIOLATION ${v}`);

  const fuzzBad = !fz.ok ||
    fz.results.some((r) => r.failures > 0 || r.heapAfterMiB - r.heapBeforeMiB > 8);
  const ok = chaos.violations.length === 0 && load.violations.length === 0 && !fuzzBad &&
    chaos.finalExitCode === 0 && load.exitCode === 0;
  console.log(`\nsoak ${ok ? "passed" : "FAILED"} (seed ${seed})`);
  Deno.exit(ok ? 0 : 1);
}
