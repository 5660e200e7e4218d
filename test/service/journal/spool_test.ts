import assert from "node:assert/strict";
import { Journal, SpooledJournal } from "../../../service/journal/mod.ts";
import { FaultFs } from "../../reliability/fault_fs.ts";
import { rejectsWith } from "./fixtures/expect.ts";
import { testScan } from "./fixtures/build_journal.ts";
import { withDir } from "./fixtures/with_dir.ts";

type Log = { level: string; msg: string; fields?: Record<string, unknown> };

function logSink(): {
  logs: Log[];
  logger: (l: Log["level"], m: string, f?: Record<string, unknown>) => void;
} {
  const logs: Log[] = [];
  return { logs, logger: (level, msg, fields) => void logs.push({ level, msg, fields }) };
}

Deno.test("journal append rejects with disk-full / read-only codes and recovers cleanly", () =>
  withDir(async (dir) => {
    const fs = new FaultFs();
    const j = await Journal.open(dir, { fs });
    assert.equal(await j.append(testScan(0)), 1);
    fs.failWith = "ENOSPC";
    fs.partialWrite = true; // the disk takes half the bytes, then refuses
    const e = await rejectsWith(() => j.append(testScan(1)), "disk-full");
    assert.match(e.message, /disk full/);
    assert.match(j.stats().degraded!, /^disk full: /);
    fs.failWith = "EROFS";
    await rejectsWith(() => j.append(testScan(2)), "read-only");
    assert.match(j.stats().degraded!, /^read-only disk: /);
    fs.failWith = null;
    assert.equal(await j.append(testScan(3)), 2, "seqs of failed appends are reused");
    assert.equal(j.stats().degraded, null);
    await j.close();
    // The half-written bytes were truncated away: nothing torn, nothing extra.
    const k = await Journal.open(dir);
    const s = k.stats();
    assert.deepEqual([s.total, s.truncatedTails, s.corruption.count], [2, 0, 0]);
    assert.deepEqual((await k.pending(10)).map((r) => r.rfidTag), [
      testScan(0).rfidTag,
      testScan(3).rfidTag,
    ]);
    await k.close();
  }));

Deno.test("spool holds scans while the disk is full, drops with a logged count when full, flushes in order", () =>
  withDir(async (dir) => {
    const fs = new FaultFs();
    const { logs, logger } = logSink();
    const flushedSeqs: number[] = [];
    const j = await Journal.open(dir, { fs });
    const sp = new SpooledJournal(j, {
      capacity: 5,
      retryMs: 20,
      logger,
      onFlushed: (_s, seq) => void flushedSeqs.push(seq),
    });
    assert.deepEqual(await sp.submit(testScan(0)), { status: "journaled", seq: 1 });
    assert.equal(sp.status(), "ok");
    fs.failWith = "ENOSPC";
    const results = [];
    for (let i = 1; i <= 8; i++) results.push(await sp.submit(testScan(i)));
    assert.deepEqual(results.map((r) => r.status), [
      "spooled",
      "spooled",
      "spooled",
      "spooled",
      "spooled",
      "dropped",
      "dropped",
      "dropped",
    ]);
    assert.equal(sp.status(), "degraded: disk full");
    assert.deepEqual([sp.stats().queued, sp.stats().dropped], [5, 3]);
    // Let a retry tick fail and log the drop count (waited for, not timed: the machine may be busy).
    const dropLogsNow = () =>
      logs.filter((l) => l.level === "error" && /could not be kept/.test(l.msg));
    for (let t = 0; t < 500 && dropLogsNow().at(-1)?.fields?.dropped !== 3; t++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(sp.status(), "degraded: disk full");
    const dropLogs = dropLogsNow();
    assert.ok(dropLogs.length >= 1);
    assert.equal(dropLogs[dropLogs.length - 1]!.fields!.dropped, 3);
    fs.failWith = null;
    for (let t = 0; t < 200 && sp.stats().queued > 0; t++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(sp.status(), "ok");
    assert.deepEqual(flushedSeqs, [2, 3, 4, 5, 6]);
    assert.deepEqual(await sp.submit(testScan(9)), { status: "journaled", seq: 7 });
    const tags = (await j.pending(20)).map((r) => r.rfidTag);
    assert.deepEqual(tags, [0, 1, 2, 3, 4, 5, 9].map((i) => testScan(i).rfidTag));
    await sp.close();
  }));

Deno.test("spool rejects invalid scans instead of spooling them", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir);
    const sp = new SpooledJournal(j, { retryMs: 20 });
    await rejectsWith(() => sp.submit({ ...testScan(0), epochMs: NaN }), "invalid");
    assert.equal(sp.stats().queued, 0);
    await sp.close();
  }));

Deno.test("journal opens on a read-only disk: degraded, readable, appends rejected, then recovers", () =>
  withDir(async (dir) => {
    const j0 = await Journal.open(dir);
    for (let i = 0; i < 3; i++) await j0.append(testScan(i));
    await j0.close();
    const fs = new FaultFs();
    fs.failWith = "EROFS";
    fs.failOpenForWrite = true;
    const j = await Journal.open(dir, { fs });
    assert.match(j.stats().degraded!, /^read-only disk: /);
    assert.deepEqual((await j.pending(10)).map((r) => r.seq), [1, 2, 3]);
    await rejectsWith(() => j.append(testScan(3)), "read-only");
    await rejectsWith(
      () => j.recordOutcomes([{ seq: 1, outcome: { kind: "accepted" } }]),
      "read-only",
    );
    fs.failWith = null;
    assert.equal(await j.append(testScan(3)), 4);
    await j.recordOutcomes([{ seq: 1, outcome: { kind: "accepted" } }]);
    assert.equal(j.stats().degraded, null);
    assert.deepEqual((await j.pending(10)).map((r) => r.seq), [2, 3, 4]);
    await j.close();
  }));

Deno.test("spool keeps submit order when scans submitted while a write was failing reach the queue late", () =>
  withDir(async (dir) => {
    const fs = new FaultFs();
    const j = await Journal.open(dir, { fs });
    const sp = new SpooledJournal(j, { retryMs: 60_000 });
    let release!: () => void;
    fs.holdSyncs = new Promise<void>((r) => (release = r));
    // Scan 0 waits in its fsync; scan 1 is staged behind it, for the next write: both went
    // to the disk directly.
    const first = sp.submit(testScan(0));
    await new Promise((r) => setTimeout(r, 20));
    const second = sp.submit(testScan(1));
    await new Promise((r) => setTimeout(r, 20));
    fs.failWith = "ENOSPC";
    fs.holdSyncs = null;
    release();
    assert.equal((await first).status, "spooled");
    // Scan 2 arrives before scan 1's failed write has come back: it must still queue after it.
    const third = sp.submit(testScan(2));
    assert.deepEqual([(await second).status, (await third).status], ["spooled", "spooled"]);
    fs.failWith = null;
    assert.equal(await sp.flush(), 3);
    assert.deepEqual(
      (await j.pending(10)).map((r) => r.rfidTag),
      [0, 1, 2].map((i) => testScan(i).rfidTag),
    );
    await sp.close();
  }));
