import assert from "node:assert/strict";
import {
  CaptureFormatError,
  type CaptureHeader,
  CaptureTap,
  CaptureWriter,
  chunks,
  encodeHeader,
  MemoryOutput,
  parseCapture,
  RecordFlag,
  RecordType,
} from "../../../driver/capture/mod.ts";
import { withSeed } from "../../support/prng.ts";

const HEADER: CaptureHeader = {
  kind: "ascii",
  reader: { name: "gate", kind: "ascii", port: "/dev/ttyS0" },
  pontajVersion: "0.1.0",
  startedAt: "2026-01-01T00:00:00.000Z",
  counters: { frames: 3 },
};

/** A clock that moves 1 ms per call. */
function stepClock(): (out: Int32Array) => void {
  let t = 5_000_000_000;
  return (out) => {
    out[0] = Math.floor(t / 1e9);
    out[1] = t % 1e9;
    t += 1_000_000;
  };
}

async function sampleCapture(): Promise<Uint8Array> {
  const tap = new CaptureTap(64, stepClock());
  const big = Uint8Array.from({ length: 100 }, (_, i) => i);
  tap.bytes(RecordType.rx, big, 0, 100); // 3 records: 48 + 48 + 4
  tap.bytes(RecordType.tx, big, 10, 5);
  tap.edge(1, true, 7, 123);
  tap.regs({
    kind: Uint8Array.of(0, 1),
    reg: Uint8Array.of(0x01, 0x09),
    value: Uint8Array.of(0x0c, 0xaa),
    length: 2,
  });
  const out = new MemoryOutput();
  const w = new CaptureWriter(out, HEADER);
  await w.append(tap.drain());
  await w.close({ counters: { frames: 4 }, dropped: 0 }, 9, 0);
  return out.bytes();
}

Deno.test("capture format round trip: header, chunks split at 48 bytes, edges, regs, trailer", async () => {
  const bytes = await sampleCapture();
  assert.deepStrictEqual([bytes[0], bytes[1]], [0x1f, 0x8b]); // gzip on the way out
  const cap = await parseCapture(bytes);
  assert.deepStrictEqual(cap.header.kind, "ascii");
  assert.deepStrictEqual(cap.header.counters, { frames: 3 });
  assert.deepStrictEqual(cap.header.part, 1);
  assert.deepStrictEqual(cap.tear, null);
  assert.deepStrictEqual(cap.count, 3 + 1 + 1 + 1 + 1); // rx×3, tx, edge, regs, meta
  assert.deepStrictEqual(cap.trailer, { counters: { frames: 4 }, dropped: 0 });
  const cs = [...chunks(cap.records, cap.count)];
  assert.deepStrictEqual(cs.map((c) => c.type), [1, 2, 3, 4, 5]);
  assert.deepStrictEqual([...cs[0]!.data], Array.from({ length: 100 }, (_, i) => i));
  assert.deepStrictEqual([cs[0]!.sec, cs[0]!.nsec], [5, 0]);
  assert.deepStrictEqual([...cs[1]!.data], [10, 11, 12, 13, 14]);
  assert.deepStrictEqual([cs[1]!.sec, cs[1]!.nsec], [5, 1_000_000]);
  assert.deepStrictEqual([cs[2]!.sec, cs[2]!.nsec, cs[2]!.line, cs[2]!.flags], [
    7,
    123,
    1,
    RecordFlag.rising,
  ]);
  assert.deepStrictEqual([...cs[3]!.data], [0x01, 0x0c, 0x89, 0xaa]);
});

Deno.test("capture format torn file reads up to the tear (raw and gzip, seeded cuts)", async () => {
  await withSeed(2020, async (rng) => {
    const tap = new CaptureTap(256, stepClock());
    const line = new Uint8Array(20);
    for (let i = 0; i < 100; i++) {
      line.fill(i);
      tap.bytes(RecordType.rx, line, 0, 20);
    }
    const records = tap.drain();
    const header = encodeHeader(HEADER);
    const raw = new Uint8Array(header.length + records.length);
    raw.set(header);
    raw.set(records, header.length);
    for (let k = 0; k < 50; k++) {
      const cut = header.length + rng.int(records.length);
      const cap = await parseCapture(raw.subarray(0, cut));
      const whole = Math.floor((cut - header.length) / 64);
      assert.deepStrictEqual(cap.count, whole, `cut at ${cut}`);
      assert.deepStrictEqual(cap.tear !== null, (cut - header.length) % 64 !== 0);
      const cs = [...chunks(cap.records, cap.count)];
      cs.forEach((c, i) => assert.deepStrictEqual(c.data[0], i));
    }
    // A flipped byte in record 40 stops reading there.
    const bad = raw.slice();
    bad[header.length + 40 * 64 + 20]! ^= 0xff;
    const cap = await parseCapture(bad);
    assert.deepStrictEqual(cap.count, 40);
    assert.deepStrictEqual(cap.tear?.reason, "record 40: CRC mismatch");
    // gzip: one member per append; a cut inside the last member keeps the members before it.
    const out = new MemoryOutput();
    const w = new CaptureWriter(out, HEADER);
    await w.append(records.subarray(0, 50 * 64));
    const afterFirst = w.totalBytes;
    await w.append(records.subarray(50 * 64));
    const gz = out.bytes();
    const cut = afterFirst + 1 + rng.int(gz.length - afterFirst - 2);
    const torn = await parseCapture(gz.subarray(0, cut));
    assert.ok(torn.count >= 50 && torn.count < 100, `count ${torn.count}`);
    assert.ok(torn.tear !== null);
  });
});

Deno.test("capture tap full ring drops and counts, never blocks", () => {
  const tap = new CaptureTap(4, stepClock());
  const b = new Uint8Array(10);
  for (let i = 0; i < 6; i++) tap.bytes(RecordType.rx, b, 0, 10);
  assert.deepStrictEqual([tap.written, tap.dropped, tap.pending], [6, 2, 4]);
  assert.deepStrictEqual(tap.drain().length, 4 * 64);
  tap.bytes(RecordType.rx, b, 0, 10);
  assert.deepStrictEqual(tap.pending, 1);
});

Deno.test("capture format refuses what is not a capture, with a clear message", async () => {
  await assert.rejects(parseCapture(new TextEncoder().encode("hello world, not a capture")), {
    name: "CaptureFormatError",
    message: "not a pontaj capture: the file does not start with PJCAPTUR",
  });
  const h = encodeHeader(HEADER);
  h[8] = 9;
  await assert.rejects(parseCapture(h), CaptureFormatError);
});
