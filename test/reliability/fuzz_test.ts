import assert from "node:assert/strict";
import { testSeed } from "../support/prng.ts";
import type { FuzzResult } from "./fixtures/fuzz_child.ts";
import { FUZZ_TARGETS } from "./fuzz_targets.ts";
import { runFuzzChild } from "./harness.ts";

const INPUTS = 100_000;

/** Runs every target in the heap-capped child; fails when the child does. */
async function runTargets(inputs: number, seed: number): Promise<FuzzResult[]> {
  const run = await runFuzzChild(inputs, seed);
  assert.ok(run.ok, `fuzz child failed: ${run.err}\n${run.out}`);
  return run.results;
}

Deno.test("fuzz: 10^5 seeded inputs per decoder and outside-input parser; only documented errors, memory bounded", async (t) => {
  const seed = testSeed(0xf0220);
  const results = await runTargets(INPUTS, seed);
  assert.deepEqual(results.map((r) => r.name), FUZZ_TARGETS.map((f) => f.name));
  for (const r of results) {
    await t.step(r.name, () => {
      const replay = `replay: PONTAJ_SEED=${seed}, target seed ${r.seed}`;
      assert.equal(r.inputs, INPUTS);
      assert.deepEqual(r.firstFailures, [], replay);
      assert.equal(r.failures, 0, replay);
      assert.ok(
        r.heapAfterMiB - r.heapBeforeMiB < 8,
        `heap grew from ${r.heapBeforeMiB} to ${r.heapAfterMiB} MiB`,
      );
      assert.ok(r.heapPeakMiB < 160, `heap peak ${r.heapPeakMiB} MiB`);
      const target = FUZZ_TARGETS.find((f) => f.name === r.name)!;
      if (!target.allowed) assert.equal(r.documentedErrors, 0);
    });
  }
  console.log(
    results.map((r) =>
      `${r.name.padEnd(62)} ${String(r.inputs).padStart(8)} inputs  ${
        String(r.documentedErrors).padStart(6)
      } documented errors  ${r.ms} ms  heap ${r.heapBeforeMiB}→${r.heapAfterMiB} MiB (peak ${r.heapPeakMiB})`
    ).join("\n"),
  );
});
