import assert from "node:assert/strict";
import { Prng, testSeed } from "../support/prng.ts";
import { chaosFigures, runChaos } from "./chaos.ts";
import { FAULT_FS_ENV } from "./fault_fs.ts";
import { printFigures } from "./harness.ts";

Deno.test("power loss (agent): the real agent's journal loses power at random ops, 8 times; every fsync-acknowledged scan is kept and delivered once", async () => {
  const seed = testSeed(0x90e7);
  const ops = new Prng(seed ^ 0x5a5a);
  const cuts: string[] = [];
  const r = await runChaos({
    seed,
    kills: 8,
    upMs: [1500, 4000], // long enough that most starts end by a power cut, not SIGKILL
    envFor: () => {
      const spec = `tear:${ops.nextU32()}:${5 + ops.int(150)}`;
      cuts.push(spec);
      return { [FAULT_FS_ENV]: spec };
    },
  });
  printFigures(`power loss under the agent (seed ${seed})`, {
    ...chaosFigures(r),
    "power cuts": r.powerCuts,
  });
  assert.deepEqual(r.violations, [], `seed ${seed}`);
  assert.equal(r.kills, 8);
  assert.ok(
    r.powerCuts >= 4,
    `${r.powerCuts} of 8 starts ended by a power cut (${cuts.join(" ")})`,
  );
  assert.equal(r.finalExitCode, 0);
  assert.equal(r.pending, 0);
  assert.equal(r.delivered, r.deliveredKeys);
  assert.equal(r.journaled - r.rereads, r.written - r.lostInKillWindows);
});
