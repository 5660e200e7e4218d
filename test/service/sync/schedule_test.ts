import assert from "node:assert/strict";
import { DEMO_EMPLOYEES, startIflowSimulator } from "../../../service/iflow/mod.ts";
import { SyncEngine, SyncSchedule } from "../../../service/sync/mod.ts";
import { withSeed } from "../../support/prng.ts";
import { fastConfig, scan, TOKEN, waitFor, withJournal } from "./support.ts";

const ANA = DEMO_EMPLOYEES[0]!.rfid;
const T0 = Date.UTC(2024, 4, 6, 5, 0, 0);

Deno.test("SyncSchedule: backoff ceilings double to the cap, outage ends once, pauses below the jitter", () => {
  const s = new SyncSchedule({
    backoffBaseMs: 8000,
    backoffCapMs: 45_000,
    reconnectJitterMs: 15_000,
    random: () => 0.5,
  });
  assert.deepEqual([s.atStart(0), s.atStart(3), s.inOutage], [0, 7500, false]);
  assert.deepEqual(s.recovered(true), null, "no outage: no pause");
  const delays = [s.failed(), s.failed(), s.failed(), s.failed(), s.failed()];
  assert.deepEqual(delays, [4000, 8000, 16_000, 22_500, 22_500]);
  assert.deepEqual([s.attempt, s.inOutage], [5, true]);
  assert.deepEqual(s.failed(10_000), 22_500, "the backoff draw is longer than 10 s + 5 s");
  s.delivered();
  assert.deepEqual(s.attempt, 0);
  assert.deepEqual(s.failed(10_000), 15_000, "Retry-After 10 s + half of 10 s beats 4 s");
  assert.deepEqual([s.recovered(true), s.inOutage, s.recovered(true)], [7500, false, null]);
  s.failed();
  assert.deepEqual(s.recovered(false), 0, "nothing more pending: no pause");
  const none = new SyncSchedule({
    backoffBaseMs: 1,
    backoffCapMs: 1,
    reconnectJitterMs: 0,
    random: () => 0.5,
  });
  none.failed();
  assert.deepEqual([none.atStart(5), none.recovered(true)], [0, 0]);
});

Deno.test("SyncEngine: agents answered Retry-After 10 s together wait at least 10 s, each a different time", async () => {
  const sim = await startIflowSimulator({
    port: 0,
    tokens: [TOKEN],
    employees: DEMO_EMPLOYEES,
    faults: { errorRate: 1, retryAfterSec: 10 },
  });
  try {
    await withSeed(2310, async (rng) => {
      const waits: number[] = [];
      for (let agent = 0; agent < 4; agent++) {
        await withJournal(async (j) => {
          await j.append(scan(ANA, T0 + agent));
          const engine = new SyncEngine(j, {
            iflow: fastConfig(sim.url, { backoffCapMs: 60_000 }),
            random: () => rng.next(),
            now: () => T0, // a fixed clock: nextAttemptAtMs - lastErrorAtMs is the drawn wait
          });
          engine.start();
          await waitFor(() => engine.status().state === "backoff", "backoff after the 503");
          const st = engine.status();
          waits.push(st.nextAttemptAtMs! - st.lastErrorAtMs!);
          await engine.stop();
          assert.deepEqual(j.stats().pending, 1, "nothing lost");
        });
      }
      assert.deepEqual(sim.counts().errors, 4, "one refused request each, no retry before 10 s");
      assert.ok(waits.every((w) => w >= 10_000 && w < 20_000), `waits ${waits}`);
      assert.deepEqual(new Set(waits).size, 4, `not in step: ${waits}`);
    });
  } finally {
    await sim.close();
  }
});
