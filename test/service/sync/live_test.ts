import assert from "node:assert/strict";
import {
  DEMO_EMPLOYEES,
  type IflowSimulatorOptions,
  startIflowSimulator,
} from "../../../service/iflow/mod.ts";
import { Journal } from "../../../service/journal/mod.ts";
import { type LiveFeedback, SyncEngine } from "../../../service/sync/mod.ts";
import { fastConfig, scan, TOKEN, waitFor } from "./support.ts";

const ANA = DEMO_EMPLOYEES[0]!.rfid;
const T0 = Date.UTC(2024, 4, 6, 5, 0, 0); // 08:00:00 in Bucharest

/** Runs scans through a live-mode engine whose clock reads `T0 + 1 s`. */
async function runLive(
  simOpts: IflowSimulatorOptions,
  scans: ReturnType<typeof scan>[],
) {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN], ...simOpts });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-live-" });
  const j = await Journal.open(dir);
  const feedback: LiveFeedback[] = [];
  const engine = new SyncEngine(j, {
    iflow: fastConfig(sim.url, { mode: "live" }),
    now: () => T0 + 1000,
    onLive: (f) => feedback.push(f),
  });
  try {
    for (const s of scans) await j.append(s);
    engine.start();
    await waitFor(() => j.stats().pending === 0, "drained");
    await engine.stop();
    const rows = [];
    for await (const r of j.export()) rows.push(r);
    return { stored: sim.stored(), counts: sim.counts(), status: engine.status(), feedback, rows };
  } finally {
    await engine.stop();
    await j.close();
    await Deno.remove(dir, { recursive: true });
    await sim.close();
  }
}

Deno.test("live mode: a fresh scan goes live; user and check-in reach status and the hook", async () => {
  const r = await runLive({ now: () => T0 + 2000 }, [scan(ANA, T0)]);
  assert.deepEqual(r.stored.map((a) => [a.via, a.time, a.kind]), [[
    "live",
    "08:00:02",
    "check-in",
  ]]);
  assert.deepEqual(r.rows.map((x) => x.outcome), [{ kind: "accepted" }]);
  assert.deepEqual(r.feedback.length, 1);
  const f = r.feedback[0]!;
  assert.deepEqual(
    [f.seq, f.stored, f.certain, f.userName, f.userId, f.action, f.rfidTag, f.reader],
    [r.rows[0]!.seq, true, true, "Ana Popescu", "22221", "check-in", ANA, "gate-1"],
  );
  assert.deepEqual(r.status.lastLive, f);
  assert.deepEqual(r.status.counters.live, {
    stored: 1,
    notStored: 0,
    uncertain: 0,
    savedByOverlap: 0,
  });
  assert.deepEqual(r.status.counters.records.accepted, 1);
});

Deno.test("live mode: an old scan, and anything behind it, goes to the offline endpoint", async () => {
  const r = await runLive({ now: () => T0 + 2000 }, [scan(ANA, T0 - 60_000), scan(ANA, T0)]);
  assert.deepEqual(r.stored.map((a) => [a.via, a.time]), [["offline", "07:59:00"], [
    "offline",
    "08:00:00",
  ]]);
  assert.deepEqual(r.feedback, []);
});

Deno.test("live mode: refused live scan falls back offline with the device time", async () => {
  const r = await runLive({ now: () => T0 + 2000 }, [scan("0000000404", T0)]);
  assert.deepEqual(r.counts.live, 1);
  assert.deepEqual(r.rows.map((x) => x.outcome), [{
    kind: "rejected",
    field: "error_authenticate",
    message: "Niciun angajat nu este asociat acestei cartele de tip RFID: 0000000404",
  }]);
  assert.deepEqual(r.feedback.map((f) => [f.stored, f.certain]), [[false, true]]);
  assert.deepEqual(r.status.counters.live, {
    stored: 0,
    notStored: 1,
    uncertain: 0,
    savedByOverlap: 0,
  });
});

Deno.test("live mode: live stored but reply lost -> offline fallback is not counted twice", async () => {
  // iFlow's clock 3 s ahead: the offline resend (device time) overlaps the live stamp
  const lost = { faults: { lostReplyRate: 1, scope: "live" as const } };
  const a = await runLive({ ...lost, now: () => T0 + 3000 }, [scan(ANA, T0)]);
  assert.deepEqual(a.stored.map((x) => [x.via, x.time]), [["live", "08:00:03"]]);
  assert.deepEqual(a.rows.map((x) => x.outcome), [{ kind: "duplicate" }]);
  assert.deepEqual(a.status.counters.live, {
    stored: 0,
    notStored: 1,
    uncertain: 1,
    savedByOverlap: 1,
  });
  assert.deepEqual(a.feedback.map((f) => [f.stored, f.certain]), [[false, false]]);
  // same second: iFlow reports a plain duplicate
  const b = await runLive({ ...lost, now: () => T0 }, [scan(ANA, T0)]);
  assert.deepEqual(b.stored.length, 1);
  assert.deepEqual(b.rows.map((x) => x.outcome), [{ kind: "duplicate", iflowId: "53201" }]);
  // live timed out without storing (5xx): the offline call stores it once
  const c = await runLive(
    { faults: { errorRate: 1, scope: "live" }, now: () => T0 + 3000 },
    [scan(ANA, T0)],
  );
  assert.deepEqual(c.stored.map((x) => [x.via, x.time]), [["offline", "08:00:00"]]);
  assert.deepEqual(c.rows.map((x) => x.outcome), [{ kind: "accepted" }]);
  assert.ok(c.status.counters.live.uncertain === 1 && c.status.counters.live.savedByOverlap === 0);
});

Deno.test("live mode: a refused token on the live endpoint raises the auth alarm", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [] });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-live-" });
  const j = await Journal.open(dir);
  const engine = new SyncEngine(j, {
    iflow: fastConfig(sim.url, { mode: "live", authRecheckMs: 60_000 }),
    now: () => T0 + 1000,
  });
  try {
    await j.append(scan(ANA, T0));
    engine.start();
    await waitFor(() => engine.status().state === "auth-failed", "auth-failed");
    assert.deepEqual(engine.status().alarms.map((x) => x.code), ["auth-failed"]);
    assert.deepEqual([sim.counts().refusedToken, j.stats().pending], [1, 1]);
  } finally {
    await engine.stop();
    await j.close();
    await Deno.remove(dir, { recursive: true });
    await sim.close();
  }
});
