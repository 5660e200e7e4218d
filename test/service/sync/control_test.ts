import assert from "node:assert/strict";
import { DEMO_EMPLOYEES, startIflowSimulator } from "../../../service/iflow/mod.ts";
import { SyncEngine, type SyncJournal, type SyncProgress } from "../../../service/sync/mod.ts";
import { fastConfig, scan, TOKEN, waitFor, withJournal } from "./support.ts";

const ANA = DEMO_EMPLOYEES[0]!.rfid;
const T0 = Date.UTC(2024, 4, 6, 5, 0, 0);

Deno.test("SyncEngine wake() sends a new scan at once when idle (no poll needed)", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    const engine = new SyncEngine(j, { iflow: fastConfig(sim.url, { pollMs: 60_000 }) });
    engine.start();
    await waitFor(() => engine.status().state === "idle", "idle");
    for (let i = 0; i < 3; i++) {
      await j.append(scan(ANA, T0 + i * 3600_000));
      engine.wake();
      await waitFor(() => sim.stored().length === i + 1, `scan ${i} delivered`);
    }
    await waitFor(() => j.stats().pending === 0, "outcomes recorded");
    await engine.stop();
    assert.deepEqual(engine.status().counters.batches.ok, 3);
  });
  await sim.close();
});

Deno.test("SyncEngine stop() lets the in-flight batch get its reply recorded", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN], faults: { latencyMs: 150 } });
  await withJournal(async (j) => {
    await j.append(scan(ANA, T0));
    const engine = new SyncEngine(j, { iflow: fastConfig(sim.url) });
    engine.start();
    await waitFor(() => engine.status().state === "sending", "sending");
    await engine.stop();
    assert.deepEqual([j.stats().pending, j.stats().synced, sim.stored().length], [0, 1, 1]);
    assert.deepEqual(engine.status().state, "stopped");
  });
  await sim.close();
});

Deno.test("SyncEngine stop(grace) aborts a hanging request; the batch stays pending", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN], faults: { hangRate: 1 } });
  await withJournal(async (j) => {
    await j.append(scan(ANA, T0));
    const engine = new SyncEngine(j, { iflow: fastConfig(sim.url, { timeoutMs: 60_000 }) });
    engine.start();
    await waitFor(() => sim.counts().hangs === 1, "request hanging");
    await engine.stop(20);
    assert.deepEqual([j.stats().pending, sim.stored().length], [1, 0]);
    assert.deepEqual(engine.status().state, "stopped");
  });
  await sim.close();
});

Deno.test("SyncEngine honours Retry-After and reports backoff in status", async () => {
  const sim = await startIflowSimulator({
    port: 0,
    tokens: [TOKEN],
    faults: { errorRate: 1, retryAfterSec: 120 },
  });
  await withJournal(async (j) => {
    await j.append(scan(ANA, T0));
    const engine = new SyncEngine(j, { iflow: fastConfig(sim.url), random: () => 0.5 });
    engine.start();
    await waitFor(() => engine.status().state === "backoff", "backoff");
    const st = engine.status();
    assert.ok(st.nextAttemptAtMs! - st.lastErrorAtMs! >= 119_000, JSON.stringify(st));
    assert.deepEqual(st.lastError, "HTTP 500");
    assert.deepEqual([st.counters.batches.transient, st.counters.retries], [1, 1]);
    assert.deepEqual(sim.counts().errors, 1, "no retry before Retry-After");
    await engine.stop();
    assert.deepEqual(j.stats().pending, 1);
  });
  await sim.close();
});

