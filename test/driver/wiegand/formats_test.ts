import assert from "node:assert/strict";
import { CardRead } from "../../../driver/card.ts";
import { formatTag } from "../../../driver/tag.ts";
import {
  bitsFromBigInt,
  bitsFromString,
  bitsToBigInt,
  bitsToString,
  BUILTIN_FORMATS,
  DecodeStatus,
  decodeWiegandBits,
  decodeWiegandPacked,
  encodeWiegand,
  packBits,
  WiegandFormatSet,
} from "../../../driver/wiegand/mod.ts";

/** The vectors from the issue: format, bits, facility, card, frame value. */
const VECTORS: [string, number, number, number, bigint][] = [
  ["h10301", 26, 1, 1, 0x2020002n],
  ["h10306", 34, 1, 1, 0x200020002n],
  ["h10304", 37, 1, 1, 0x1000100002n],
  ["h10302", 37, -1, 1, 0x0000000002n],
  ["c1000-35", 35, 1, 1, 0x600200003n],
  ["c1000-48", 48, 1, 1, 0x400001000002n],
];

Deno.test("wiegand h10301 facility 90 card 324 is the issue's bit string", () => {
  assert.deepEqual(bitsToString(encodeWiegand("h10301", 90, 324)), "00101101000000001010001000");
  const read = new CardRead();
  const st = decodeWiegandBits(bitsFromString("00101101000000001010001000"), 26, read);
  assert.deepEqual(st, DecodeStatus.ok);
  assert.deepEqual([read.format, read.facility, read.card], ["h10301", 90, 324]);
  assert.deepEqual([...read.idBytes()], [90, 0x01, 0x44]);
  assert.deepEqual(read.bitLength, 24);
  // dec10 of the 24 data bits equals the EM4100-style printed number fc*65536+cn
  assert.deepEqual(formatTag(read, "dec10"), String(90 * 65536 + 324).padStart(10, "0"));
  assert.deepEqual(formatTag(read, "fc-cn"), "090,00324");
});

for (const [name, bits, fc, cn, value] of VECTORS) {
  Deno.test(`wiegand ${name} facility ${fc} card ${cn} encodes to 0x${value.toString(16)}`, () => {
    const enc = encodeWiegand(name, fc < 0 ? 0 : fc, cn);
    assert.deepEqual(enc.length, bits);
    assert.deepEqual(bitsToBigInt(enc), value);
  });

  Deno.test(`wiegand ${name} vector decodes (unpacked and packed)`, () => {
    const frame = bitsFromBigInt(value, bits);
    const set = new WiegandFormatSet({ lengthFormats: { [bits]: name } });
    for (const packed of [false, true]) {
      const read = new CardRead();
      const st = packed
        ? decodeWiegandPacked(packBits(frame), bits, read, set)
        : decodeWiegandBits(frame, bits, read, set);
      assert.deepEqual(st, DecodeStatus.ok);
      assert.deepEqual([read.format, read.facility, read.card], [name, fc, cn]);
      const f = BUILTIN_FORMATS[name]!;
      const idBits = (f.facility ? f.facility[1] - f.facility[0] + 1 : 0) + f.card[1] - f.card[0] +
        1;
      assert.deepEqual(read.bitLength, idBits);
      const expectId = fc < 0 ? BigInt(cn) : (BigInt(fc) << BigInt(f.card[1] - f.card[0] + 1)) |
        BigInt(cn);
      assert.deepEqual(read.idBigInt(), expectId);
    }
  });

  Deno.test(`wiegand ${name} any single flipped bit fails parity`, () => {
    const set = new WiegandFormatSet({ lengthFormats: { [bits]: name } });
    const f = BUILTIN_FORMATS[name]!;
    const parityBits = new Set(f.parity.map((r) => r.bit - 1));
    const frame = bitsFromBigInt(value, bits);
    const read = new CardRead();
    let parityRejects = 0;
    for (let i = 0; i < bits; i++) {
      frame[i]! ^= 1;
      const st = decodeWiegandBits(frame, bits, read, set);
      frame[i]! ^= 1;
      // every single-bit error is caught by at least one parity bit in these formats
      assert.deepEqual(st, DecodeStatus.parity, `bit ${i + 1} flipped`);
      assert.deepEqual(read.byteLength, 0);
      if (parityBits.has(i)) parityRejects++;
    }
    assert.deepEqual(parityRejects, f.parity.length);
  });
}

