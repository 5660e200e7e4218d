import assert from "node:assert/strict";
import { FrameWriter, osdpChecksum, osdpCrc16, OsdpParser } from "../../../driver/osdp/mod.ts";
import { type Prng, withSeed } from "../../support/prng.ts";

/** True when the parser's current frame carries a correct check and a consistent layout. */
function frameIsValid(p: OsdpParser): boolean {
  const b = p.buf;
  const len = p.length;
  const checkOk = p.crc
    ? osdpCrc16(b, 0, len - 2) === (b[len - 2]! | (b[len - 1]! << 8))
    : osdpChecksum(b, 0, len - 1) === b[len - 1];
  const end = p.dataOffset + p.dataLength + (p.macOffset >= 0 ? 4 : 0) + (p.crc ? 2 : 1);
  return checkOk && b[0] === 0x53 && (b[2]! | (b[3]! << 8)) === len && end === len;
}

function randomFrame(rng: Prng, w: FrameWriter): Uint8Array {
  const crc = rng.int(2) === 0;
  const scb = rng.int(4) === 0 ? 0x15 + rng.int(4) : 0;
  w.begin(rng.int(0x100), rng.int(4), crc, scb, scb && rng.int(2) ? rng.int(256) : -1);
  w.u8(rng.int(256));
  const n = rng.int(33);
  for (let i = 0; i < n; i++) w.u8(rng.int(256));
  w.finish(scb ? { sign: (b, end) => b.set([rng.int(256), 1, 2, 3], end) } : undefined);
  return w.copy();
}

Deno.test("osdp parser fuzz: 100,000 random chunks never break it", async () => {
  await withSeed(0x05dcf022, (rng) => {
    const p = new OsdpParser(256);
    const chunk = new Uint8Array(64);
    let reported = 0;
    for (let round = 0; round < 100_000; round++) {
      const n = 1 + rng.int(64);
      for (let i = 0; i < n; i++) chunk[i] = rng.int(8) === 0 ? 0x53 : rng.int(256);
      for (let i = 0;;) {
        i = p.feed(chunk, i, n);
        if (!p.ready) break;
        reported++;
        assert.ok(frameIsValid(p), "reported frame is valid");
      }
    }
    assert.equal(p.frames, reported);
    assert.ok(p.lengthErrors + p.checkErrors > 10_000, "errors are counted");
  });
});

Deno.test("osdp parser fuzz: 100,000 frames among garbage and corruption are recovered", async () => {
  await withSeed(0x0b5e55ed, (rng) => {
    const w = new FrameWriter(256);
    const p = new OsdpParser(256);
    const intact: string[] = [];
    const parts: Uint8Array[] = [];
    let corrupted = 0;
    for (let k = 0; k < 100_000; k++) {
      const g = rng.int(4) === 0 ? rng.int(12) : 0; // garbage, SOM bytes included
      const garbage = new Uint8Array(g);
      for (let i = 0; i < g; i++) garbage[i] = rng.int(6) === 0 ? 0x53 : rng.int(256);
      parts.push(garbage);
      const f = randomFrame(rng, w);
      if (rng.int(20) === 0) {
        const at = 1 + rng.int(f.length - 1);
        f[at] = f[at]! ^ (1 + rng.int(255));
        corrupted++;
      } else {
        intact.push(Array.from(f).join(","));
      }
      parts.push(f);
    }
    parts.push(new Uint8Array(256)); // flush any open fake header
    const found: string[] = [];
    for (const part of parts) {
      // deliver in random splits
      for (let at = 0; at < part.length;) {
        const end = Math.min(part.length, at + 1 + rng.int(16));
        for (let i = at;;) {
          i = p.feed(part, i, end);
          if (!p.ready) break;
          assert.ok(frameIsValid(p));
          found.push(Array.from(p.buf.subarray(0, p.length)).join(","));
        }
        at = end;
      }
    }
    // every intact frame, in order, as a subsequence of what was found
    let j = 0;
    let missed = 0;
    for (const f of intact) {
      const at = found.indexOf(f, j);
      if (at < 0) missed++;
      else j = at + 1;
    }
    const spurious = found.length - (intact.length - missed);
    assert.ok(missed <= intact.length / 1000, `missed ${missed} of ${intact.length}`);
    assert.ok(spurious <= intact.length / 1000, `spurious ${spurious}`);
    assert.ok(p.checkErrors + p.lengthErrors + p.layoutErrors >= corrupted / 2);
  });
});
