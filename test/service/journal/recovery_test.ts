import assert from "node:assert/strict";
import { Journal } from "../../../service/journal/mod.ts";
import type { ScanInput } from "../../../service/journal/mod.ts";
import { Prng, withSeed } from "../../support/prng.ts";
import { testScan } from "./fixtures/build_journal.ts";

const SEG = "scan-00000000000000000001.log";

function small(i: number): ScanInput {
  return { ...testScan(i), reader: "g", bootId: "b" };
}

/** Frame end offsets of a segment (record k ends at ends[k]). */
function frameEnds(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const ends: number[] = [];
  let off = 8;
  while (off + 16 <= bytes.length) {
    off += 16 + dv.getUint32(off, true);
    ends.push(off);
  }
  return ends;
}

async function makeTemplate(n: number, opts = {}): Promise<{ dir: string; bytes: Uint8Array }> {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-recovery-" });
  const j = await Journal.open(`${dir}/t`, opts);
  await Promise.all(Array.from({ length: n }, (_, i) => j.append(small(i))));
  await j.close();
  return { dir, bytes: await Deno.readFile(`${dir}/t/${SEG}`) };
}

let caseNo = 0;

/** Runs `cases` with up to 8 in flight (fsync latency overlaps). */
async function inParallel(cases: (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < cases.length; i += 8) {
    await Promise.all(cases.slice(i, i + 8).map((c) => c()));
  }
}

/**
 * Puts `damaged` in place as the only segment of a fresh journal, opens it and
 * checks: records 1..expect survive intact, `cut` bytes were cut into `.broken`,
 * and an append after recovery gets seq expect+1.
 */
async function expectRecovery(
  base: string,
  damaged: Uint8Array,
  expect: number,
  cut: number,
  label: string,
  deep = false,
): Promise<void> {
  const dir = `${base}/c${caseNo++}`;
  await Deno.mkdir(dir);
  await Deno.writeFile(`${dir}/${SEG}`, damaged);
  const j = await Journal.open(dir);
  const s = j.stats();
  assert.equal(s.total, expect, `${label}: records`);
  assert.equal(s.truncatedBytes, cut, `${label}: cut bytes`);
  assert.equal(s.corruption.count, 0, `${label}: tail damage is not corruption`);
  assert.equal(s.degraded, null, label);
  if (cut > 0) {
    assert.deepEqual(
      await Deno.readFile(`${dir}/${SEG}.broken`),
      damaged.subarray(damaged.length - cut),
      `${label}: .broken holds the cut bytes`,
    );
  }
  if (deep) {
    const recs = await j.pending(expect + 10);
    assert.deepEqual(recs.map((r) => r.seq), Array.from({ length: expect }, (_, i) => i + 1));
    recs.forEach((r, i) => assert.deepEqual(r, { seq: i + 1, ...small(i) }, label));
  }
  assert.equal(await j.append(small(expect)), expect + 1, `${label}: append after recovery`);
  await j.close();
  if (deep) {
    const k = await Journal.open(dir);
    assert.equal(k.stats().total, expect + 1);
    assert.equal(k.stats().truncatedBytes, 0);
    await k.close();
  }
  await Deno.remove(dir, { recursive: true });
}

