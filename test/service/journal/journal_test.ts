import assert from "node:assert/strict";
import { rejectsWith } from "./fixtures/expect.ts";
import { gunzipSync } from "fflate";
import { exportJournal, Journal } from "../../../service/journal/mod.ts";
import type { ExportRow } from "../../../service/journal/mod.ts";
import { testScan } from "./fixtures/build_journal.ts";
import { withDir } from "./fixtures/with_dir.ts";

async function rows(it: AsyncIterable<ExportRow>): Promise<ExportRow[]> {
  const out: ExportRow[] = [];
  for await (const r of it) out.push(r);
  return out;
}

Deno.test("journal append returns increasing seqs and pending returns the records intact", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir);
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push(await j.append(testScan(i)));
    assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
    const p = await j.pending(3);
    assert.deepEqual(p.map((r) => r.seq), [1, 2, 3]);
    assert.deepEqual(p[1], { seq: 2, ...testScan(1) });
    const s = j.stats();
    assert.deepEqual([s.total, s.pending, s.lastSeq, s.segments, s.degraded], [5, 5, 5, 1, null]);
    assert.deepEqual(s.oldestPendingAtMs, testScan(0).epochMs);
    await j.close();
  }));

Deno.test("journal pending(limit, afterSeq) skips seqs up to afterSeq, across segments", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir, { segmentBytes: 4096 });
    const appends = [];
    for (let i = 0; i < 200; i++) appends.push(j.append(testScan(i)));
    await Promise.all(appends);
    assert.ok(j.stats().segments >= 3, `${j.stats().segments} segments`);
    await j.recordOutcomes([{ seq: 3, outcome: { kind: "accepted" } }]);
    const seqs = async (limit: number, after?: number) =>
      (await j.pending(limit, after)).map((r) => r.seq);
    assert.deepEqual(await seqs(4), [1, 2, 4, 5]);
    assert.deepEqual(await seqs(4, 0), [1, 2, 4, 5]);
    assert.deepEqual(await seqs(3, 2), [4, 5, 6], "delivered seq 3 stays skipped");
    assert.deepEqual(await seqs(3, 120), [121, 122, 123], "starts inside a later segment");
    assert.deepEqual(await seqs(5, 198), [199, 200]);
    assert.deepEqual(await seqs(5, 200), []);
    assert.deepEqual(await seqs(2), [1, 2], "an earlier afterSeq read moved nothing");
    await j.close();
  }));

Deno.test("journal concurrent appends share syncs and all resolve with distinct seqs", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir, { segmentBytes: 8192 });
    const seqs = await Promise.all(Array.from({ length: 300 }, (_, i) => j.append(testScan(i))));
    assert.deepEqual(seqs, Array.from({ length: 300 }, (_, i) => i + 1));
    assert.ok(j.stats().segments > 1);
    await j.close();
    const again = await Journal.open(dir, { segmentBytes: 8192 });
    const all = await again.pending(1000);
    assert.deepEqual(all.length, 300);
    assert.deepEqual(all[299]!.rfidTag, testScan(299).rfidTag);
    assert.deepEqual(await again.append(testScan(300)), 301);
    await again.close();
  }));

Deno.test("journal outcomes are durable, reopen makes rejected pending again", () =>
  withDir(async (dir) => {
    let j = await Journal.open(dir);
    for (let i = 0; i < 6; i++) await j.append(testScan(i));
    await j.recordOutcomes([
      { seq: 1, outcome: { kind: "accepted" } },
      { seq: 2, outcome: { kind: "duplicate", iflowId: "IF-77" } },
      { seq: 3, outcome: { kind: "rejected", field: "error_check_in_out", message: "no shift" } },
    ]);
    await j.close();
    j = await Journal.open(dir);
    assert.deepEqual((await j.pending(10)).map((r) => r.seq), [4, 5, 6]);
    const s = j.stats();
    assert.deepEqual([s.pending, s.rejected, s.synced], [3, 1, 2]);
    const rej = await rows(j.export({ state: "rejected" }));
    assert.deepEqual(rej.map((r) => [r.seq, r.error]), [[3, "no shift"]]);
    assert.deepEqual(rej[0]!.outcome, {
      kind: "rejected",
      field: "error_check_in_out",
      message: "no shift",
    });
    const syn = await rows(j.export({ state: "synced" }));
    assert.deepEqual(syn.map((r) => r.outcome), [{ kind: "accepted" }, {
      kind: "duplicate",
      iflowId: "IF-77",
    }]);
    assert.deepEqual(await j.reopen([3, 4, 99]), 1);
    await j.close();
    j = await Journal.open(dir);
    assert.deepEqual((await j.pending(10)).map((r) => r.seq), [3, 4, 5, 6]);
    await j.close();
  }));

Deno.test("journal rejects invalid scans and outcomes with code invalid", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir);
    const bad = { ...testScan(1), rfidTag: 5 as unknown as string };
    await rejectsWith(() => j.append(bad), "invalid");
    await rejectsWith(
      () => j.recordOutcomes([{ seq: 1, outcome: { kind: "nope" } as never }]),
      "invalid",
    );
    assert.deepEqual(j.stats().total, 0);
    await j.close();
  }));

Deno.test("journal second writer gets a clear locked error", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir);
    const err = await rejectsWith(() => Journal.open(dir), "locked");
    assert.ok(err.message.includes(`pid ${Deno.pid}`), err.message);
    await j.close();
    const k = await Journal.open(dir);
    await k.close();
  }));

