import assert from "node:assert/strict";
import { printFigures } from "./harness.ts";
import { loadFigures, runLoad } from "./load.ts";

Deno.test("load: 1,000 scans/s for 5 s while iFlow is down, then back: nothing lost, backlog drains, memory bounded", async () => {
  const r = await runLoad({ rate: 1000, seconds: 5 });
  printFigures("load (shortened; the soak and the bench report run 60 s)", loadFigures(r, 1000));
  assert.deepEqual(r.violations, []);
  assert.equal(r.journaled, 5000, "every scan journaled");
  assert.equal(r.synced, 5000);
  assert.equal(r.delivered, 5000, "every scan stored once at iFlow");
  assert.equal(r.pending, 0);
  assert.ok(r.backlog > 0, "a backlog built up while iFlow was down");
  assert.equal(r.exitCode, 0);
  assert.ok(r.peakRssMiB > 0 && r.peakRssMiB < 512, `peak RSS ${r.peakRssMiB} MiB`);
});