Deno.test("SyncEngine waits a reconnect jitter at start with a backlog and after an outage", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    for (let i = 0; i < 5; i++) await j.append(scan(ANA, T0 + i * 3600_000));
    // at start: random 0.5 of 60 s, nothing sent meanwhile
    let engine = new SyncEngine(j, {
      iflow: fastConfig(sim.url, { reconnectJitterMs: 60_000 }),
      random: () => 0.5,
    });
    engine.start();
    await waitFor(() => engine.status().state === "backoff", "start jitter");
    const st = engine.status();
    assert.ok(st.nextAttemptAtMs! - Date.now() > 25_000);
    await engine.stop();
    assert.deepEqual(sim.counts().offline, 0);
    // after an outage: the first success is followed by the jitter before the rest
    sim.setFaults({ errorRate: 1 });
    let calls = 0;
    engine = new SyncEngine(j, {
      iflow: fastConfig(sim.url, { reconnectJitterMs: 60_000, batchSize: 2 }),
      random: () => (++calls === 1 ? 0 : 0.5), // no start jitter; backoff and outage jitter at half
    });
    engine.start();
    await waitFor(() => sim.counts().errors >= 2, "outage");
    sim.setFaults({});
    await waitFor(() => sim.stored().length === 2, "first batch after the outage");
    await waitFor(() => engine.status().state === "backoff", "outage jitter");
    assert.ok(engine.status().nextAttemptAtMs! - Date.now() > 25_000);
    assert.deepEqual(sim.stored().length, 2);
    // the answered batch's outcomes are written during the pause, not after it
    await waitFor(() => j.stats().pending === 3, "outcomes recorded during the jitter pause");
    await engine.stop();
  });
  await sim.close();
});

Deno.test("SyncEngine syncOnce drains with progress, gives up on auth or repeated failure", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    for (let i = 0; i < 25; i++) await j.append(scan(ANA, T0 + i * 61_000));
    const seen: SyncProgress[] = [];
    let engine = new SyncEngine(j, { iflow: fastConfig(sim.url, { batchSize: 10 }) });
    const r = await engine.syncOnce({ onProgress: (p) => seen.push(p) });
    assert.deepEqual(r, {
      batches: 3,
      sent: 25,
      accepted: 25,
      duplicate: 0,
      rejected: 0,
      pending: 0,
      ok: true,
    });
    // Progress comes as batches become durable: a write still running when the next reply
    // is checked is reported with a later one, so batches may be reported together.
    const sents = seen.map((p) => p.sent);
    assert.ok(seen.length >= 1 && seen.length <= 3, JSON.stringify(sents));
    assert.ok(sents.every((n, i) => [10, 20, 25].includes(n) && (i === 0 || n > sents[i - 1]!)));
    assert.ok(seen.every((p) => p.sent + p.pending === 25 && p.batches === Math.ceil(p.sent / 10)));
    assert.deepEqual(seen.at(-1), {
      batches: 3,
      sent: 25,
      accepted: 25,
      duplicate: 0,
      rejected: 0,
      pending: 0,
    });
    await engine.stop();

    await j.append(scan(ANA, T0 + 26 * 61_000));
    sim.setFaults({ errorRate: 1 });
    engine = new SyncEngine(j, { iflow: fastConfig(sim.url) });
    const f = await engine.syncOnce({ maxRetries: 2 });
    assert.deepEqual([f.ok, f.error, f.pending], [
      false,
      "giving up after 3 attempts: HTTP 503",
      1,
    ]);
    assert.deepEqual(sim.counts().errors, 3); // 500, 502, 503 in turn
    await engine.stop();

    sim.setFaults({});
    sim.removeToken(TOKEN);
    engine = new SyncEngine(j, { iflow: fastConfig(sim.url) });
    const a = await engine.syncOnce();
    assert.deepEqual(a.ok, false);
    assert.ok(a.error!.startsWith("iFlow refused the device token"), a.error);
    assert.deepEqual(engine.status().alarms.map((x) => x.code), ["auth-failed"]);
    await engine.stop();
  });
  await sim.close();
});

Deno.test("SyncEngine survives journal errors: retries, nothing lost", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    for (let i = 0; i < 3; i++) await j.append(scan(ANA, T0 + i * 3600_000));
    let failPending = 1;
    let failRecord = 1;
    const flaky: SyncJournal = {
      pending: (n, after) =>
        failPending-- > 0 ? Promise.reject(new Error("EIO")) : j.pending(n, after),
      recordOutcomes: (l) =>
        failRecord-- > 0 ? Promise.reject(new Error("ENOSPC")) : j.recordOutcomes(l),
      stats: () => j.stats(),
    };
    const engine = new SyncEngine(flaky, { iflow: fastConfig(sim.url) });
    engine.start();
    await waitFor(() => j.stats().pending === 0, "drained");
    await engine.stop();
    // the first reply's outcomes were not recorded: the resend meets duplicates
    assert.deepEqual(engine.status().counters.records, { accepted: 0, duplicate: 3, rejected: 0 });
    assert.deepEqual(sim.stored().length, 3);
    assert.deepEqual(engine.status().lastError, "journal: ENOSPC");
  });
  await sim.close();
});
