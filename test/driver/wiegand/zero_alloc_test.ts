import assert from "node:assert/strict";
import { probeGc } from "../../support/gc_probe.ts";

const CHILD = new URL("./fixtures/gc_child.ts", import.meta.url);

Deno.test("wiegand edge assembly + decode allocate nothing over 1,100,000 frames", async () => {
  const r = await probeGc(CHILD, ["1000000", "100000"]);
  // Every frame decoded (26/34/35/37/48-bit mix), through edge() and through GPIO event bytes.
  const counts = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("{"))!);
  assert.deepEqual(counts.ok, 1_100_000);
  assert.deepEqual([counts.parity, counts.other], [0, 0]);
  assert.deepEqual(r.scavenges, 0, r.stdout.slice(-2000));
});

Deno.test("wiegand zero-allocation probe catches an allocating sink (control)", async () => {
  const r = await probeGc(CHILD, ["200000", "0", "alloc"]);
  assert.ok(r.scavenges > 0, `expected scavenges, got ${r.scavenges}`);
});

const NOISE_CHILD = new URL("./fixtures/noise_gc_child.ts", import.meta.url);

Deno.test("wiegand faulty-line cases through the reader allocate nothing (drops, counters, hints)", async () => {
  const r = await probeGc(NOISE_CHILD, ["40"]);
  const res = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("{"))!);
  assert.deepEqual([res.cases, res.events], [80_000, 0]);
  // Every case drops at least once (glitch cases once per glitch).
  assert.ok(res.dropped >= res.cases, JSON.stringify(res));
  assert.deepEqual(r.scavenges, 0, r.stdout.slice(-2000));
});
