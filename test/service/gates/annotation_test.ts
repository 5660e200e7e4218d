import assert from "node:assert/strict";
import { Journal } from "../../../service/journal/journal.ts";
import type { GateNote, ScanInput } from "../../../service/journal/types.ts";

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