Deno.test("wiegand parity rules each catch a broken bit in their own range", () => {
  // For every format and every parity rule: flip one covered bit at a time.
  for (const f of Object.values(BUILTIN_FORMATS)) {
    const set = new WiegandFormatSet({ lengthFormats: { [f.bits]: f.name } });
    const frame = encodeWiegand(f, f.facility ? 5 : 0, 77);
    const read = new CardRead();
    assert.deepEqual(decodeWiegandBits(frame, f.bits, read, set), DecodeStatus.ok);
    for (const rule of f.parity) {
      frame[rule.bit - 1]! ^= 1;
      assert.deepEqual(decodeWiegandBits(frame, f.bits, read, set), DecodeStatus.parity);
      frame[rule.bit - 1]! ^= 1;
    }
    assert.deepEqual(decodeWiegandBits(frame, f.bits, read, set), DecodeStatus.ok);
    assert.deepEqual(read.card, 77);
  }
});

Deno.test("wiegand auto picks the format by bit count, 37 defaults to h10304", () => {
  const set = new WiegandFormatSet();
  assert.deepEqual(
    [26, 32, 34, 35, 37, 48, 56].map((n) => set.formatFor(n)),
    ["h10301", "raw", "h10306", "c1000-35", "h10304", "c1000-48", "raw"],
  );
  const over = new WiegandFormatSet({ lengthFormats: { 37: "h10302", 26: "raw" } });
  assert.deepEqual([over.formatFor(37), over.formatFor(26)], ["h10302", "raw"]);
  const fixed = new WiegandFormatSet({ format: "h10306", unknownLengths: "drop" });
  assert.deepEqual([fixed.formatFor(34), fixed.formatFor(26), fixed.formatFor(32)], [
    "h10306",
    null,
    null,
  ]);
});

Deno.test("wiegand 32-bit frames decode raw with all bits as the id", () => {
  const read = new CardRead();
  const frame = bitsFromBigInt(0xdeadbeefn, 32);
  assert.deepEqual(decodeWiegandBits(frame, 32, read), DecodeStatus.ok);
  assert.deepEqual(read.format, "raw");
  assert.deepEqual([...read.idBytes()], [0xde, 0xad, 0xbe, 0xef]);
  assert.deepEqual([read.facility, read.card, read.bitLength], [-1, -1, 32]);
  const drop = new WiegandFormatSet({ unknownLengths: "drop" });
  assert.deepEqual(decodeWiegandBits(frame, 32, read, drop), DecodeStatus.unknownLength);
});

Deno.test("wiegand raw 128-bit and odd-length frames keep every bit right-aligned", () => {
  const read = new CardRead();
  const v = (1n << 127n) | 0x0123456789abcdefn;
  assert.deepEqual(
    decodeWiegandPacked(packBits(bitsFromBigInt(v, 128)), 128, read),
    DecodeStatus.ok,
  );
  assert.deepEqual(read.idBigInt(), v);
  assert.deepEqual(read.byteLength, 16);
  assert.deepEqual(decodeWiegandBits(bitsFromString("10110"), 5, read), DecodeStatus.ok);
  assert.deepEqual([read.idBigInt(), read.byteLength, read.bitLength], [0b10110n, 1, 5]);
});

Deno.test("wiegand packed decode ignores trailing bits in the last byte", () => {
  const read = new CardRead();
  const packed = packBits(encodeWiegand("h10301", 1, 1));
  packed[3]! |= 0x3f; // bits 27..32 are not part of the frame
  assert.deepEqual(decodeWiegandPacked(packed, 26, read), DecodeStatus.ok);
  assert.deepEqual([read.facility, read.card], [1, 1]);
});

