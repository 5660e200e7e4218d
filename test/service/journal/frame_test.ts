import assert from "node:assert/strict";
import { crc32c } from "../../../service/journal/crc32c.ts";
import { FRAME_HEADER, frameSize, putFrame } from "../../../service/journal/frame.ts";

Deno.test("frame stamp: seq in two little-endian u32 halves, CRC over seq and payload, any safe seq", () => {
  const payload = new Uint8Array([1, 2, 3, 4, 5]);
  for (const seq of [1, 0xffffffff, 2 ** 32, 2 ** 33 + 5, Number.MAX_SAFE_INTEGER]) {
    const buf = new Uint8Array(frameSize(payload.length));
    const dv = new DataView(buf.buffer);
    assert.deepEqual(putFrame(buf, dv, 0, seq, payload), buf.length);
    const lo = dv.getUint32(8, true);
    const hi = dv.getUint32(12, true);
    assert.deepEqual(
      [hi * 2 ** 32 + lo, dv.getUint32(0, true)],
      [seq, payload.length],
      `seq ${seq}`,
    );
    assert.deepEqual([lo, hi], [seq % 2 ** 32, Math.floor(seq / 2 ** 32)]);
    assert.deepEqual(dv.getUint32(4, true), crc32c(buf, 8, buf.length));
    assert.deepEqual([...buf.subarray(FRAME_HEADER)], [...payload]);
  }
});
