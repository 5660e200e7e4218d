import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { START_FLAGS } from "../support/start_flags.ts";

const v8FlagsOf = (cmd: string) => cmd.split(/\s+/).filter((w) => w.startsWith("--v8-flags="));

Deno.test("start and both compile targets run the agent with the same V8 memory flags", () => {
  const start = v8FlagsOf(denoJson.tasks.start);
  assert.deepEqual(start, [
    "--v8-flags=--max-semi-space-size=1,--no-allocation-site-pretenuring",
  ]);
  const compiles = denoJson.tasks.compile.split("&&").map(v8FlagsOf);
  assert.equal(compiles.length, 2);
  for (const c of compiles) assert.deepEqual(c, start);
  // The other commands (export of a large journal, sync --once) run with them too, as compiled.
  assert.deepEqual(v8FlagsOf(denoJson.tasks.cli), start);
  // Child agents in the tests and benchmarks take them from the start task.
  assert.deepEqual(START_FLAGS, start);
});
