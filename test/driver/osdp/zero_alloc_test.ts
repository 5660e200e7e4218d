import assert from "node:assert/strict";
import { probeGc } from "../../support/gc_probe.ts";

Deno.test("osdp parser allocates nothing over 1,000,000 frames (no scavenge, heap growth 0)", async () => {
  const r = await probeGc(new URL("./fixtures/parser_hot_loop.ts", import.meta.url));
  // 6 frames per round (the fake header's victim is recovered), 2 errors per round
  assert.ok(r.after.some((l) => l.includes("frames=1020000 errors=340000")), r.after.join("\n"));
  assert.equal(r.scavenges, 0, `scavenges during the loop:\n${r.stdout.slice(-2000)}`);
  assert.ok(r.after.includes("heapGrowth=0"), r.after.join("\n"));
});
