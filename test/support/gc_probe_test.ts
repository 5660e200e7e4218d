import assert from "node:assert/strict";
import { probeGc } from "./gc_probe.ts";

Deno.test("gc probe counts scavenges of a loop that allocates (negative control)", async () => {
  const r = await probeGc(new URL("./fixtures/allocating_loop.ts", import.meta.url));
  assert.ok(r.scavenges > 0, `expected scavenges, got 0:\n${r.stdout.slice(-1500)}`);
});
