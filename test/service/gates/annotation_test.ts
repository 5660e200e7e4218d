import assert from "node:assert/strict";
import { Journal } from "../../../service/journal/journal.ts";
import type { GateNote, ScanInput } from "../../../service/journal/types.ts";
import { GateAnnotations } from "../../../service/gates/annotations.ts";

const scan = (i: number): ScanInput => ({
  reader: "gate-in",
  rfidTag: `000000${String(i).padStart(4, "0")}`,
  epochMs: 1_800_000_000_000 + i,
  date: "2027-01-15",
  time: "08:00:00",
  utcOffsetMin: 120,
  bootId: "test",
  clockUnsynced: false,
  errorMsg: "",
});

async function notes(j: Journal): Promise<Map<number, GateNote | undefined>> {
  const m = new Map<number, GateNote | undefined>();
  for await (const row of j.export()) m.set(row.seq, row.gate && { ...row.gate });
  return m;
}

Deno.test("gate annotations are durable, replaced by later ones, and survive reopen and compaction", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let j = await Journal.open(dir, { outcomeSegmentBytes: 4096 });
    const seqs: number[] = [];
    for (let i = 0; i < 300; i++) seqs.push(await j.append(scan(i)));
    const granted: GateNote = { gate: "t1", granted: true, reason: "known", passed: null };
    const denied: GateNote = { gate: "t1", granted: false, reason: "refused", passed: null };
    await j.annotateGates(seqs.map((seq, i) => ({ seq, note: i % 2 ? denied : granted })));
    // passage known later for the first scan: the newer note replaces the older
    await j.annotateGates([{ seq: seqs[0]!, note: { ...granted, passed: true } }]);
    await j.annotateGates([{ seq: 999_999, note: granted }]); // no such record: ignored
    assert.equal(j.stats().pending, 300, "annotations change no state");
    // Enough outcomes to roll the outcome log a few times (compaction snapshots the annotations).
    for (const seq of seqs) {
      await j.recordOutcomes([{
        seq,
        outcome: { kind: "rejected", field: "error_csv", message: "x".repeat(40) },
      }]);
    }
    const before = await notes(j);
    await j.close();
    const outcomeFiles = [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("outcome-"));
    assert.equal(outcomeFiles.length, 1, "compacted into one outcome segment");
    assert.notEqual(
      outcomeFiles[0]!.name,
      "outcome-00000000000000000001.log",
      "rolled at least once",
    );
    j = await Journal.open(dir, { outcomeSegmentBytes: 4096 });
    const after = await notes(j);
    await j.close();
    assert.deepEqual(after, before);
    assert.deepEqual(after.get(seqs[0]!), { ...granted, passed: true });
    assert.deepEqual(after.get(seqs[1]!), denied);
    assert.deepEqual(after.get(seqs[299]!), denied);
    assert.equal([...after.values()].filter((n) => n === undefined).length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gate annotations release a held scan once its seq and passage are both known, in either order", async () => {
  const calls: { seq: number; send: boolean }[][] = [];
  const written: number[] = [];
  const notes = new GateAnnotations(
    (batch) => Promise.resolve(void written.push(...batch.map((b) => b.seq))),
    () => {},
    (list) => Promise.resolve(void calls.push(list)),
  );
  const note: GateNote = { gate: "t1", granted: true, reason: "known", passed: null };
  const a = { ...scan(1), hold: true };
  const b = { ...scan(2), hold: true };
  const c = scan(3); // not held: never released
  // a: decided, journaled, then passed
  notes.decided(a, note);
  notes.journaled(a, 1);
  notes.passage(a, true);
  // b: decided, not passed before its seq is known
  notes.decided(b, note);
  notes.passage(b, false);
  notes.journaled(b, 2);
  notes.decided(c, note);
  notes.journaled(c, 3);
  notes.passage(c, false);
  notes.passage(a, true); // a second trip changes nothing
  await notes.drain();
  assert.deepEqual(calls.flat(), [{ seq: 1, send: true }, { seq: 2, send: false }]);
  assert.deepEqual(written, [1, 1, 2, 3, 3, 1]);
  assert.deepEqual([notes.counters.released, notes.counters.releaseFailed], [2, 0]);
});
