/**
 * The drain pipeline (see `service/sync/sender.ts`): batch N+1 is sent while
 * batch N's outcomes are written, and without waiting for N-1's; outcome
 * writes run in reply order (N's are durable before N+1's are recorded), and
 * at most two answered batches are ever not durable.
 */
import assert from "node:assert/strict";
import { DEMO_EMPLOYEES, startIflowSimulator } from "../../../service/iflow/mod.ts";
import type { Journal, Outcome } from "../../../service/journal/mod.ts";
import { SyncEngine, type SyncJournal } from "../../../service/sync/mod.ts";
import { fastConfig, scan, TOKEN, waitFor, withJournal } from "./support.ts";

const TAGS = DEMO_EMPLOYEES.slice(0, 4).map((e) => e.rfid);
const T0 = Date.UTC(2024, 4, 6, 5, 0, 0);
const BATCH = 10;

async function fill(j: Journal, n: number): Promise<void> {
  const appends = [];
  for (let i = 0; i < n; i++) appends.push(j.append(scan(TAGS[i % 4]!, T0 + i * 61_000)));
  await Promise.all(appends);
}

async function states(j: Journal): Promise<string[]> {
  const out = [];
  for await (const r of j.export()) out.push(r.state);
  return out;
}

Deno.test("pipeline: the next batches are sent while outcomes are written, never more than two batches ahead", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    const total = 55; // five full batches and a short one
    await fill(j, total);
    let durable = 0;
    let writing = false;
    const storedAtCall: number[] = [];
    const storedAtEnd: number[] = [];
    const watched: SyncJournal = {
      pending: (n, after) => j.pending(n, after),
      recordOutcomes: async (list: { seq: number; outcome: Outcome }[]) => {
        assert.ok(
          !writing,
          "a batch's outcomes are recorded only after the batch before is durable",
        );
        writing = true;
        storedAtCall.push(sim.stored().length);
        // Hold the write until the second batch after it has reached iFlow (or there is none).
        const next = Math.min(total, durable + list.length + 2 * BATCH);
        await waitFor(() => sim.stored().length >= next, "two more batches sent meanwhile", 5000)
          .catch(() => {});
        await j.recordOutcomes(list);
        durable += list.length;
        storedAtEnd.push(sim.stored().length);
        assert.ok(
          sim.stored().length - durable <= 2 * BATCH,
          `at most two answered batches are not durable (${sim.stored().length} at iFlow, ${durable} durable)`,
        );
        writing = false;
      },
      stats: () => j.stats(),
    };
    const engine = new SyncEngine(watched, { iflow: fastConfig(sim.url, { batchSize: BATCH }) });
    const r = await engine.syncOnce();
    await engine.stop();
    assert.deepEqual([r.ok, r.batches, r.accepted, r.pending], [true, 6, total, 0]);
    // Batch k+2 went out while batch k's outcomes were being written (the write was held
    // until then), and batch k+3 only once they were durable.
    assert.deepEqual(storedAtEnd, [30, 40, 50, 55, 55, 55]);
    assert.deepEqual(storedAtCall, [10, 30, 40, 50, 55, 55]);
    assert.deepEqual(sim.stored().length, total);
    assert.deepEqual(new Set(await states(j)), new Set(["synced"]));
  });
  await sim.close();
});

Deno.test("pipeline: outcomes that fail to write leave that batch and the two after it pending; all resent, stored once", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    const total = 40;
    await fill(j, total);
    const recorded: { first: number; kinds: string[] }[] = [];
    let calls = 0;
    const flaky: SyncJournal = {
      pending: (n, after) => j.pending(n, after),
      recordOutcomes: async (list) => {
        if (++calls === 2) {
          // batch 2 fails; wait until batch 3 is at iFlow, so its reply is in hand too
          await waitFor(() => sim.stored().length >= 30, "batch 3 sent", 5000).catch(() => {});
          throw new Error("EIO");
        }
        await j.recordOutcomes(list);
        recorded.push({
          first: list[0]!.seq,
          kinds: [...new Set(list.map((x) => x.outcome.kind))],
        });
      },
      stats: () => j.stats(),
    };
    const engine = new SyncEngine(flaky, { iflow: fastConfig(sim.url, { batchSize: BATCH }) });
    engine.start();
    await waitFor(() => j.stats().pending === 0, "drained");
    await engine.stop();
    // Batch 3's write was queued behind batch 2's and skipped when that failed; batch 4
    // was sent before the failure was waited for (at its reply) and not recorded either:
    // all three were sent again and iFlow reported them as duplicates.
    assert.deepEqual(recorded, [
      { first: 1, kinds: ["accepted"] },
      { first: 11, kinds: ["duplicate"] },
      { first: 21, kinds: ["duplicate"] },
      { first: 31, kinds: ["duplicate"] },
    ]);
    assert.deepEqual(sim.stored().length, total, "each scan stored once");
    assert.deepEqual(engine.status().counters.records, {
      accepted: 10,
      duplicate: 30,
      rejected: 0,
    });
    assert.deepEqual(calls, 5, "the write after the failed one was skipped, not attempted");
    assert.deepEqual(engine.status().lastError, "journal: EIO");
    assert.deepEqual(new Set(await states(j)), new Set(["synced"]));
  });
  await sim.close();
});

Deno.test("pipeline: stop() returns only after the last answered batch's outcomes are durable", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    await fill(j, 30);
    let release: (() => void) | null = null;
    let calls = 0;
    const slow: SyncJournal = {
      pending: (n, after) => j.pending(n, after),
      recordOutcomes: async (list) => {
        if (++calls === 3) await new Promise<void>((r) => (release = r));
        await j.recordOutcomes(list);
      },
      stats: () => j.stats(),
    };
    const engine = new SyncEngine(slow, { iflow: fastConfig(sim.url, { batchSize: BATCH }) });
    engine.start();
    await waitFor(() => release !== null, "the last batch's write started");
    let stopped = false;
    const stopping = engine.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(stopped, false, "stop() waits for the outcomes being written");
    release!();
    await stopping;
    assert.deepEqual(j.stats().pending, 0);
    assert.deepEqual(engine.status().counters.records.accepted, 30);
  });
  await sim.close();
});
