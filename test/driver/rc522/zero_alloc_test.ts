import assert from "node:assert/strict";
import { probeGc } from "../../support/gc_probe.ts";

Deno.test("rc522 poll loop over SPI and the simulator allocates nothing (1,000,000 transfers)", async () => {
  const r = await probeGc(new URL("./fixtures/rc522_poll_gc.ts", import.meta.url));
  const end = r.stdout.split("\n").find((l) => l.startsWith("{"));
  assert.ok(end, r.stdout);
  const stats = JSON.parse(end);
  assert.ok(stats.transfers >= 1_000_000, end);
  assert.ok(stats.cardsRead >= 10_000, end);
  assert.ok(stats.collisions > 0, end);
  assert.equal(stats.wrongSizes, 0);
  assert.equal(stats.errors, 0, end);
  assert.equal(r.scavenges, 0, `scavenges between markers:\n${r.stdout.slice(0, 4000)}`);
});

Deno.test("rc522 transport's real libc ioctl path allocates nothing (1,000,000 ioctls)", async () => {
  const r = await probeGc(new URL("./fixtures/rc522_ffi_gc.ts", import.meta.url));
  const end = r.stdout.split("\n").find((l) => l.startsWith("{"));
  assert.ok(end, r.stdout);
  const stats = JSON.parse(end);
  assert.ok(stats.ioctls >= 1_000_000, end);
  assert.ok(stats.busErrors >= 1_000_000, end);
  assert.equal(r.scavenges, 0, `scavenges between markers:\n${r.stdout.slice(0, 4000)}`);
});