Deno.test("journal deletes segments once every record is final, keeps ones holding rejected", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir, { segmentBytes: 4096 });
    for (let i = 0; i < 200; i++) await j.append(testScan(i));
    const segs = j.stats().segments;
    assert.ok(segs >= 4, `segments ${segs}`);
    const all = await j.pending(1000);
    await j.recordOutcomes(all.map((r) => ({
      seq: r.seq,
      outcome: r.seq === 10
        ? { kind: "rejected" as const, field: "error_csv" as const, message: "bad tag" }
        : { kind: "accepted" as const },
    })));
    // The first segment (rejected seq 10) and the active one remain.
    assert.deepEqual(j.stats().segments, 2);
    assert.deepEqual(j.stats().rejected, 1);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.startsWith("scan-")
    );
    assert.deepEqual(names.length, 2);
    assert.deepEqual(await j.clearRejected([10]), 1);
    assert.deepEqual(j.stats().segments, 1);
    await j.close();
    const k = await Journal.open(dir, { segmentBytes: 4096 });
    assert.deepEqual(k.stats().pending, 0);
    assert.deepEqual(await k.append(testScan(999)), 201);
    await k.close();
  }));

Deno.test("journal archive gzips finished segments and expires old archives", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir, { segmentBytes: 4096, archive: true, archiveDays: 2 });
    for (let i = 0; i < 80; i++) await j.append(testScan(i));
    const first = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.startsWith("scan-"))
      .sort()[0]!;
    const original = await Deno.readFile(`${dir}/${first}`);
    await j.recordOutcomes(
      (await j.pending(100)).map((r) => ({ seq: r.seq, outcome: { kind: "accepted" } })),
    );
    await j.close();
    const gz = await Deno.readFile(`${dir}/archive/${first}.gz`);
    assert.deepEqual(gunzipSync(gz), original);
    const old = new Date(Date.now() - 3 * 86_400_000);
    for (const e of Deno.readDirSync(`${dir}/archive`)) {
      Deno.utimeSync(`${dir}/archive/${e.name}`, old, old);
    }
    const k = await Journal.open(dir, { segmentBytes: 4096, archive: true, archiveDays: 2 });
    assert.deepEqual([...Deno.readDirSync(`${dir}/archive`)].length, 0);
    await k.close();
  }));

Deno.test("journal outcome log compacts and keeps every state across reopen", () =>
  withDir(async (dir) => {
    const opts = { outcomeSegmentBytes: 4096 };
    let j = await Journal.open(dir, opts);
    await Promise.all(Array.from({ length: 400 }, (_, i) => j.append(testScan(i))));
    for (let s = 1; s <= 400; s++) {
      await j.recordOutcomes([{
        seq: s,
        outcome: s % 50 === 0
          ? { kind: "rejected", field: "error_authenticate", message: `bad ${s}` }
          : s % 3 === 0
          ? { kind: "duplicate", iflowId: `id${s}` }
          : { kind: "accepted" },
      }]);
    }
    await j.close();
    const outs = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.startsWith("outcome-")
    );
    assert.deepEqual(outs.length, 1);
    assert.ok(outs[0] !== "outcome-00000000000000000001.log", "outcome log never compacted");
    j = await Journal.open(dir, opts);
    const s = j.stats();
    assert.deepEqual([s.pending, s.rejected, s.synced], [0, 8, 392]);
    const rej = await rows(j.export({ state: "rejected" }));
    assert.deepEqual(
      rej.map((r) => r.error),
      [50, 100, 150, 200, 250, 300, 350, 400].map((n) => `bad ${n}`),
    );
    const dup = (await rows(j.export({ state: "synced" }))).filter((r) =>
      r.outcome?.kind === "duplicate"
    );
    assert.deepEqual(dup.length, 133 - 2); // multiples of 3 minus those of 150 (rejected)
    assert.deepEqual(dup[0]!.outcome, { kind: "duplicate", iflowId: "id3" });
    await j.close();
  }));

Deno.test("exportJournal reads while a writer holds the journal and filters by state and since", () =>
  withDir(async (dir) => {
    const j = await Journal.open(dir);
    for (let i = 0; i < 10; i++) await j.append(testScan(i));
    await j.recordOutcomes([{ seq: 2, outcome: { kind: "accepted" } }]);
    // A partial frame being written at the tail must be tolerated and left alone.
    const seg = [...Deno.readDirSync(dir)].map((e) => e.name).find((n) => n.startsWith("scan-"))!;
    const before = Deno.statSync(`${dir}/${seg}`).size;
    const f = await Deno.open(`${dir}/${seg}`, { append: true });
    await f.write(new Uint8Array([40, 0, 0, 0, 1, 2]));
    f.close();
    const all = await rows(exportJournal(dir));
    assert.deepEqual(all.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(all[1]!.state, "synced");
    assert.deepEqual(Deno.statSync(`${dir}/${seg}`).size, before + 6);
    const since = await rows(exportJournal(dir, { since: testScan(7).epochMs, state: "pending" }));
    assert.deepEqual(since.map((r) => r.seq), [8, 9, 10]);
    await Deno.truncate(`${dir}/${seg}`, before);
    await j.close();
  }));

Deno.test("journal stats newestEpochMs survives a reopen", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const j = await Journal.open(dir);
    assert.equal(j.stats().newestEpochMs, null);
    const base = {
      reader: "r",
      rfidTag: "1",
      date: "2026-11-29",
      time: "10:00:00",
      utcOffsetMin: 120,
      bootId: "b",
      clockUnsynced: false,
      errorMsg: "",
    };
    await j.append({ ...base, epochMs: 1_800_000_000_000 });
    await j.append({ ...base, epochMs: 1_800_000_005_000 });
    assert.equal(j.stats().newestEpochMs, 1_800_000_005_000);
    await j.close();
    const again = await Journal.open(dir);
    assert.equal(again.stats().newestEpochMs, 1_800_000_005_000);
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
