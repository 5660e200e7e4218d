import assert from "node:assert/strict";
import { encodeScan, ScanDecoder } from "../../../service/journal/scan_codec.ts";
import type { ScanInput } from "../../../service/journal/types.ts";

const te = new TextEncoder();

/** The payload layout written out by hand: the reference the encoder must match byte for byte. */
function reference(s: ScanInput): Uint8Array {
  const parts = [s.reader, s.rfidTag, s.date, s.time, s.bootId, s.errorMsg].map((x) =>
    te.encode(x)
  );
  const out = new Uint8Array(12 + parts.reduce((n, p) => n + 2 + p.length, 0));
  const dv = new DataView(out.buffer);
  out[0] = 1;
  out[1] = (s.clockUnsynced ? 1 : 0) | (s.hold ? 2 : 0);
  dv.setInt16(2, s.utcOffsetMin, true);
  dv.setFloat64(4, s.epochMs, true);
  let p = 12;
  for (const b of parts) {
    dv.setUint16(p, b.length, true);
    out.set(b, p + 2);
    p += 2 + b.length;
  }
  return out;
}

Deno.test("scan encoding: repeated, changing, non-ASCII and long fields give the same bytes as the reference", () => {
  // Seeded choice among values that repeat (same string object), repeat by content
  // only (a fresh string), change, carry non-ASCII text or exceed the kept 32 bytes;
  // the last four fields together may exceed the 128 bytes kept for them.
  const values = [
    "gate-1",
    "gate-ü",
    "",
    "x".repeat(33),
    "2025-06-15",
    "€€€€€€€€€€€",
    "boot-test",
    "ä".repeat(16),
  ];
  let state = 0x2545f491;
  const pick = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    const v = values[(state >>> 16) % values.length]!;
    return (state & 1) === 1 ? v.split("").join("") : v; // half of them a fresh copy
  };
  const copy = (v: string) => ((state >>> 20) & 1) === 1 ? v.split("").join("") : v;
  const dec = new ScanDecoder();
  let prev: ScanInput | null = null;
  for (let i = 0; i < 2000; i++) {
    const scan: ScanInput = {
      reader: pick(),
      rfidTag: String(1_000_000 + i),
      epochMs: 1_750_000_000_000 + i,
      date: pick(),
      time: pick(),
      utcOffsetMin: (i % 5) * 60 - 120,
      bootId: pick(),
      clockUnsynced: i % 3 === 0,
      errorMsg: pick(),
    };
    if (prev && (state & 6) !== 0) {
      // Three scans in four repeat the last four fields of the one before (same or copied strings).
      scan.date = copy(prev.date);
      scan.time = copy(prev.time);
      scan.bootId = copy(prev.bootId);
      scan.errorMsg = copy(prev.errorMsg);
    }
    prev = scan;
    const got = encodeScan(scan);
    assert.deepEqual(got, reference(scan), `scan ${i}`);
    const back = dec.decode(got, 0, got.length, i + 1);
    assert.deepEqual(back, { seq: i + 1, ...scan });
  }
});
