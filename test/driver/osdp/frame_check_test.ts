import assert from "node:assert/strict";
import { checkedFrameLength } from "../../../driver/osdp/frame_check.ts";
import { osdpCrc16 } from "../../../driver/osdp/crc.ts";
import { buildFrame, FrameWriter } from "../../../driver/osdp/writer.ts";
import { withSeed } from "../../support/prng.ts";

Deno.test("osdp checkedFrameLength takes CRC frames without a security block, where they lie", () => {
  const f = buildFrame({ address: 0x65, reply: true, seq: 3, code: 0x50, data: [0, 1, 26, 0, 9] });
  const src = new Uint8Array(f.length + 5);
  src.set(f, 3);
  assert.equal(checkedFrameLength(src, 3, src.length, 1024), f.length);
  assert.equal(checkedFrameLength(src, 3, 3 + f.length, 1024), f.length, "ends at end");
  assert.equal(checkedFrameLength(src, 3, 3 + f.length - 1, 1024), 0, "one byte short");
  assert.equal(checkedFrameLength(src, 3, src.length, f.length - 1), 0, "over maxLength");
  assert.equal(checkedFrameLength(src, 3, src.length, f.length), f.length, "at maxLength");
  const poll = buildFrame({ address: 1, code: 0x60 });
  assert.equal(checkedFrameLength(poll, 0, poll.length, 1024), 8, "the shortest CRC frame");
  assert.equal(checkedFrameLength(poll, 0, 7, 1024), 0);
});

Deno.test("osdp checkedFrameLength gives checksum and secure frames negative, short and damaged ones 0", () => {
  const sum = buildFrame({ address: 1, code: 0x61, data: [0], crc: false });
  const src = new Uint8Array(sum.length + 2);
  src.set(sum, 1);
  assert.equal(checkedFrameLength(src, 1, src.length, 1024), -sum.length, "checksum mode");
  assert.equal(checkedFrameLength(src, 1, src.length - 2, 1024), 0, "checksum mode, split");
  src[sum.length]! ^= 1;
  assert.equal(checkedFrameLength(src, 1, src.length, 1024), 0, "bad checksum");
  const w = new FrameWriter(64);
  w.begin(0x81, 1, true, 0x16).u8(0x50).bytes(Uint8Array.of(1, 2, 3));
  w.finish({ sign: (b, end) => b.set([1, 2, 3, 4], end) });
  const scb = w.copy();
  assert.equal(checkedFrameLength(scb, 0, scb.length, 1024), -scb.length, "security block");
  scb[scb.length - 1]! ^= 1;
  assert.equal(checkedFrameLength(scb, 0, scb.length, 1024), 0, "security block, bad CRC");
  // A 7-byte length field in CRC mode: too short to hold a CRC.
  const seven = Uint8Array.of(0x53, 0x01, 0x07, 0x00, 0x04, 0x60, 0x00, 0x00);
  assert.equal(checkedFrameLength(seven, 0, seven.length, 1024), 0, "length 7 in CRC mode");
  const f = buildFrame({ address: 2, code: 0x61, data: [0] });
  for (let k = 1; k < f.length; k++) {
    const bad = f.slice();
    bad[k]! ^= 0x10;
    assert.equal(checkedFrameLength(bad, 0, bad.length, 1024), 0, `byte ${k} damaged`);
  }
});

Deno.test("osdp checkedFrameLength agrees with osdpCrc16 on random frames of every length", async () => {
  await withSeed(0x18c5, (rng) => {
    const src = new Uint8Array(300);
    for (let len = 8; len <= 260; len++) {
      rng.bytes(src);
      const at = rng.int(30);
      src[at] = 0x53;
      src[at + 2] = len & 0xff;
      src[at + 3] = len >> 8;
      src[at + 4] = (src[at + 4]! & ~0x0c) | 0x04;
      const crc = osdpCrc16(src, at, at + len - 2);
      const good = rng.int(2) === 0;
      src[at + len - 2] = crc & 0xff;
      src[at + len - 1] = (crc >> 8) ^ (good ? 0 : 1 + rng.int(255));
      assert.equal(checkedFrameLength(src, at, at + len, 1024), good ? len : 0, `len ${len}`);
    }
  });
});
