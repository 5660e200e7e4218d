import assert from "node:assert/strict";
import { withSeed } from "../../support/prng.ts";
import { DEFAULT_SCHEDULE, maxInWindow, quantile, simulateFleet } from "./fleet_sim.ts";

const N = 1000;
const CAP = DEFAULT_SCHEDULE.backoffCapMs;
const MINUTE = 60_000;
const HOUR = 3_600_000;

function profile(firstMs: number[]): string {
  return `p50 ${quantile(firstMs, 0.5)} ms, p90 ${quantile(firstMs, 0.9)} ms, ` +
    `max ${Math.max(...firstMs)} ms, busiest second ${maxInWindow(firstMs)} of ${firstMs.length}`;
}

Deno.test("fleet of 1,000 after a shared Retry-After: 10 s: none back early, no second with a third", async () => {
  await withSeed(2301, (rng) => {
    // Every agent refused at once with Retry-After 10 s; iFlow is fine 1 ms later.
    const r = simulateFleet({
      agents: N,
      random: () => rng.next(),
      recoverAtMs: 1,
      retryAfterMs: 10_000,
      requestMs: 0,
    });
    assert.ok(r.minRetryGapMs >= 10_000, `a retry ${r.minRetryGapMs} ms after the refusal`);
    assert.ok(Math.min(...r.firstMs) >= 10_000 - 1, `back before 10 s: ${profile(r.firstMs)}`);
    assert.ok(maxInWindow(r.firstMs) <= N / 3, `rendezvous: ${profile(r.firstMs)}`);
    assert.ok(Math.max(...r.firstMs) < 20_000, `jitter above min(RA, cap): ${profile(r.firstMs)}`);
  });
});

Deno.test("fleet of 1,000 answered Retry-After: 10 s for 30 s: each retry waits it, no second with a third", async () => {
  await withSeed(2302, (rng) => {
    const r = simulateFleet({
      agents: N,
      random: () => rng.next(),
      recoverAtMs: 30_000,
      retryAfterMs: 10_000,
      firstRequestAtMs: (a) => a % 2 === 0 ? 0 : Math.floor(rng.next() * 2000),
    });
    assert.ok(r.minRetryGapMs >= 10_000, `a retry ${r.minRetryGapMs} ms after the refusal`);
    assert.ok(maxInWindow(r.firstMs) <= N / 3, `rendezvous after recovery: ${profile(r.firstMs)}`);
    assert.ok(Math.max(...r.firstMs) < Math.max(CAP, 2 * 10_000), profile(r.firstMs));
  });
});

for (const [name, outageMs] of [["60 s", MINUTE], ["1 h", HOUR]] as const) {
  Deno.test(`fleet of 1,000 after a ${name} outage: back within the cap, no second with a quarter, stored within 90 s`, async () => {
    await withSeed(2303 + outageMs / 1000, (rng) => {
      const r = simulateFleet({ agents: N, random: () => rng.next(), recoverAtMs: outageMs });
      assert.ok(r.refused >= N, `every agent was refused at least once (${r.refused})`);
      assert.ok(Math.min(...r.firstMs) >= 0);
      assert.ok(
        Math.max(...r.firstMs) < CAP,
        `first request beyond the cap: ${profile(r.firstMs)}`,
      );
      assert.ok(Math.max(...r.firstMs) < MINUTE, profile(r.firstMs));
      assert.ok(maxInWindow(r.firstMs) <= N / 4, `crowded second: ${profile(r.firstMs)}`);
      assert.ok(Math.max(...r.storedMs) <= 90_000, `stored at ${Math.max(...r.storedMs)} ms`);
    });
  });
}

Deno.test("fleet of 1,000 after short outages (all refused at the same instant): no second with a quarter", async () => {
  await withSeed(2304, (rng) => {
    for (
      const outageMs of [500, 1000, 2000, 3000, 4000, 6000, 8000, 12_000, 16_000, 24_000, 40_000]
    ) {
      const r = simulateFleet({ agents: N, random: () => rng.next(), recoverAtMs: outageMs });
      const what = `outage ${outageMs} ms: ${profile(r.firstMs)}`;
      assert.ok(maxInWindow(r.firstMs) <= N / 4, what);
      assert.ok(Math.max(...r.firstMs) < CAP, what);
      assert.ok(Math.max(...r.storedMs) <= 90_000, what);
    }
  });
});

Deno.test("fleet of 1,000: the old schedule (base 1 s, cap 300 s, jitter 30 s) fails these bounds", async () => {
  await withSeed(2305, (rng) => {
    const old = { backoffBaseMs: 1000, backoffCapMs: 300_000, reconnectJitterMs: 30_000 };
    const long = simulateFleet({
      agents: N,
      random: () => rng.next(),
      recoverAtMs: MINUTE,
      config: old,
    });
    assert.ok(Math.max(...long.firstMs) > MINUTE, `old, 60 s outage: ${profile(long.firstMs)}`);
    const blip = simulateFleet({
      agents: N,
      random: () => rng.next(),
      recoverAtMs: 1000,
      config: old,
    });
    assert.ok(maxInWindow(blip.firstMs) > N / 4, `old, 1 s outage: ${profile(blip.firstMs)}`);
  });
});
