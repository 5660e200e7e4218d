import assert from "node:assert/strict";
import { exportJournal, Journal, JournalError } from "../../../service/journal/mod.ts";
import type { ExportRow } from "../../../service/journal/mod.ts";
import { testScan } from "./fixtures/build_journal.ts";
import { testEvent } from "./fixtures/gate_records.ts";
import { withDir } from "./fixtures/with_dir.ts";
import { type Prng, withSeed } from "../../support/prng.ts";

const CHILD = new URL("./fixtures/gate_child.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

async function rows(src: AsyncIterable<ExportRow>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of src) out.push(`${r.seq} ${r.state}${r.event ? ` ${r.event}` : ""}`);
  return out;
}

async function segmentFiles(dir: string, prefix = "scan-"): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.startsWith(prefix)) names.push(e.name);
  return names.sort();
}

Deno.test("journal gate events are final as written: never pending, exported with their kind, kept across reopen", () =>
  withDir(async (dir) => {
    let j = await Journal.open(dir);
    assert.equal(await j.append(testScan(1)), 1);
    assert.equal(await j.appendEvent(testEvent(2, "exit")), 2);
    assert.equal(await j.appendEvent(testEvent(3, "manual-open")), 3);
    assert.equal(await j.append(testScan(4)), 4);
    assert.deepEqual((await j.pending(10)).map((r) => r.seq), [1, 4]);
    const st = j.stats();
    assert.deepEqual([st.pending, st.events, st.total, st.lastSeq], [2, 2, 2, 4]);
    await j.close();
    j = await Journal.open(dir);
    try {
      assert.deepEqual((await j.pending(10)).map((r) => r.seq), [1, 4]);
      assert.deepEqual([j.stats().events, j.stats().pending], [2, 2]);
      const want = ["1 pending", "2 event exit", "3 event manual-open", "4 pending"];
      assert.deepEqual(await rows(j.export()), want);
      assert.deepEqual(await rows(exportJournal(dir)), want, "read-only export agrees");
      assert.deepEqual(await rows(j.export({ state: "event" })), want.slice(1, 3));
      const ev = (await Array.fromAsync(j.export({ state: "event" })))[0]!;
      assert.deepEqual([ev.reader, ev.rfidTag, ev.errorMsg], ["t1", "", "exit button"]);
      // an outcome naming an event (none is ever sent) changes nothing
      await j.recordOutcomes([{ seq: 2, outcome: { kind: "accepted" } }]);
      assert.deepEqual([j.stats().events, j.stats().synced], [2, 0]);
      // the newest scan's read time ignores a later event, live and at open
      await j.appendEvent(testEvent(9, "exit"));
      assert.equal(j.stats().newestEpochMs, testScan(4).epochMs);
    } finally {
      await j.close();
    }
    j = await Journal.open(dir);
    try {
      assert.deepEqual([j.stats().newestEpochMs, j.stats().events], [testScan(4).epochMs, 3]);
    } finally {
      await j.close();
    }
  }));

Deno.test("journal gate event of an unknown kind is refused with a clear error", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir);
    try {
      await assert.rejects(
        j.appendEvent({ ...testEvent(1, "exit"), event: "door" as "exit" }),
        (err: unknown) =>
          err instanceof JournalError && err.code === "invalid" &&
          err.message === 'journal: unknown gate event "door"',
      );
      assert.equal(j.stats().lastSeq, 0);
    } finally {
      await j.close();
    }
  }));

Deno.test("journal segments holding gate events go once their scans have outcomes, also after compaction", () =>
  withSeed(0x9a7e, async (rng: Prng) => {
    await withDir(async (dir) => {
      const opts = { segmentBytes: 4096, outcomeSegmentBytes: 4096 };
      let j = await Journal.open(dir, opts);
      const kinds: string[] = [];
      for (let i = 1; i <= 300; i++) {
        const ev = rng.int(3) === 0;
        if (ev) await j.appendEvent(testEvent(i, rng.int(2) === 0 ? "exit" : "manual-open"));
        else await j.append(testScan(i));
        kinds.push(ev ? "event" : "scan");
      }
      const events = kinds.filter((k) => k === "event").length;
      assert.equal(j.stats().events, events);
      assert.ok((await segmentFiles(dir)).length > 5, "several segments");
      // accept every scan, in batches (outcome log compacted several times on the way)
      for (;;) {
        const batch = await j.pending(7);
        if (batch.length === 0) break;
        await j.recordOutcomes(batch.map((r) => ({ seq: r.seq, outcome: { kind: "accepted" } })));
      }
      const before = j.stats();
      assert.equal(before.pending, 0);
      assert.deepEqual(await segmentFiles(dir), [(await segmentFiles(dir)).at(-1)!]);
      assert.equal(before.segments, 1, "every sealed segment (events and accepted scans) is gone");
      assert.ok(before.events + before.synced < 60, `${before.events} + ${before.synced} left`);
      await j.close();
      j = await Journal.open(dir, opts);
      try {
        const after = j.stats();
        assert.deepEqual(
          [after.pending, after.events, after.synced, after.segments],
          [0, before.events, before.synced, 1],
          "nothing comes back pending after reopen",
        );
      } finally {
        await j.close();
      }
    });
  }));

