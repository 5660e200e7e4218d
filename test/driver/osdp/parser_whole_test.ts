import assert from "node:assert/strict";
import { FrameWriter, OsdpParser } from "../../../driver/osdp/mod.ts";
import { withSeed } from "../../support/prng.ts";

/** Everything a parser reports: each frame's fields and bytes, then its counters. */
function trace(p: OsdpParser, src: Uint8Array, step: (i: number) => number): string[] {
  const out: string[] = [];
  for (let at = 0; at < src.length;) {
    const end = Math.min(src.length, at + step(at));
    for (let i = at;;) {
      i = p.feed(src, i, end);
      if (!p.ready) break;
      out.push(
        [p.address, p.reply, p.length, p.ctrl, p.scbType, p.code, p.dataOffset, p.dataLength]
          .join(" ") + ` | ${p.buf.subarray(0, p.length).join(",")}`,
      );
    }
    at = end;
  }
  out.push(
    `frames ${p.frames} check ${p.checkErrors} length ${p.lengthErrors} layout ${p.layoutErrors} ` +
      `garbage ${p.garbageBytes} last ${p.lastError} busy ${p.busy}`,
  );
  return out;
}

Deno.test("osdp parser whole frames in one buffer report exactly what byte-by-byte feeding does", async () => {
  await withSeed(0x0518, (rng) => {
    const w = new FrameWriter(256);
    const parts: number[] = [];
    for (let k = 0; k < 20_000; k++) {
      const g = rng.int(3) === 0 ? rng.int(6) : 0;
      for (let i = 0; i < g; i++) parts.push(rng.int(5) === 0 ? 0x53 : rng.int(256));
      const crc = rng.int(3) !== 0;
      const scb = rng.int(5) === 0 ? 0x11 + rng.int(8) : 0;
      w.begin(rng.int(0x100), rng.int(4), crc, scb, scb && rng.int(2) ? rng.int(256) : -1);
      w.u8(rng.int(256));
      const n = rng.int(20);
      for (let i = 0; i < n; i++) w.u8(rng.int(256));
      w.finish(
        scb >= 0x15 && scb <= 0x18 ? { sign: (b, end) => b.set([1, 2, 3, 4], end) } : undefined,
      );
      const f = Array.from(w.copy());
      const damage = rng.int(10);
      if (damage === 0) f[1 + rng.int(f.length - 1)]! ^= 1 + rng.int(255); // check or layout
      if (damage === 1) f[2] = rng.int(256); // length
      if (damage === 2) f.length = 1 + rng.int(f.length - 1); // cut short
      parts.push(...f);
    }
    const src = Uint8Array.from(parts);
    const whole = trace(new OsdpParser(256), src, () => src.length);
    const bytes = trace(new OsdpParser(256), src, () => 1);
    const chunks = trace(new OsdpParser(256), src, () => 1 + rng.int(40));
    assert.ok(whole.length > 10_000, `frames found: ${whole.length}`);
    assert.deepEqual(whole, bytes);
    assert.deepEqual(chunks, bytes);
  });
});

Deno.test("osdp parser literals match the named constants they stand for", async () => {
  const c = await import("../../../driver/osdp/constants.ts");
  const crc = await import("../../../driver/osdp/crc.ts");
  const parser = await import("../../../driver/osdp/parser.ts");
  assert.deepEqual(
    [c.SOM, c.MARK, c.CTRL_CRC, c.CTRL_SCB, c.CTRL_SEQ, c.REPLY_BIT],
    [0x53, 0xff, 0x04, 0x08, 0x03, 0x80],
  );
  assert.deepEqual([crc.OSDP_CRC_INIT, parser.MIN_FRAME], [0x1d0f, 7]);
});

Deno.test("osdp parser hands a whole frame on in place, a split one from its own buffer, buf copies", () => {
  const w = new FrameWriter(64);
  w.begin(0x85, 2, true).u8(0x50).bytes(Uint8Array.of(1, 2, 0x1a, 0, 0xde, 0xad, 0xbe, 0xef));
  w.finish();
  const frame = w.copy();
  const src = new Uint8Array(3 + frame.length + 2);
  src.set([0xff, 0x11, 0xff]);
  src.set(frame, 3);
  const p = new OsdpParser();
  assert.equal(p.feed(src, 0, src.length), 3 + frame.length);
  assert.ok(p.ready);
  assert.equal(p.frame, src, "whole frame: the view is the caller's array");
  assert.deepEqual([p.frameStart, p.dataOffset, p.dataLength, p.garbageBytes], [3, 6, 8, 1]);
  const d = p.frameStart + p.dataOffset;
  assert.deepEqual([...p.frame.subarray(d, d + 8)], [1, 2, 0x1a, 0, 0xde, 0xad, 0xbe, 0xef]);
  assert.deepEqual(p.buf.subarray(0, p.length), frame, "buf holds a copy of the same bytes");
  // The same frame in two feed calls: assembled in the parser's own buffer.
  const q = new OsdpParser();
  assert.equal(q.feed(frame, 0, 5), 5);
  assert.equal(q.ready, false);
  assert.equal(q.feed(frame, 5, frame.length), frame.length);
  assert.ok(q.ready);
  assert.notEqual(q.frame, frame);
  assert.equal(q.frame, q.buf);
  assert.deepEqual([q.frameStart, q.dataOffset, q.dataLength, q.code], [0, 6, 8, 0x50]);
  assert.deepEqual(q.frame.subarray(0, q.length), frame);
});

Deno.test("osdp parser rescans a frame failed in place from its own buffer, src untouched", () => {
  const w = new FrameWriter(64);
  w.begin(0x01, 1, true).u8(0x60);
  w.finish();
  const good = w.copy();
  // A bad-CRC frame whose data hides the good one: found by the rescan.
  w.begin(0x02, 1, true).u8(0x6a).bytes(good);
  w.finish();
  const bad = w.copy();
  bad[bad.length - 1]! ^= 0xff;
  const src = Uint8Array.from(bad);
  const p = new OsdpParser();
  const i = p.feed(src, 0, src.length);
  assert.ok(p.ready);
  assert.deepEqual([p.checkErrors, p.address, p.code, p.frameStart], [1, 1, 0x60, 0]);
  assert.deepEqual(p.frame.subarray(0, p.length), good);
  assert.notEqual(p.frame, src);
  assert.deepEqual(src, bad, "the caller's bytes are never written");
  assert.equal(i, src.length);
});
