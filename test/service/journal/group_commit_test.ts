import assert from "node:assert/strict";
import { Journal } from "../../../service/journal/mod.ts";
import type { ScanInput } from "../../../service/journal/mod.ts";
import { testScan } from "./fixtures/build_journal.ts";
import { FaultFs } from "../../reliability/fault_fs.ts";
import { rejectsWith } from "./fixtures/expect.ts";
import { withDir } from "./fixtures/with_dir.ts";

/** A scan whose errorMsg makes it about `bytes` long on disk. */
function wideScan(i: number, bytes: number): ScanInput {
  return { ...testScan(i), errorMsg: `e${i}:`.padEnd(bytes, "x") };
}

Deno.test("group commit: 3,000 concurrent appends past the 64 KiB stage and across segments read back intact", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir, { segmentBytes: 64 * 1024 });
    const scans = Array.from({ length: 3000 }, (_, i) => wideScan(i, 100 + (i % 7) * 50));
    const seqs = await Promise.all(scans.map((s) => j.append(s)));
    assert.deepEqual(seqs, scans.map((_, i) => i + 1));
    // A second burst after the stage was emptied (and shrunk back) continues the seqs.
    const more = await Promise.all(scans.slice(0, 100).map((s) => j.append(s)));
    assert.deepEqual(more, scans.slice(0, 100).map((_, i) => 3001 + i));
    const segments = j.stats().segments;
    assert.ok(segments > 10, `expected many 64 KiB segments, got ${segments}`);
    await j.close();
    const again = await Journal.open(dir, { segmentBytes: 64 * 1024 });
    const all = await again.pending(10_000);
    assert.equal(all.length, 3100);
    for (let i = 0; i < 3000; i++) assert.deepEqual(all[i], { seq: i + 1, ...scans[i]! });
    assert.equal(again.stats().corruption.count, 0);
    await again.close();
  }));

Deno.test("group commit: an invalid scan rejects alone; the appends around it get consecutive seqs", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir);
    const tooLong = { ...testScan(1), errorMsg: "x".repeat(70_000) };
    const results = await Promise.allSettled([
      j.append(testScan(0)),
      j.append(tooLong),
      j.append({ ...testScan(2), rfidTag: 7 as unknown as string }),
      j.append(testScan(3)),
    ]);
    assert.deepEqual(results.map((r) => r.status), [
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    assert.deepEqual(
      results.filter((r) => r.status === "fulfilled").map((r) => r.value),
      [1, 2],
    );
    await rejectsWith(() => j.append(tooLong), "invalid");
    const p = await j.pending(10);
    assert.deepEqual(p, [{ seq: 1, ...testScan(0) }, { seq: 2, ...testScan(3) }]);
    await j.close();
  }));

Deno.test("pending never serves bytes of a write that failed: seqs reused after a failed sync read back as the new scans", () =>
  withDir(async (dir) => {
    const fs = new FaultFs();
    const j = await Journal.open(dir, { fs });
    for (let i = 0; i < 3; i++) await j.append(testScan(i));
    let release!: () => void;
    fs.holdSyncs = new Promise<void>((r) => (release = r));
    // Written to the file, not yet synced: not committed.
    const doomed = [j.append(wideScan(100, 60)), j.append(wideScan(101, 60))];
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual((await j.pending(10)).map((r) => r.seq), [1, 2, 3]);
    fs.failWith = "EIO";
    release();
    for (const d of doomed) await rejectsWith(() => d, "io");
    fs.holdSyncs = null;
    fs.failWith = null;
    assert.deepEqual(await Promise.all([j.append(testScan(4)), j.append(testScan(5))]), [4, 5]);
    const p = await j.pending(10);
    assert.deepEqual(p.map((r) => r.rfidTag), [0, 1, 2, 4, 5].map((i) => testScan(i).rfidTag));
    assert.equal(j.stats().corruption.count, 0);
    await j.close();
  }));

Deno.test("pending and outcome bookkeeping share one reader safely when called concurrently", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir, { segmentBytes: 32 * 1024 });
    await Promise.all(Array.from({ length: 2000 }, (_, i) => j.append(testScan(i))));
    let next = 1;
    while (next <= 2000) {
      // Two readers and an outcome write (which re-reads the oldest pending) at once.
      const [a, b] = await Promise.all([
        j.pending(40),
        j.pending(40),
        j.recordOutcomes(
          Array.from({ length: 40 }, (_, k) => ({ seq: next + k, outcome: { kind: "accepted" } }))
            .filter((o) => o.seq <= 2000) as { seq: number; outcome: { kind: "accepted" } }[],
        ),
      ]);
      // Outcomes may land while a read is under way (it then skips them), but
      // every record returned is the one appended under its seq, in order.
      for (const got of [a!, b!]) {
        // Empty only when this round's outcomes were the last ones and landed first.
        if (got.length === 0) assert.ok(next + 40 > 2000, `nothing pending at ${next}`);
        else assert.ok(got[0]!.seq >= next, `first ${got[0]!.seq}`);
        got.forEach((r, k) => {
          if (k > 0) assert.ok(r.seq > got[k - 1]!.seq);
          assert.equal(r.rfidTag, testScan(r.seq - 1).rfidTag);
        });
      }
      next += 40;
      const s = j.stats();
      if (s.pending > 0) assert.equal(s.oldestPendingAtMs, testScan(next - 1).epochMs);
    }
    const s = j.stats();
    // Finished segments were retired along the way (their synced records with them).
    assert.deepEqual([s.pending, s.corruption.count, s.lastSeq], [0, 0, 2000]);
    await j.close();
  }));
