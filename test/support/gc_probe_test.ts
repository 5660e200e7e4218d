import assert from "node:assert/strict";
import { probeGc } from "./gc_probe.ts";

Deno.test("gc probe counts scavenges of a loop that allocates (negative control)", async () => {
  const r = await probeGc(new URL("./fixtures/allocating_loop.ts", import.meta.url));
  assert.ok(r.scavenges > 0, `expected scavenges, got 0:\n${r.stdout.slice(-1500)}`);
});

Deno.test("heap growth probe sees a 16-byte allocation per unit, and 0 without one (control)", async () => {
  const r = await probeGc(new URL("./fixtures/heap_growth_control.ts", import.meta.url));
  const line = r.after.find((l) => l.startsWith("{"));
  assert.ok(line, r.stdout.slice(-1500));
  const { boxed, none } = JSON.parse(line) as { boxed: number; none: number };
  assert.equal(Math.round(boxed), 16, `bytes per boxing unit: ${boxed}`);
  assert.equal(none, 0, `bytes per plain unit: ${none}`);
  assert.ok(r.scavenges > 0, `1,000,000 boxed doubles and no scavenge:\n${r.stdout.slice(-1500)}`);
});
