import assert from "node:assert/strict";
import { probeGc } from "../../support/gc_probe.ts";

Deno.test("capture tap allocates nothing over 1,000,000 tapped frames (bytes, edges, register batches)", async () => {
  const r = await probeGc(new URL("./fixtures/tap_hot_loop.ts", import.meta.url));
  assert.ok(
    r.after.some((l) => l.includes("frames=1000000 dropped=true written=3125000")),
    r.after.join("\n"),
  );
  assert.equal(r.scavenges, 0, `scavenges during the loop:\n${r.stdout.slice(-2000)}`);
});
