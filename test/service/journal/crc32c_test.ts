import assert from "node:assert/strict";
import { crc32c, crc32cBytewise } from "../../../service/journal/crc32c.ts";
import { withSeed } from "../../support/prng.ts";

Deno.test("crc32c check value of 123456789 is 0xE3069283", () => {
  const data = new TextEncoder().encode("123456789");
  assert.deepEqual(crc32c(data), 0xe3069283);
  assert.deepEqual(crc32cBytewise(data), 0xe3069283);
});

Deno.test("crc32c known vectors (RFC 3720 B.4)", () => {
  assert.deepEqual(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.deepEqual(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  const inc = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.deepEqual(crc32c(inc), 0x46dd794e);
  assert.deepEqual(crc32c(new Uint8Array(0)), 0);
});

Deno.test("crc32c slice-by-8 equals bytewise and chains over splits", () =>
  withSeed(0xc0ffee, (rng) => {
    for (let t = 0; t < 200; t++) {
      const buf = rng.bytes(new Uint8Array(rng.int(300)));
      const s = rng.int(buf.length + 1);
      const e = s + rng.int(buf.length - s + 1);
      const whole = crc32cBytewise(buf, s, e);
      assert.deepEqual(crc32c(buf, s, e), whole);
      const m = s + rng.int(e - s + 1);
      assert.deepEqual(crc32c(buf, m, e, crc32c(buf, s, m)), whole);
    }
  }));
