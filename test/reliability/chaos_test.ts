import assert from "node:assert/strict";
import { testSeed } from "../support/prng.ts";
import { chaosFigures, runChaos } from "./chaos.ts";
import { printFigures } from "./harness.ts";

Deno.test("chaos: agent SIGKILLed 8 times under iFlow faults loses no acknowledged scan and delivers each once, in order", async () => {
  const seed = testSeed(0xc4a05);
  const r = await runChaos({ seed, kills: 8 });
  printFigures(`chaos (seed ${seed}; replay with PONTAJ_SEED=${seed})`, chaosFigures(r));
  assert.deepEqual(r.violations, [], `seed ${seed}`);
  assert.equal(r.kills, 8);
  assert.ok(r.kinds.length >= 2, `reader kinds: ${r.kinds}`);
  assert.equal(r.finalExitCode, 0, "the final agent stops cleanly on SIGTERM");
  assert.equal(r.pending, 0);
  assert.equal(r.synced + r.rejected, r.journaled);
  assert.equal(r.delivered, r.deliveredKeys, "each delivered scan stored once at iFlow");
  assert.equal(r.journaled - r.rereads, r.written - r.lostInKillWindows);
  assert.ok(r.acknowledged <= r.journaled);
  assert.ok(r.synced > 0 && r.rejected > 0, "both outcomes exercised");
  const f = r.faults;
  assert.ok(f.errors > 0 && f.resets > 0 && f.lostReplies > 0 && f.tooLong > 0, "faults injected");
});
