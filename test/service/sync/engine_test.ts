import assert from "node:assert/strict";
import { DEMO_EMPLOYEES, startIflowSimulator } from "../../../service/iflow/mod.ts";
import { Journal } from "../../../service/journal/mod.ts";
import { seededRandom, SyncEngine } from "../../../service/sync/mod.ts";
import {
  captureLogs,
  fastConfig,
  leaksToken,
  scan,
  TOKEN,
  waitFor,
  withJournal,
} from "./support.ts";

const [ANA, ION, MARIA, , ELENA, RADU] = DEMO_EMPLOYEES.map((e) => e.rfid);
const T0 = Date.UTC(2024, 4, 6, 5, 0, 0); // 08:00:00 in Bucharest

async function rows(j: Journal) {
  const out = [];
  for await (const r of j.export()) out.push(r);
  return out;
}

Deno.test("SyncEngine records every classification and keeps journal order", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    const scans = [
      scan(ANA!, T0),
      scan(ANA!, T0), // same tag, date, time: duplicate of the first
      scan("0000000001", T0 + 1000), // unknown card
      scan(RADU!, T0 + 2000), // employment ended in 2023
      scan(ION!, T0 + 3000, { time: "8:00" }), // malformed time
      scan(ANA!, T0 + 9 * 3600_000), // 17:00 check-out
      scan(ANA!, T0 + 4 * 3600_000), // 12:00: overlaps 08:00-17:00
    ];
    for (const s of scans) await j.append(s);
    const logs = captureLogs();
    const engine = new SyncEngine(j, { iflow: fastConfig(sim.url), logger: logs.logger });
    engine.start();
    await waitFor(() => j.stats().pending === 0, "backlog drained");
    await engine.stop();
    const outcomes = (await rows(j)).map((r) => r.outcome);
    assert.deepEqual(outcomes, [
      { kind: "accepted" },
      { kind: "duplicate", iflowId: "53201" },
      {
        kind: "rejected",
        field: "error_authenticate",
        message: "Niciun angajat nu este asociat acestei cartele de tip RFID: 0000000001",
      },
      {
        kind: "rejected",
        field: "error_authenticate",
        message: "Angajatul nu se poate ponta în afara perioadei de angajare.",
      },
      { kind: "rejected", field: "error_csv", message: "Data sau ora invalidă: 2024-05-06 8:00" },
      { kind: "accepted" },
      {
        kind: "rejected",
        field: "error_check_in_out",
        message:
          "Ana Popescu - Acest interval se suprapune cu următorul interval: 06/05/2024 08:00:00 - 06/05/2024 17:00:00",
      },
    ]);
    assert.deepEqual(sim.stored().map((a) => [a.rfidTag, a.time, a.kind]), [
      [ANA, "08:00:00", "check-in"],
      [ANA, "17:00:00", "check-out"],
    ]);
    const st = engine.status();
    assert.deepEqual(st.state, "stopped");
    assert.deepEqual(st.counters.records, { accepted: 2, duplicate: 1, rejected: 4 });
    assert.deepEqual(st.counters.batches.ok, 1);
    assert.deepEqual(st.latency.count, 1);
    assert.ok(!leaksToken(logs.lines.join("\n") + JSON.stringify(st)));
  });
  await sim.close();
});

Deno.test("SyncEngine stores 400 scans at iFlow in journal order across batches", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    const tags = [ANA!, ION!, MARIA!, ELENA!];
    const appended = [];
    for (let i = 0; i < 400; i++) {
      appended.push(j.append(scan(tags[i % 4]!, T0 + i * 61_000)));
    }
    await Promise.all(appended);
    const engine = new SyncEngine(j, { iflow: fastConfig(sim.url, { batchSize: 37 }) });
    engine.start();
    await waitFor(() => j.stats().pending === 0, "backlog drained");
    await engine.stop();
    const journalOrder = (await rows(j)).map((r) => `${r.rfidTag} ${r.date} ${r.time}`);
    const iflowOrder = sim.stored().map((a) => `${a.rfidTag} ${a.date} ${a.time}`);
    assert.deepEqual(iflowOrder, journalOrder);
    assert.deepEqual(engine.status().counters.batches.ok, Math.ceil(400 / 37));
    assert.deepEqual(engine.status().counters.records.accepted, 400);
  });
  await sim.close();
});

Deno.test("SyncEngine lost replies: resend, duplicate, stored once", async () => {
  const sim = await startIflowSimulator({
    port: 0,
    tokens: [TOKEN],
    seed: 11,
    faults: { lostReplyRate: 0.5 },
  });
  await withJournal(async (j) => {
    for (let i = 0; i < 120; i++) await j.append(scan(i % 2 ? ANA! : ION!, T0 + i * 61_000));
    const engine = new SyncEngine(j, {
      iflow: fastConfig(sim.url, { batchSize: 10 }),
      random: seededRandom(5),
    });
    engine.start();
    await waitFor(() => j.stats().pending === 0, "backlog drained");
    await engine.stop();
    const stored = sim.stored();
    assert.deepEqual(stored.length, 120, "each scan stored exactly once");
    assert.deepEqual(new Set(stored.map((a) => `${a.rfidTag}|${a.time}`)).size, 120);
    const st = engine.status();
    assert.ok(sim.counts().lostReplies > 0);
    // a lost reply makes its whole batch of 10 come back as duplicates on the resend
    // (a resend whose reply is lost again adds none)
    assert.ok(st.counters.records.duplicate > 0);
    assert.ok(st.counters.records.duplicate <= sim.counts().lostReplies * 10);
    assert.deepEqual(st.counters.records.duplicate % 10, 0);
    assert.deepEqual(st.counters.records.accepted + st.counters.records.duplicate, 120);
    assert.deepEqual(st.counters.batches.transient, sim.counts().lostReplies);
    const states = (await rows(j)).map((r) => r.state);
    assert.deepEqual(states.every((s) => s === "synced"), true);
  });
  await sim.close();
});

