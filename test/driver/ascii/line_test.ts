import assert from "node:assert/strict";
import { decodeLineCapture, LineDecoder } from "../../../driver/ascii/mod.ts";
import { formatTag } from "../../../driver/tag.ts";
import { withSeed } from "../../support/prng.ts";

function lines(dec: LineDecoder, text: string): string[] {
  const out: string[] = [];
  for (const b of new TextEncoder().encode(text)) {
    if (dec.push(b)) out.push(formatTag(dec.read, "hex") + "/" + formatTag(dec.read, "dec"));
  }
  return out;
}

Deno.test("line decoder reads decimal codes with any line ending", () => {
  const dec = new LineDecoder();
  assert.deepEqual(lines(dec, "3887558\r\n12\n\n4294967296\r"), [
    "003B51C6/3887558",
    "0000000C/12",
    "0100000000/4294967296",
  ]);
  assert.equal(dec.counters.frames, 3);
});

Deno.test("line decoder reads hex codes and keeps their length", () => {
  const dec = new LineDecoder("auto");
  assert.deepEqual(lines(dec, "04A3C6CAE26180\r\n0a1\n"), [
    "04A3C6CAE26180/1305974109528448",
    "00A1/161",
  ]);
  const hex = new LineDecoder("hex");
  assert.deepEqual(lines(hex, "1234\n"), ["1234/4660"]);
});

Deno.test("line decoder drops bad lines with a counted error", () => {
  const dec = new LineDecoder("dec");
  assert.deepEqual(lines(dec, "12AB\nhello\n" + "9".repeat(41) + "\n77\n"), ["0000004D/77"]);
  assert.equal(dec.counters.framingErrors, 3);
  assert.equal(dec.counters.lastError, "too-long");
  // 40 nines do not fit in 16 bytes (> 2^128): overflow, not a wrong number.
  assert.deepEqual(lines(dec, "9".repeat(40) + "\n"), []);
  assert.equal(dec.counters.lastError, "overflow");
});

Deno.test("line capture decode for the cli", () => {
  const out = decodeLineCapture("3887558");
  assert.equal(out.ok, true);
  assert.deepEqual((out.tags as Record<string, string>).dec10, "0003887558");
  assert.equal(decodeLineCapture("").ok, false);
});

Deno.test("line fuzz: random bytes never throw and valid lines after noise are found", async () => {
  await withSeed(0x11e, (rng) => {
    const dec = new LineDecoder();
    const noise = rng.bytes(new Uint8Array(200_000));
    for (const b of noise) dec.push(b);
    assert.deepEqual(lines(dec, "\n123\n"), ["0000007B/123"]);
  });
});
