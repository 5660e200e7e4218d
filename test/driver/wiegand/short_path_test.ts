import assert from "node:assert/strict";
import { withSeed } from "../../support/prng.ts";
import {
  CardRead,
  DecodeStatus,
  decodeWiegandBits,
  decodeWiegandPacked,
  encodeWiegand,
  type WiegandFormatDef,
  WiegandFormatSet,
} from "../../../driver/wiegand/mod.ts";

/** Short custom formats: each takes the fast path or deliberately falls out of it. */
const CUSTOM: WiegandFormatDef[] = [
  // 32 bits, three rules (one covering another parity bit), no facility, 29-bit card.
  {
    name: "t32-3",
    bits: 32,
    card: [3, 31],
    parity: [
      { bit: 2, type: "even", over: [[3, 17]] },
      { bit: 32, type: "odd", over: [[18, 31]] },
      { bit: 1, type: "odd", over: [[2, 32]] },
    ],
  },
  // 30 bits, no parity at all, facility and card not adjacent.
  { name: "t30-0", bits: 30, facility: [1, 10], card: [15, 30], parity: [] },
  // 31 bits, one rule, card before facility.
  {
    name: "t31-1",
    bits: 31,
    facility: [20, 31],
    card: [2, 19],
    parity: [{ bit: 1, type: "odd", over: [[2, 31]] }],
  },
  // 28 bits, four rules: too many for the fast path (the general path decodes it).
  {
    name: "t28-4",
    bits: 28,
    card: [5, 28],
    parity: [
      { bit: 1, type: "even", over: [[5, 10]] },
      { bit: 2, type: "odd", over: [[11, 16]] },
      { bit: 3, type: "even", over: [[17, 22]] },
      { bit: 4, type: "odd", over: [[23, 28]] },
    ],
  },
  // 32 bits with a 32-bit id: too wide for the fast path.
  { name: "t32-wide", bits: 32, facility: [1, 8], card: [9, 32], parity: [] },
];

function same(a: CardRead, b: CardRead, what: string): void {
  assert.deepEqual(
    [a.format, a.byteLength, a.bitLength, a.facility, a.card, [...a.data]],
    [b.format, b.byteLength, b.bitLength, b.facility, b.card, [...b.data]],
    what,
  );
}

Deno.test("wiegand decode: frames of up to 32 bits decode the same through one word as through four", async () => {
  await withSeed(0x5407, (rng) => {
    const sets = [
      new WiegandFormatSet(),
      new WiegandFormatSet({ customFormats: CUSTOM }),
      new WiegandFormatSet({ customFormats: CUSTOM, lengthFormats: { 32: "t32-wide" } }),
      new WiegandFormatSet({ unknownLengths: "drop" }),
      new WiegandFormatSet({ format: "raw" }),
    ];
    const fast = new CardRead();
    const slow = new CardRead();
    const bits = new Uint8Array(32);
    const statuses = [0, 0, 0, 0];
    for (let k = 0; k < 40_000; k++) {
      const set = sets[k % sets.length]!;
      const n = 1 + rng.int(32);
      let word = 0;
      for (let i = 0; i < n; i++) {
        bits[i] = rng.int(2) * (1 + rng.int(255)); // any non-zero byte is a 1
        word = (word << 1) | (bits[i] !== 0 ? 1 : 0);
      }
      const w = n === 32 ? word : word << (32 - n);
      // Junk past the frame's end must not matter.
      const junk = rng.nextU32() >>> n;
      const st = set.decodeWord(w | (n === 32 ? 0 : junk), n, fast);
      set.words.set([w, 0, 0, 0]);
      assert.equal(set.decodeWords(n, slow), st, `status, ${n} bits ${w >>> 0}`);
      same(fast, slow, `${n} bits ${(w >>> 0).toString(2)}`);
      assert.equal(decodeWiegandBits(bits, n, slow, set), st);
      same(fast, slow, `decodeWiegandBits ${n} bits`);
      statuses[st]!++;
    }
    // Every outcome was reached: ok, parity, unknown length (the drop set), no bad lengths.
    assert.ok(statuses[DecodeStatus.ok]! > 10_000, String(statuses));
    assert.ok(statuses[DecodeStatus.parity]! > 1000, String(statuses));
    assert.ok(statuses[DecodeStatus.unknownLength]! > 1000, String(statuses));
    assert.equal(statuses[DecodeStatus.badLength], 0);
  });
});

Deno.test("wiegand decode: every short custom format decodes its own encoded cards on the fast path", () => {
  const read = new CardRead();
  // Facility / card values that fill every field bit.
  const cases: [string, number, number, number][] = [
    // format, facility, card, expected id
    ["t32-3", 0, 0x1fffffff, 0x1fffffff],
    ["t30-0", 0x3ff, 0xffff, 0x3ffffff],
    ["t31-1", 0xabc, 0x2abcd, (0xabc << 18) | 0x2abcd],
    ["t28-4", 0, 0xa5a5a5, 0xa5a5a5],
    ["t32-wide", 0xff, 0xffffff, 0xffffffff],
    ["h10301", 255, 65535, 0xffffff],
  ];
  for (const [name, fac, card, id] of cases) {
    const set = new WiegandFormatSet({ customFormats: CUSTOM, format: name });
    const bits = encodeWiegand(CUSTOM.find((d) => d.name === name) ?? name, fac, card);
    assert.equal(decodeWiegandBits(bits, bits.length, read, set), DecodeStatus.ok, name);
    assert.equal(read.format, name);
    assert.deepEqual([read.facility, read.card], [fac || -1, card], name);
    assert.equal(read.idBigInt(), BigInt(id), name);
    // The same frame packed MSB-first, as OSDP osdp_RAW carries it.
    const packed = new Uint8Array(4);
    for (let i = 0; i < bits.length; i++) packed[i >> 3]! |= bits[i]! << (7 - (i & 7));
    const again = new CardRead();
    assert.equal(decodeWiegandPacked(packed, bits.length, again, set), DecodeStatus.ok);
    same(again, read, `${name} packed`);
  }
});
