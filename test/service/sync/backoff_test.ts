import assert from "node:assert/strict";
import {
  Backoff,
  fullJitter,
  LatencyHistogram,
  MAX_RETRY_AFTER_MS,
  overlapNamesOwnLiveStamp,
  retryAfterJitter,
  seededRandom,
} from "../../../service/sync/mod.ts";

Deno.test("fullJitter stays below min(cap, base*2^n) and is still random at the cap", () => {
  const random = seededRandom(42);
  for (let attempt = 0; attempt < 20; attempt++) {
    const ceiling = Math.min(300_000, 1000 * 2 ** attempt);
    for (let k = 0; k < 200; k++) {
      const d = fullJitter(attempt, 1000, 300_000, random);
      assert.ok(d >= 0 && d < ceiling, `attempt ${attempt}: ${d}`);
    }
  }
  const capped = new Set<number>();
  for (let k = 0; k < 100; k++) capped.add(fullJitter(30, 1000, 300_000, random));
  assert.ok(capped.size > 90, "delays at the cap differ");
  assert.deepEqual(fullJitter(3, 1000, 300_000, () => 0.5), 4000);
  assert.deepEqual(fullJitter(1000, 1000, 300_000, () => 0.999999), 299_999);
});

Deno.test("Backoff counts failures, takes Retry-After as a floor with jitter, resets", () => {
  const b = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.5 });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [50, 100, 200, 400, 500]);
  assert.deepEqual(b.attempt, 5);
  assert.deepEqual(b.next(7000), 7500, "Retry-After 7 s plus half of min(7 s, cap)");
  assert.deepEqual(b.next(600), 900, "Retry-After 0.6 s plus half of 0.6 s beats the 500 ms draw");
  assert.deepEqual(b.next(10), 500, "a shorter Retry-After does not shorten the wait");
  assert.deepEqual(b.next(0), 500, "Retry-After 0: the plain backoff");
  assert.deepEqual(
    b.next(10 * MAX_RETRY_AFTER_MS),
    MAX_RETRY_AFTER_MS + 500,
    "clamped, then jitter",
  );
  b.reset();
  assert.deepEqual([b.attempt, b.next()], [0, 50]);
});

Deno.test("retryAfterJitter stays in [RA, RA + min(RA, cap)) and spreads", () => {
  const random = seededRandom(23);
  const seen = new Set<number>();
  for (let k = 0; k < 1000; k++) {
    const d = retryAfterJitter(10_000, 45_000, random);
    assert.ok(d >= 10_000 && d < 20_000, `RA 10 s: ${d}`);
    seen.add(Math.floor(d / 1000));
    const long = retryAfterJitter(120_000, 45_000, random);
    assert.ok(long >= 120_000 && long < 165_000, `RA 120 s, cap 45 s: ${long}`);
  }
  assert.deepEqual(seen.size, 10, "every second of [10 s, 20 s) gets some");
  assert.deepEqual(retryAfterJitter(10_000, 45_000, () => 0), 10_000, "never earlier than RA");
  assert.deepEqual(retryAfterJitter(10_000, 45_000, () => 0.999999), 19_999);
});

Deno.test("seededRandom is deterministic", () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const xs = Array.from({ length: 5 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

Deno.test("LatencyHistogram cumulative buckets, sum and count", () => {
  const h = new LatencyHistogram([10, 100, 1000]);
  for (const ms of [1, 10, 11, 99, 500, 5000]) h.observe(ms);
  assert.deepEqual(h.snapshot(), {
    bounds: [10, 100, 1000],
    counts: [2, 4, 5],
    sum: 5621,
    count: 6,
  });
});

Deno.test("overlapNamesOwnLiveStamp matches only our own live stamp", () => {
  const rec = { date: "2024-05-06", time: "08:00:00", utcOffsetMin: 180 };
  const msg = (s: string) =>
    `Ana Popescu - Acest interval se suprapune cu următorul interval: ${s}`;
  assert.ok(overlapNamesOwnLiveStamp(msg("06/05/2024 08:00:03 - gol"), rec, 135));
  assert.ok(overlapNamesOwnLiveStamp(msg("06/05/2024 07:00:00 - 06/05/2024 08:00:02"), rec, 135));
  assert.ok(overlapNamesOwnLiveStamp(msg("06/05/2024 11:00:04 - gol"), rec, 135), "shown in UTC+3");
  assert.ok(!overlapNamesOwnLiveStamp(msg("06/05/2024 09:00:00 - gol"), rec, 135));
  assert.ok(!overlapNamesOwnLiveStamp(msg("05/05/2024 08:00:03 - gol"), rec, 135));
  assert.ok(!overlapNamesOwnLiveStamp("Nu se poate adăuga - prezență duplicată: 1", rec, 135));
  assert.ok(overlapNamesOwnLiveStamp(msg("06/05/2024 08:00:03 - gol").normalize("NFD"), rec, 135));
});