Deno.test("SyncEngine halves the batch on HTTP 414 and still delivers in order", async () => {
  const sim = await startIflowSimulator({
    port: 0,
    tokens: [TOKEN],
    faults: { maxUrlBytes: 1500 },
  });
  await withJournal(async (j) => {
    for (let i = 0; i < 90; i++) await j.append(scan(i % 2 ? ANA! : ELENA!, T0 + i * 61_000));
    const engine = new SyncEngine(j, { iflow: fastConfig(sim.url) });
    engine.start();
    await waitFor(() => j.stats().pending === 0, "backlog drained");
    await engine.stop();
    const st = engine.status();
    assert.ok(sim.counts().tooLong >= 1);
    assert.deepEqual(st.counters.batches.tooLong, sim.counts().tooLong);
    assert.ok(st.urlLimit < 8000, `urlLimit ${st.urlLimit}`);
    assert.ok(sim.counts().tooLong <= 5, `${sim.counts().tooLong} 414s: the limit is learned`);
    assert.deepEqual(sim.stored().length, 90);
    assert.deepEqual(
      sim.stored().map((a) => a.time),
      (await rows(j)).map((r) => r.time),
    );
  });
  await sim.close();
});

Deno.test("SyncEngine auth failure stops sending, alarms, keeps journaling, recovers", async () => {
  for (const authStyle of ["json", "401"] as const) {
    const sim = await startIflowSimulator({ port: 0, tokens: [], faults: { authStyle } });
    await withJournal(async (j) => {
      await j.append(scan(ANA!, T0));
      const logs = captureLogs();
      const engine = new SyncEngine(j, {
        iflow: fastConfig(sim.url, { authRecheckMs: 30 }),
        logger: logs.logger,
      });
      engine.start();
      await waitFor(() => engine.status().state === "auth-failed", "auth-failed");
      const st = engine.status();
      assert.deepEqual(st.alarms.map((a) => a.code), ["auth-failed"]);
      assert.ok(st.lastError!.startsWith("iFlow refused the device token"), st.lastError!);
      // still journaling; nothing sent but the periodic re-check
      for (let i = 1; i <= 3; i++) {
        await j.append(scan(ANA!, T0 + i * 3600_000));
        engine.wake();
      }
      await waitFor(() => sim.counts().refusedToken >= 3, "re-checks");
      assert.deepEqual(sim.stored().length, 0);
      assert.deepEqual(j.stats().pending, 4);
      assert.deepEqual(engine.status().state, "auth-failed");
      sim.addToken(TOKEN);
      await waitFor(() => j.stats().pending === 0, "delivered after the token was registered");
      await waitFor(() => engine.status().state === "idle", "idle");
      assert.deepEqual(engine.status().alarms, []);
      await engine.stop();
      assert.deepEqual(sim.stored().length, 4);
      assert.ok(!leaksToken(logs.lines.join("\n") + JSON.stringify(engine.status())));
      assert.ok(logs.lines.some((l) => l.includes("refused the device token")));
    });
    await sim.close();
  }
});

Deno.test("SyncEngine with 20% faults still delivers everything once, in order", async () => {
  const sim = await startIflowSimulator({
    port: 0,
    tokens: [TOKEN],
    seed: 2024,
    faults: { errorRate: 0.05, hangRate: 0.05, resetRate: 0.05, lostReplyRate: 0.05, hangMs: 5000 },
  });
  await withJournal(async (j) => {
    const tags = [ANA!, ION!, MARIA!, ELENA!];
    for (let i = 0; i < 300; i++) await j.append(scan(tags[i % 4]!, T0 + i * 61_000));
    const logs = captureLogs();
    const engine = new SyncEngine(j, {
      iflow: fastConfig(sim.url, { timeoutMs: 150, batchSize: 20 }),
      random: seededRandom(99),
      logger: logs.logger,
    });
    engine.start();
    await waitFor(() => j.stats().pending === 0, "backlog drained", 30_000);
    await engine.stop();
    const c = sim.counts();
    assert.ok(c.errors + c.hangs + c.resets + c.lostReplies > 0, JSON.stringify(c));
    assert.deepEqual(
      sim.stored().map((a) => `${a.rfidTag} ${a.time}`),
      (await rows(j)).map((r) => `${r.rfidTag} ${r.time}`),
    );
    const st = engine.status();
    assert.deepEqual(st.counters.records.accepted + st.counters.records.duplicate, 300);
    assert.deepEqual(st.counters.records.rejected, 0);
    assert.ok(st.counters.retries >= c.errors + c.hangs + c.resets + c.lostReplies);
    assert.ok(!leaksToken(logs.lines.join("\n") + JSON.stringify(st)));
  });
  await sim.close();
});