Deno.test("journal held scan stops the pending read (iFlow order) until released; not passed is final and never sent", () =>
  withDir(async (dir) => {
    let j = await Journal.open(dir, { outcomeSegmentBytes: 4096 });
    await j.append(testScan(1));
    const h = await j.append({ ...testScan(2), hold: true });
    await j.append(testScan(3));
    const n = await j.append({ ...testScan(4), hold: true });
    await j.append(testScan(5));
    assert.deepEqual((await j.pending(10)).map((r) => r.seq), [1], "stops at the held scan");
    assert.deepEqual([j.stats().held, j.stats().pending], [2, 3]);
    assert.equal(await j.releaseHeld([{ seq: h, send: true }]), 1);
    assert.deepEqual((await j.pending(10)).map((r) => r.seq), [1, 2, 3]);
    assert.equal(await j.releaseHeld([{ seq: n, send: false }, { seq: 3, send: false }]), 1);
    assert.deepEqual((await j.pending(10)).map((r) => r.seq), [1, 2, 3, 5]);
    assert.deepEqual([j.stats().held, j.stats().notPassed, j.stats().pending], [0, 1, 4]);
    await j.recordOutcomes([1, 2, 3, 5].map((seq) => ({ seq, outcome: { kind: "accepted" } })));
    const want = ["1 synced", "2 synced", "3 synced", "4 not-passed", "5 synced"];
    assert.deepEqual(await rows(j.export()), want);
    await j.close();
    j = await Journal.open(dir, { outcomeSegmentBytes: 4096 });
    try {
      assert.deepEqual(await rows(j.export()), want, "durable across reopen");
      assert.deepEqual(await rows(exportJournal(dir)), want, "read-only export agrees");
      // force a compaction: the snapshot keeps not-passed
      const outcomeLog = await segmentFiles(dir, "outcome-");
      for (let k = 0; k < 40; k++) {
        await j.annotateGates([{
          seq: 4,
          note: { gate: "t1".repeat(40), granted: true, reason: "known", passed: false },
        }]);
      }
      assert.deepEqual((await j.pending(10)).length, 0);
      assert.notDeepEqual(await segmentFiles(dir, "outcome-"), outcomeLog, "compacted");
    } finally {
      await j.close();
    }
    j = await Journal.open(dir);
    try {
      assert.deepEqual(await rows(j.export()), want, "kept through compaction");
    } finally {
      await j.close();
    }
  }));

Deno.test("journal held scan outliving the hold limit is sent, counted", () =>
  withDir(async (dir) => {
    const logs: string[] = [];
    const j = await Journal.open(dir, { holdLimitMs: 0, logger: (_l, m) => void logs.push(m) });
    try {
      await j.append({ ...testScan(1), hold: true });
      await j.append(testScan(2));
      assert.deepEqual((await j.pending(10)).map((r) => r.seq), [1, 2]);
      assert.deepEqual([j.stats().held, j.stats().heldExpired], [0, 1]);
      assert.ok(logs.includes("journal: scan 1 held for its passage over 0 ms: sent"), logs.join());
    } finally {
      await j.close();
    }
  }));

Deno.test("journal gate records across a SIGKILLed writer: events kept, a held scan comes back pending, not-passed stays", () =>
  withDir(async (dir) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", CONFIG, CHILD, `${dir}/j`],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const printed: string[] = [];
    let buf = "";
    const dec = new TextDecoder();
    const reader = child.stdout.getReader();
    while (!buf.includes("done\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value);
    }
    child.kill("SIGKILL");
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    const out = await child.output().catch(() => null);
    for (const line of buf.split("\n")) if (/^\d+ /.test(line)) printed.push(line);
    assert.equal(out?.signal ?? "SIGKILL", "SIGKILL");
    assert.deepEqual(printed, [
      "1 scan",
      "2 exit",
      "3 held",
      "4 manual-open",
      "5 not-passed",
      "6 scan",
    ]);
    const j = await Journal.open(`${dir}/j`);
    try {
      assert.deepEqual(await rows(j.export()), [
        "1 pending",
        "2 event exit",
        "3 pending",
        "4 event manual-open",
        "5 not-passed",
        "6 pending",
      ]);
      assert.deepEqual((await j.pending(10)).map((r) => r.seq), [1, 3, 6], "sent once each");
      const st = j.stats();
      assert.deepEqual([st.events, st.held, st.notPassed, st.pending], [2, 0, 1, 3]);
    } finally {
      await j.close();
    }
  }, "pontaj-gate-crash-"));