Deno.test("wiegand bad lengths are reported, never thrown", () => {
  const read = new CardRead();
  assert.deepEqual(decodeWiegandBits(new Uint8Array(4), 0, read), DecodeStatus.badLength);
  assert.deepEqual(decodeWiegandBits(new Uint8Array(200), 129, read), DecodeStatus.badLength);
  assert.deepEqual(decodeWiegandBits(new Uint8Array(4), 26, read), DecodeStatus.badLength);
  assert.deepEqual(decodeWiegandPacked(new Uint8Array(3), 26, read), DecodeStatus.badLength);
  assert.deepEqual(decodeWiegandPacked(new Uint8Array(4), NaN, read), DecodeStatus.badLength);
});

Deno.test("wiegand custom formats: ranges, masks, auto takes their length", () => {
  // A 30-bit format: facility 2..11, card 12..29, even over 2..15 (by mask), odd over 16..29.
  const def = {
    name: "acme30",
    bits: 30,
    facility: [2, 11] as const,
    card: [12, 29] as const,
    parity: [
      { bit: 1, type: "even" as const, mask: "0x1FFF8000" },
      { bit: 30, type: "odd" as const, over: [[16, 29] as const] },
    ],
  };
  const set = new WiegandFormatSet({ customFormats: [def] });
  assert.deepEqual(set.formatFor(30), "acme30");
  const frame = encodeWiegand(def, 700, 200000);
  const read = new CardRead();
  assert.deepEqual(decodeWiegandBits(frame, 30, read, set), DecodeStatus.ok);
  assert.deepEqual([read.format, read.facility, read.card], ["acme30", 700, 200000]);
  for (let i = 0; i < 30; i++) {
    frame[i]! ^= 1;
    assert.deepEqual(decodeWiegandBits(frame, 30, read, set), DecodeStatus.parity);
    frame[i]! ^= 1;
  }
});

Deno.test("wiegand format set rejects bad config with clear messages", () => {
  assert.throws(
    () => new WiegandFormatSet({ format: "h99999" }),
    (e: unknown) => e instanceof Error && e.message.includes('unknown wiegand format "h99999"'),
  );
  assert.throws(
    () => new WiegandFormatSet({ lengthFormats: { 30: "h10301" } }),
    (e: unknown) => e instanceof Error && e.message.includes("has 26 bits, not 30"),
  );
  assert.throws(() =>
    new WiegandFormatSet({
      customFormats: [{ name: "h10301", bits: 26, card: [2, 25], parity: [] }],
    }), (e: unknown) => e instanceof Error && e.message.includes("name taken"));
  assert.throws(
    () =>
      new WiegandFormatSet({ customFormats: [{ name: "x", bits: 26, card: [2, 27], parity: [] }] }),
    (e: unknown) =>
      e instanceof Error && e.message.includes("card range [2, 27] must lie within 1..26"),
  );
  assert.throws(() =>
    new WiegandFormatSet({
      customFormats: [{
        name: "x",
        bits: 8,
        card: [2, 7],
        parity: [{ bit: 1, type: "even", mask: "1FF" }],
      }],
    }), (e: unknown) => e instanceof Error && e.message.includes("wider than 8 bits"));
});

Deno.test("wiegand custom format with an id over 53 bits keeps every bit", () => {
  const def = {
    name: "wide100",
    bits: 100,
    facility: [2, 41] as const,
    card: [42, 91] as const,
    parity: [{ bit: 1, type: "odd" as const, over: [[2, 100] as const] }],
  };
  const set = new WiegandFormatSet({ customFormats: [def] });
  const fc = 0xAB_CDEF_1234; // 40 bits
  const cn = 0x3_1234_5678_9ABC; // 50 bits
  const frame = encodeWiegand(def, fc, cn);
  for (let i = 91; i < 100; i++) frame[i] = i & 1; // trailing bits outside the fields
  frame[0] = 0;
  let ones = 0;
  for (let i = 1; i < 100; i++) ones += frame[i]!;
  frame[0] = (ones & 1) ^ 1;
  const read = new CardRead();
  assert.deepEqual(decodeWiegandBits(frame, 100, read, set), DecodeStatus.ok);
  assert.deepEqual([read.facility, read.card, read.bitLength, read.byteLength], [fc, cn, 90, 12]);
  assert.deepEqual(read.idBigInt(), (BigInt(fc) << 50n) | BigInt(cn));
});
