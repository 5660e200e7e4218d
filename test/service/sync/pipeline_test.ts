/**
 * The drain pipeline (see `service/sync/sender.ts` and `outcome_writer.ts`):
 * batch N+1 is sent while earlier batches' outcomes are written; outcome
 * writes run one at a time in reply order, grouping what waited; no request
 * goes out while more than two answered batches besides the last are not
 * durable.
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

Deno.test("pipeline: the next batches are sent while outcomes are written, never more than three answered batches not durable", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    const total = 55; // five full batches and a short one
    await fill(j, total);
    let durable = 0;
    let writing = false;
    const sizes: number[] = [];
    const storedAtCall: number[] = [];
    const storedAtEnd: number[] = [];
    const watched: SyncJournal = {
      pending: (n, after) => j.pending(n, after),
      recordOutcomes: async (list: { seq: number; outcome: Outcome }[]) => {
        assert.ok(!writing, "one outcome write at a time");
        assert.deepEqual(list[0]!.seq, durable + 1, "outcomes are written in reply order");
        writing = true;
        sizes.push(list.length);
        storedAtCall.push(sim.stored().length);
        // Hold the write until the third batch after its first one has reached iFlow (or
        // there is none): as far ahead as the sender may go while it runs.
        const next = Math.min(total, durable + 4 * BATCH);
        await waitFor(() => sim.stored().length >= next, "three more batches sent meanwhile", 5000)
          .catch(() => {});
        await j.recordOutcomes(list);
        durable += list.length;
        storedAtEnd.push(sim.stored().length);
        assert.ok(
          sim.stored().length - durable <= 3 * BATCH,
          `at most three answered batches are not durable (${sim.stored().length} at iFlow, ${durable} durable)`,
        );
        writing = false;
      },
      stats: () => j.stats(),
    };
    const engine = new SyncEngine(watched, { iflow: fastConfig(sim.url, { batchSize: BATCH }) });
    const r = await engine.syncOnce();
    await engine.stop();
    assert.deepEqual([r.ok, r.batches, r.accepted, r.pending], [true, 6, total, 0]);
    // Batches 2, 3 and 4 went out while batch 1's outcomes were being written (held until
    // batch 4 was at iFlow), and batch 5 only once they were durable; batches 2 and 3, which
    // waited meanwhile, went in one write. The last two batches' replies race with the
    // third write's end: one write or two.
    assert.deepEqual(sizes.slice(0, 3), [10, 20, 10]);
    assert.deepEqual(storedAtCall.slice(0, 3), [10, 40, 50]);
    assert.deepEqual(storedAtEnd.slice(0, 3), [40, 50, 55]);
    assert.deepEqual(sizes.slice(3).reduce((x, y) => x + y, 0), 15);
    assert.deepEqual(sim.stored().length, total);
    assert.deepEqual(new Set(await states(j)), new Set(["synced"]));
  });
  await sim.close();
});

Deno.test("pipeline: outcomes that fail to write leave that batch and those answered after it pending; all resent, stored once", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  await withJournal(async (j) => {
    const total = 60;
    await fill(j, total);
    const recorded: { seq: number; kind: string }[] = [];
    let calls = 0;
    const flaky: SyncJournal = {
      pending: (n, after) => j.pending(n, after),
      recordOutcomes: async (list) => {
        if (++calls === 2) {
          // The write with batch 2 fails once batch 5 is at iFlow: the sender has gone as
          // far ahead as it may, and waits for this write when batch 5's reply is in.
          await waitFor(() => sim.stored().length >= 50, "batch 5 sent", 5000).catch(() => {});
          throw new Error("EIO");
        }
        await j.recordOutcomes(list);
        for (const x of list) recorded.push({ seq: x.seq, kind: x.outcome.kind });
      },
      stats: () => j.stats(),
    };
    const engine = new SyncEngine(flaky, { iflow: fastConfig(sim.url, { batchSize: BATCH }) });
    engine.start();
    await waitFor(() => j.stats().pending === 0, "drained");
    await engine.stop();
    // Batches 2 to 5 were answered but none recorded (those queued behind the failed write,
    // or answered before its error was taken, are skipped): all four were sent again and
    // iFlow reported them as duplicates. Batch 6 went out only after the error.
    assert.deepEqual(recorded.map((x) => x.seq), Array.from({ length: total }, (_, i) => i + 1));
    const kinds = recorded.map((x) => x.kind);
    assert.deepEqual(kinds.slice(0, 10), Array(10).fill("accepted"));
    assert.deepEqual(kinds.slice(10, 50), Array(40).fill("duplicate"));
    assert.deepEqual(kinds.slice(50), Array(10).fill("accepted"));
    assert.deepEqual(sim.stored().length, total, "each scan stored once");
    assert.deepEqual(engine.status().counters.records, {
      accepted: 20,
      duplicate: 40,
      rejected: 0,
    });
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
    const slow: SyncJournal = {
      pending: (n, after) => j.pending(n, after),
      recordOutcomes: async (list) => {
        // The write with the last batch (alone, or grouped with the one before).
        if (list.at(-1)!.seq === 30) await new Promise<void>((r) => (release = r));
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
