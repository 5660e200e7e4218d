import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { START_FLAGS } from "../support/start_flags.ts";

/** The memory flags of a task: its `--v8-flags=` word and `--no-code-cache`. */
const memoryFlagsOf = (cmd: string) =>
  cmd.split(/\s+/).filter((w) => w.startsWith("--v8-flags=") || w === "--no-code-cache");

Deno.test("start and both compile targets run the agent with the same memory flags", () => {
  const start = memoryFlagsOf(denoJson.tasks.start);
  assert.deepEqual(start, [
    "--v8-flags=--max-semi-space-size=1,--no-allocation-site-pretenuring,--max-opt=2,--no-concurrent-recompilation",
    "--no-code-cache",
  ]);
  const compiles = denoJson.tasks.compile.split("&&").map(memoryFlagsOf);
  assert.equal(compiles.length, 2);
  for (const c of compiles) assert.deepEqual(c, start);
  // The other commands (export of a large journal, sync --once) run with them too, as compiled.
  assert.deepEqual(memoryFlagsOf(denoJson.tasks.cli), start);
  // Child agents in the tests and benchmarks take them from the start task.
  assert.deepEqual(START_FLAGS, start);
});
