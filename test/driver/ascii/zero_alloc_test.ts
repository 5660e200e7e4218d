import assert from "node:assert/strict";
import { probeGc } from "../../support/gc_probe.ts";

Deno.test("ascii decoder allocates nothing over 1,000,000 frames (no scavenge, heap growth 0)", async () => {
  const r = await probeGc(new URL("./fixtures/ascii_hot_loop.ts", import.meta.url));
  assert.ok(r.after.some((l) => l.includes("frames=1000000 lines=500000")), r.after.join("\n"));
  assert.equal(r.scavenges, 0, `scavenges during the loop:\n${r.stdout.slice(-2000)}`);
  assert.ok(r.after.includes("heapGrowth=0"), r.after.join("\n"));
});
