import assert from "node:assert/strict";
import { probeGc } from "../support/gc_probe.ts";
import { LOOPS } from "../../bench/native/inputs.ts";

Deno.test("hot loops compared with C allocate nothing: heap growth 0 over a pass, no scavenge over 300,000 units each", async () => {
  const r = await probeGc(new URL("./fixtures/hot_loops_gc.ts", import.meta.url), ["18"]);
  const line = r.after.find((l) => l.startsWith("{"));
  assert.ok(line, r.stdout.slice(-2000));
  const { growth, units } = JSON.parse(line) as {
    growth: Record<string, number>;
    units: Record<string, number>;
  };
  assert.deepEqual(Object.keys(growth), [...LOOPS]);
  for (const loop of LOOPS) {
    assert.equal(growth[loop], 0, `${loop}: heap grew ${growth[loop]} bytes over one pass`);
    assert.ok(units[loop]! >= 250_000, `${loop}: only ${units[loop]} units decoded`);
  }
  assert.equal(r.scavenges, 0, `scavenges during the hot loops:\n${r.stdout.slice(-2000)}`);
});
