import assert from "node:assert/strict";
import { testSeed } from "../support/prng.ts";
import type { FuzzResult } from "./fixtures/fuzz_child.ts";
import { FUZZ_TARGETS } from "./fuzz_targets.ts";
import { DENO_JSON } from "./harness.ts";

const CHILD = new URL("./fixtures/fuzz_child.ts", import.meta.url).pathname;
const INPUTS = 100_000;

/** Runs every target in a child with a capped heap (unbounded growth would crash it). */
async function runTargets(inputs: number, seed: number): Promise<FuzzResult[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      DENO_JSON,
      "--v8-flags=--expose-gc,--max-old-space-size=192",
      CHILD,
      "--inputs",
      String(inputs),
      "--seed",
      String(seed),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `fuzz child failed: ${new TextDecoder().decode(out.stderr)}\n${text}`);
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as FuzzResult);
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
