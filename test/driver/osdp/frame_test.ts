import assert from "node:assert/strict";
import { osdpChecksum, osdpCrc16 } from "../../../driver/osdp/crc.ts";
import { MAX_FRAME, OsdpParser, ParseError } from "../../../driver/osdp/parser.ts";
import { buildFrame, FrameWriter } from "../../../driver/osdp/writer.ts";
import { withSeed } from "../../support/prng.ts";

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
}

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0").toUpperCase()).join(" ");
}

/** Feeds `bytes` and returns a snapshot of each frame found. */
function parseAll(p: OsdpParser, bytes: Uint8Array) {
  const out: {
    hex: string;
    address: number;
    reply: boolean;
    seq: number;
    code: number;
    data: string;
  }[] = [];
  for (let i = 0;;) {
    i = p.feed(bytes, i, bytes.length);
    if (!p.ready) break;
    out.push({
      hex: toHex(p.buf.slice(0, p.length)),
      address: p.address,
      reply: p.reply,
      seq: p.seq,
      code: p.code,
      data: toHex(p.buf.slice(p.dataOffset, p.dataOffset + p.dataLength)),
    });
  }
  return out;
}

Deno.test("osdp crc16 check value of 123456789 is 0xE5CC", () => {
  assert.equal(osdpCrc16(new TextEncoder().encode("123456789"), 0, 9), 0xe5cc);
});

Deno.test("osdp checksum is the two's complement of the byte sum", () => {
  const b = hex("53 E5 07 00 01 40");
  assert.equal(osdpChecksum(b, 0, b.length), 0x80);
});

Deno.test("osdp writer produces the issue's vectors", () => {
  const w = new FrameWriter();
  w.begin(0x65, 0, true).u8(0x60);
  w.finish();
  assert.equal(toHex(w.copy()), "53 65 08 00 04 60 60 90");
  w.begin(0x65, 0, true).u8(0x61).u8(0x00);
  w.finish();
  assert.equal(toHex(w.copy()), "53 65 09 00 04 61 00 D9 7A");
  assert.equal(
    toHex(buildFrame({ address: 0x65, reply: true, seq: 1, code: 0x41, data: [1] })),
    "53 E5 09 00 05 41 01 0E 8F",
  );
  assert.equal(
    toHex(buildFrame({ address: 0x65, reply: true, seq: 1, crc: false, code: 0x40 })),
    "53 E5 07 00 01 40 80",
  );
});

Deno.test("osdp parser decodes the issue's vectors", () => {
  const p = new OsdpParser();
  const frames = parseAll(
    p,
    hex(
      "FF FF 53 65 08 00 04 60 60 90 53 65 09 00 04 61 00 D9 7A 53 E5 09 00 05 41 01 0E 8F FF 53 E5 07 00 01 40 80",
    ),
  );
  assert.deepEqual(frames.map((f) => [f.address, f.reply, f.seq, f.code, f.data]), [
    [0x65, false, 0, 0x60, ""],
    [0x65, false, 0, 0x61, "00"],
    [0x65, true, 1, 0x41, "01"],
    [0x65, true, 1, 0x40, ""],
  ]);
  assert.equal(p.frames, 4);
  assert.equal(p.garbageBytes, 0);
  assert.equal(p.errors, 0);
});

Deno.test("osdp parser takes frames one byte at a time", () => {
  const p = new OsdpParser();
  const b = hex("53 65 09 00 04 61 00 D9 7A");
  let found = 0;
  for (let i = 0; i < b.length; i++) {
    const next = p.feed(b, i, i + 1);
    assert.equal(next, i + 1);
    if (p.ready) found++;
  }
  assert.equal(found, 1);
  assert.equal(p.code, 0x61);
});

Deno.test("osdp parser counts a bad CRC and finds the next frame", () => {
  const p = new OsdpParser();
  const frames = parseAll(p, hex("53 65 08 00 04 60 60 91 53 65 08 00 04 60 60 90"));
  assert.equal(frames.length, 1);
  assert.equal(p.checkErrors, 1);
  assert.equal(p.lastError, ParseError.CHECK);
});

Deno.test("osdp parser rejects lengths out of range and resynchronises", () => {
  const p = new OsdpParser(64);
  const frames = parseAll(p, hex("53 01 03 00 53 02 FF 7F 53 65 08 00 04 60 60 90"));
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.code, 0x60);
  assert.equal(p.lengthErrors, 2);
});

Deno.test("osdp parser recovers a frame swallowed by a fake header", () => {
  // 53 00 20 00 claims a 32-byte frame that swallows the real POLL and more.
  const p = new OsdpParser();
  const real = hex("53 65 08 00 04 60 60 90");
  const bytes = new Uint8Array(4 + real.length * 3 + 20);
  bytes.set(hex("53 00 20 00"), 0);
  bytes.set(real, 4);
  bytes.set(real, 4 + real.length);
  bytes.set(real, 4 + real.length * 2);
  const frames = parseAll(p, bytes);
  assert.equal(frames.length, 3);
  assert.equal(p.checkErrors, 1);
  assert.equal(p.garbageBytes, 20);
});

Deno.test("osdp parser locates security block, data and MAC", () => {
  const w = new FrameWriter();
  w.begin(0x05, 2, true, 0x17).u8(0x69).bytes(new Uint8Array(16).fill(0xaa));
  const n = w.finish({ sign: (b, end) => b.set([1, 2, 3, 4], end) });
  const p = new OsdpParser();
  assert.equal(p.feed(w.buf, 0, n), n);
  assert.ok(p.ready);
  assert.equal(p.scbType, 0x17);
  assert.equal(p.code, 0x69);
  assert.equal(p.dataOffset, 8);
  assert.equal(p.dataLength, 16);
  assert.equal(p.macOffset, 24);
  assert.deepEqual([...p.buf.slice(24, 28)], [1, 2, 3, 4]);
  assert.equal(p.seq, 2);
});

Deno.test("osdp parser reset drops a partial frame", () => {
  const p = new OsdpParser();
  const b = hex("53 65 08 00 04");
  p.feed(b, 0, b.length);
  assert.ok(p.busy);
  p.reset();
  assert.equal(p.truncated, 1);
  assert.equal(p.busy, false);
  assert.equal(MAX_FRAME, p.maxLength);
});

/** CRC-16/AUG-CCITT one bit at a time: the reference for the table-driven osdpCrc16. */
function crc16Bitwise(buf: Uint8Array, start: number, end: number): number {
  let crc = 0x1d0f;
  for (let i = start; i < end; i++) {
    crc ^= buf[i]! << 8;
    for (let b = 0; b < 8; b++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

Deno.test("osdpCrc16 equals the bit-serial CRC at every length (0-40) and offset", () =>
  withSeed(0x05d9, (rng) => {
    const buf = rng.bytes(new Uint8Array(64));
    for (let len = 0; len <= 40; len++) {
      for (let t = 0; t < 8; t++) {
        const s = rng.int(64 - len + 1);
        assert.equal(
          osdpCrc16(buf, s, s + len),
          crc16Bitwise(buf, s, s + len),
          `len ${len} at ${s}`,
        );
      }
    }
  }));
