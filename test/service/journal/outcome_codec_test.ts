import assert from "node:assert/strict";
import {
  decodeEntries,
  encodeEntries,
  OUTCOME_CHUNK,
  type OutcomeEntry,
  OutcomeOp,
  outcomesToEntries,
} from "../../../service/journal/outcome_codec.ts";

type Seen = [op: number, seq: number, count: number, field: number, text: string];

function decodeAll(payloads: Uint8Array[]): Seen[] {
  const seen: Seen[] = [];
  for (const p of payloads) {
    const ok = decodeEntries(p, new DataView(p.buffer, p.byteOffset), 0, p.length, (...e) => {
      seen.push(e);
    });
    assert.ok(ok, "payload decodes in full");
  }
  return seen;
}

Deno.test("outcome codec: a sync batch encodes into one payload of exactly its bytes", () => {
  const entries = outcomesToEntries([
    { seq: 7, outcome: { kind: "accepted" } },
    { seq: 8, outcome: { kind: "accepted" } },
    { seq: 9, outcome: { kind: "duplicate", iflowId: "4411" } },
    { seq: 10, outcome: { kind: "rejected", field: "error_csv", message: "dată greșită" } },
    { seq: 11, outcome: { kind: "accepted" } },
    { seq: 2 ** 40 + 3, outcome: { kind: "duplicate" } },
  ]);
  const payloads = encodeEntries(entries);
  assert.equal(payloads.length, 1);
  // type + accepted run (13) + duplicate "4411" (15) + rejected with 15 UTF-8 bytes (27)
  // + accepted (13) + duplicate without id (11)
  assert.equal(payloads[0]!.length, 1 + 13 + 15 + 27 + 13 + 11);
  assert.deepEqual(decodeAll(payloads), [
    [OutcomeOp.ACCEPTED, 7, 2, 0, ""],
    [OutcomeOp.DUPLICATE, 9, 1, 0, "4411"],
    [OutcomeOp.REJECTED, 10, 1, 2, "dată greșită"],
    [OutcomeOp.ACCEPTED, 11, 1, 0, ""],
    [OutcomeOp.DUPLICATE, 2 ** 40 + 3, 1, 0, ""],
  ]);
});

Deno.test("outcome codec: entries beyond OUTCOME_CHUNK split into several payloads, none lost", () => {
  const long = "x".repeat(8192);
  const entries: OutcomeEntry[] = [];
  for (let i = 0; i < 70; i++) {
    entries.push({ op: OutcomeOp.REJECTED, seq: 100 + i, field: i % 3, text: `${i}:${long}` });
  }
  entries.push({ op: OutcomeOp.REOPEN, seq: 500 }, { op: OutcomeOp.CLEARED, seq: 501 });
  const payloads = encodeEntries(entries);
  assert.equal(payloads.length, 3, "70 × ~8 KiB entries fill 256 KiB payloads");
  for (const p of payloads) assert.ok(p.length <= OUTCOME_CHUNK, `payload of ${p.length} bytes`);
  const seen = decodeAll(payloads);
  assert.equal(seen.length, 72);
  for (let i = 0; i < 70; i++) {
    // messages are cut at 8192 characters
    assert.deepEqual(seen[i], [
      OutcomeOp.REJECTED,
      100 + i,
      1,
      i % 3,
      `${i}:${long}`.slice(0, 8192),
    ]);
  }
  assert.deepEqual(seen.slice(70), [[OutcomeOp.REOPEN, 500, 1, 0, ""], [
    OutcomeOp.CLEARED,
    501,
    1,
    0,
    "",
  ]]);
});

Deno.test("outcome codec: no entries, no payload", () => {
  assert.deepEqual(encodeEntries([]), []);
});

Deno.test("outcome codec gate annotations round-trip (flags, reason, gate name)", () => {
  const entries = [
    { op: OutcomeOp.GATE, seq: 7, count: 1 | (1 << 1), field: 1, text: "turnstile-1" },
    { op: OutcomeOp.ACCEPTED, seq: 8, count: 2 },
    { op: OutcomeOp.GATE, seq: 2 ** 40, count: 2 << 1, field: 7, text: "" },
  ];
  const [buf] = encodeEntries(entries);
  const seen: unknown[] = [];
  const ok = decodeEntries(buf!, new DataView(buf!.buffer), 0, buf!.length, (...a) => seen.push(a));
  assert.equal(ok, true);
  assert.deepEqual(seen, [
    [OutcomeOp.GATE, 7, 3, 1, "turnstile-1"],
    [OutcomeOp.ACCEPTED, 8, 2, 0, ""],
    [OutcomeOp.GATE, 2 ** 40, 4, 7, ""],
  ]);
  // a truncated gate entry is malformed, after the well-formed prefix
  const cut: unknown[] = [];
  assert.equal(decodeEntries(buf!, new DataView(buf!.buffer), 0, 14, (...a) => cut.push(a)), false);
  assert.deepEqual(cut, []);
});