Deno.test("recovery truncates at every byte offset inside the last 3 records", async () => {
  const { dir, bytes } = await makeTemplate(20);
  try {
    const ends = frameEnds(bytes);
    const n = ends.length;
    assert.equal(n, 20);
    const cases: (() => Promise<void>)[] = [];
    for (let size = ends[n - 4]!; size <= bytes.length; size++) {
      let keep = 0;
      while (keep < n && ends[keep]! <= size) keep++;
      const validEnd = keep === 0 ? 8 : ends[keep - 1]!;
      const deep = size % 17 === 0;
      cases.push(() =>
        expectRecovery(
          dir,
          bytes.slice(0, size),
          keep,
          size - validEnd,
          `truncated at ${size}`,
          deep,
        )
      );
    }
    assert.ok(cases.length > 3 * 60);
    await inParallel(cases);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recovery drops the last record when any single bit of it flips", async () => {
  const { dir, bytes } = await makeTemplate(20);
  try {
    const ends = frameEnds(bytes);
    const start = ends[ends.length - 2]!;
    const cases: (() => Promise<void>)[] = [];
    for (let bit = start * 8; bit < bytes.length * 8; bit++) {
      const d = bytes.slice();
      d[bit >> 3]! ^= 1 << (bit & 7);
      cases.push(() =>
        expectRecovery(dir, d, 19, bytes.length - start, `bit ${bit}`, bit % 97 === 0)
      );
    }
    await inParallel(cases);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recovery handles zeroed 512/4096-byte tails and appended garbage", () =>
  withSeed(0x5eed01, async (rng: Prng) => {
    const { dir, bytes } = await makeTemplate(100);
    try {
      const ends = frameEnds(bytes);
      assert.ok(bytes.length > 4096 + 200);
      for (const z of [512, 4096]) {
        const d = bytes.slice();
        d.fill(0, d.length - z);
        let keep = 0;
        while (ends[keep]! <= d.length - z) keep++;
        await expectRecovery(dir, d, keep, d.length - ends[keep - 1]!, `zeroed ${z}`, true);
      }
      const garbage = rng.bytes(new Uint8Array(1000));
      const d = new Uint8Array(bytes.length + garbage.length);
      d.set(bytes);
      d.set(garbage, bytes.length);
      await expectRecovery(dir, d, 100, 1000, "garbage", true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));

async function openDamaged(
  dir: string,
  name: string,
  damage: (b: Uint8Array, ends: number[]) => void,
  opts = {},
): Promise<{ j: Journal; damaged: Uint8Array }> {
  const b = await Deno.readFile(`${dir}/${name}`);
  damage(b, frameEnds(b));
  await Deno.writeFile(`${dir}/${name}`, b);
  return { j: await Journal.open(dir, opts), damaged: b };
}

Deno.test("recovery keeps every other record when one in the middle is damaged", async () => {
  const { dir } = await makeTemplate(100);
  const jd = `${dir}/t`;
  try {
    const { j, damaged } = await openDamaged(jd, SEG, (b, ends) => {
      b[ends[48]! + 30]! ^= 0x10; // payload byte of record 50
    });
    const s = j.stats();
    assert.equal(s.total, 99);
    assert.equal(s.corruption.count, 1);
    assert.match(s.corruption.last!, /scan-0+1\.log: \d+ bytes at offset \d+/);
    const seqs = (await j.pending(200)).map((r) => r.seq);
    assert.deepEqual(seqs, Array.from({ length: 100 }, (_, i) => i + 1).filter((q) => q !== 50));
    assert.deepEqual(await Deno.readFile(`${jd}/${SEG}.corrupt`), damaged);
    assert.equal(await j.append(small(100)), 101);
    await j.close();
    const k = await Journal.open(jd);
    assert.equal(k.stats().corruption.count, 0, "quarantined segment was rewritten clean");
    assert.equal(k.stats().total, 100);
    await k.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recovery resyncs after a zeroed run in the middle and a bad header", async () => {
  const { dir } = await makeTemplate(100);
  const jd = `${dir}/t`;
  try {
    const { j } = await openDamaged(jd, SEG, (b, ends) => {
      b.fill(0, ends[9]! + 5, ends[9]! + 300); // records 11..~15 zeroed
      b.fill(0, 0, 8); // header gone
    });
    const got = (await j.pending(200)).map((r) => r.seq);
    const lost = Array.from({ length: 100 }, (_, i) => i + 1).filter((q) => !got.includes(q));
    assert.ok(lost.length >= 4 && lost.length <= 6, `lost ${lost}`);
    assert.ok(lost.every((q) => q >= 11 && q <= 16), `lost ${lost}`);
    assert.equal(j.stats().corruption.count, 2);
    await j.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recovery quarantines damage in an older segment and keeps later segments", async () => {
  const { dir } = await makeTemplate(200, { segmentBytes: 4096 });
  const jd = `${dir}/t`;
  try {
    const names = [...Deno.readDirSync(jd)].map((e) => e.name).filter((n) => n.startsWith("scan-"))
      .sort();
    assert.ok(names.length >= 3);
    const { j } = await openDamaged(jd, names[0]!, (b) => {
      // a torn tail in a sealed segment is corruption, not a tail to cut
      b.fill(0xff, b.length - 20);
    });
    const s = j.stats();
    assert.equal(s.corruption.count, 1);
    assert.equal(s.truncatedTails, 0);
    assert.equal(s.total, 199);
    assert.equal(await j.append(small(200)), 201);
    await j.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recovery of a torn outcome log makes the lost outcomes pending again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-recovery-" });
  try {
    const j = await Journal.open(dir);
    for (let i = 0; i < 10; i++) await j.append(small(i));
    await j.recordOutcomes([1, 2, 3].map((seq) => ({ seq, outcome: { kind: "accepted" } })));
    await j.recordOutcomes([{ seq: 4, outcome: { kind: "duplicate", iflowId: "long-id-0001" } }]);
    await j.close();
    const out = [...Deno.readDirSync(dir)].map((e) => e.name).find((n) =>
      n.startsWith("outcome-")
    )!;
    const size = Deno.statSync(`${dir}/${out}`).size;
    await Deno.truncate(`${dir}/${out}`, size - 5);
    const k = await Journal.open(dir);
    assert.deepEqual((await k.pending(20)).map((r) => r.seq), [4, 5, 6, 7, 8, 9, 10]);
    assert.equal(k.stats().truncatedTails, 1);
    await k.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
