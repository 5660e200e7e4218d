import assert from "node:assert/strict";
import { appendCrcA, checkCrcA, crcA } from "../../../driver/rc522/crc_a.ts";
import {
  atqaUidSize,
  cascadeLevelBytes,
  cascadeLevels,
  decodeRc522Uid,
  sakCardType,
} from "../../../driver/rc522/iso14443a.ts";
import { collisionBit } from "../../../driver/rc522/anticollision.ts";
import { hex } from "./helpers.ts";
import { withSeed } from "../../support/prng.ts";

Deno.test("crcA matches the ISO 14443-3 vectors", () => {
  const c1 = crcA(new Uint8Array([0x00, 0x00]), 0, 2);
  assert.deepEqual([c1 & 0xff, c1 >> 8], [0xa0, 0x1e]);
  const c2 = crcA(new Uint8Array([0x12, 0x34]), 0, 2);
  assert.deepEqual([c2 & 0xff, c2 >> 8], [0x26, 0xcf]);
  const hlta = new Uint8Array([0x50, 0x00, 0, 0]);
  assert.deepEqual(appendCrcA(hlta, 2), 4);
  assert.deepEqual(hex(hlta), "50 00 57 CD");
  assert.deepEqual(checkCrcA(hlta, 0, 4), true);
  hlta[3] = hlta[3]! ^ 1;
  assert.deepEqual(checkCrcA(hlta, 0, 4), false);
  assert.deepEqual(checkCrcA(hlta, 0, 2), false);
});

Deno.test("cascadeLevelBytes builds CLn with cascade tag and BCC", () => {
  const uid = new Uint8Array([0x04, 0xa3, 0xc6, 0xca, 0xe2, 0x61, 0x80]);
  const out = new Uint8Array(5);
  assert.deepEqual(cascadeLevelBytes(uid, 0, 7, 1, out, 0), true);
  assert.deepEqual(hex(out), "88 04 A3 C6 E9");
  cascadeLevelBytes(uid, 0, 7, 2, out, 0);
  assert.deepEqual(hex(out), "CA E2 61 80 C9");
  assert.deepEqual(cascadeLevelBytes(uid, 0, 7, 3, out, 0), false);
  const ten = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  cascadeLevelBytes(ten, 0, 10, 2, out, 0);
  assert.deepEqual(hex(out), "88 04 05 06 8F");
  cascadeLevelBytes(ten, 0, 10, 3, out, 0);
  assert.deepEqual(hex(out), "07 08 09 0A 0C");
  assert.deepEqual([4, 7, 10, 5].map(cascadeLevels), [1, 2, 3, 0]);
});

Deno.test("decodeRc522Uid explains the 7-byte vector", () => {
  const info = decodeRc522Uid("04 A3 C6 CA E2 61 80");
  assert.deepEqual(info.uid, "04A3C6CAE26180");
  assert.deepEqual(info.uidSize, 7);
  assert.deepEqual(info.sizeName, "double");
  assert.deepEqual(info.levels.length, 2);
  assert.deepEqual(info.levels[0]!.anticollisionAnswer, "88 04 A3 C6 E9");
  assert.deepEqual(info.levels[0]!.bcc, "E9");
  assert.deepEqual(info.levels[0]!.cascadeTag, true);
  assert.deepEqual(info.levels[0]!.anticollisionCommand, "93 20");
  assert.deepEqual(info.levels[1]!.selectFrame, "95 70 CA E2 61 80 C9 E2 83");
  assert.deepEqual(info.levels[1]!.selectCrc, "E2 83");
  assert.deepEqual(info.levels[1]!.cascadeTag, false);
  assert.deepEqual(info.hlta, "50 00 57 CD");
  assert.deepEqual(JSON.parse(JSON.stringify(info)), info);
});

Deno.test("decodeRc522Uid handles 4 and 10 bytes, notes and bad input", () => {
  const four = decodeRc522Uid("de:ad:be:ef");
  assert.deepEqual(four.uidSize, 4);
  assert.deepEqual(four.levels.length, 1);
  assert.deepEqual(four.levels[0]!.anticollisionAnswer, "DE AD BE EF 22");
  assert.deepEqual(decodeRc522Uid("0x0102030405060708090A").levels.length, 3);
  assert.deepEqual(decodeRc522Uid("08112233").notes.length, 1);
  assert.deepEqual(decodeRc522Uid("88112233").notes[0]!.includes("cascade tag"), true);
  assert.throws(() => decodeRc522Uid("0102"), /4, 7 or 10 bytes; "0102" has 2 byte/);
  assert.throws(() => decodeRc522Uid("zz112233"), /not hex bytes/);
  assert.throws(() => decodeRc522Uid("123"), /not hex bytes/);
});

Deno.test("sakCardType decodes SAKs to card types", () => {
  const cases: [number, string][] = [
    [0x09, "mifare-classic-mini"],
    [0x08, "mifare-classic-1k"],
    [0x18, "mifare-classic-4k"],
    [0x00, "mifare-ultralight-ntag"],
    [0x10, "mifare-plus-2k"],
    [0x11, "mifare-plus-4k"],
    [0x01, "mifare-tnp3xxx"],
    [0x20, "iso14443-4"],
    [0x24, "iso14443-4"],
    [0x28, "iso14443-4-classic-1k"],
    [0x38, "iso14443-4-classic-4k"],
    [0x40, "iso18092"],
    [0x02, "unknown"],
  ];
  for (const [sak, type] of cases) assert.deepEqual(sakCardType(sak), type, `SAK ${sak}`);
  assert.deepEqual([0x04, 0x44, 0x84, 0xc4].map(atqaUidSize), [4, 7, 10, 0]);
});

Deno.test("collisionBit reads CollReg on the FIFO bit grid", () => {
  assert.deepEqual(collisionBit(0x01, 0, 0), 0); // first bit
  assert.deepEqual(collisionBit(0x00, 0, 0), 31); // 0 means 32
  assert.deepEqual(collisionBit(0x08, 0, 1), 15);
  assert.deepEqual(collisionBit(0x80 | 0x05, 3, 2), 20); // RxAlign 3: first received bit is position 4
  assert.deepEqual(collisionBit(0x03, 3, 0), -1); // at or before the aligned start: unusable
  assert.deepEqual(collisionBit(0x20 | 0x05, 0, 0), -1); // CollPosNotValid
});

/** CRC_A one bit at a time: the reference for the table-driven crcA. */
function crcABitwise(data: Uint8Array, off: number, len: number): number {
  let crc = 0x6363;
  for (let i = off; i < off + len; i++) {
    crc ^= data[i]!;
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

Deno.test("crcA equals the bit-serial CRC_A at every length (0-40) and offset, checkCrcA agrees", () =>
  withSeed(0xc4c4, (rng) => {
    const buf = rng.bytes(new Uint8Array(64));
    for (let len = 0; len <= 40; len++) {
      for (let t = 0; t < 8; t++) {
        const off = rng.int(64 - len + 1);
        assert.equal(crcA(buf, off, len), crcABitwise(buf, off, len), `len ${len} off ${off}`);
      }
    }
    const frame = rng.bytes(new Uint8Array(20));
    for (let len = 1; len <= 16; len++) {
      const n = appendCrcA(frame, len);
      assert.equal(checkCrcA(frame, 0, n), true);
      frame[rng.int(n)]! ^= 1 << rng.int(8);
      assert.equal(checkCrcA(frame, 0, n), false);
    }
  }));
