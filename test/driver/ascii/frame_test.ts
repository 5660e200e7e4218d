import assert from "node:assert/strict";
import {
  AsciiFrameDecoder,
  decodeAsciiCapture,
  encodeAsciiFrame,
} from "../../../driver/ascii/mod.ts";
import { formatTag } from "../../../driver/tag.ts";
import { withSeed } from "../../support/prng.ts";

function decodeAll(dec: AsciiFrameDecoder, bytes: Uint8Array): string[] {
  const ids: string[] = [];
  for (const b of bytes) if (dec.push(b)) ids.push(formatTag(dec.read, "hex"));
  return ids;
}

const frame = (s: string) => Uint8Array.from([0x02, ...new TextEncoder().encode(s), 0x03]);

Deno.test("ascii decoder reads the documented example frame", () => {
  const dec = new AsciiFrameDecoder();
  assert.deepEqual(decodeAll(dec, frame("67003B51C6CB")), ["67003B51C6"]);
  assert.equal(dec.read.byteLength, 5);
  assert.equal(dec.read.format, "em4100");
  assert.equal(formatTag(dec.read, "dec10"), "0003887558");
  assert.equal(dec.counters.frames, 1);
});

Deno.test("ascii decoder accepts CR LF before ETX and lowercase hex", () => {
  const dec = new AsciiFrameDecoder();
  assert.deepEqual(decodeAll(dec, frame("67003b51c6cb\r\n")), ["67003B51C6"]);
  assert.deepEqual(decodeAll(dec, encodeAsciiFrame(0x0102030405n, { crlf: true })), [
    "0102030405",
  ]);
});

Deno.test("ascii decoder counts a bad checksum and emits nothing", () => {
  const dec = new AsciiFrameDecoder();
  assert.deepEqual(decodeAll(dec, frame("67003B51C6CA")), []);
  assert.equal(dec.counters.checksumErrors, 1);
  assert.equal(dec.counters.lastError, "checksum");
  assert.deepEqual(decodeAll(dec, encodeAsciiFrame(0x67003b51c6n)), ["67003B51C6"]);
});

Deno.test("ascii decoder resynchronises on garbage, truncated frames and bad digits", () => {
  const dec = new AsciiFrameDecoder();
  const good = encodeAsciiFrame(0x1122334455n);
  const stream = Uint8Array.from([
    0xff,
    0x41,
    ...frame("6700").subarray(0, 5), // truncated: STX + 4 digits, no end
    ...good, // a new STX restarts the frame
    0x02,
    0x5a, // bad digit
    ...good,
    0x03,
    0x03,
  ]);
  assert.deepEqual(decodeAll(dec, stream), ["1122334455", "1122334455"]);
  assert.equal(dec.counters.framingErrors, 2);
});

Deno.test("ascii decoder counts each framing error where the digits split into words", () => {
  // [bytes, the error counted]: a bad byte at each position around the 6th and 12th digits.
  const cases: [string, string][] = [
    ["67003BZ", "bad-digit"], // after the 6th digit (the first word complete)
    ["67003\x03", "bad-digit"], // ETX after 5 digits
    ["67003B\x03", "bad-digit"], // ETX after 6
    ["67003B51C6C\x03", "bad-digit"], // ETX after 11
    ["67003B51C6CB7", "bad-tail"], // a 13th digit
    ["67003B51C6CB\r\n\r", "bad-tail"], // a third CR/LF byte
    ["67003B51C6CB\x02", "bad-tail"], // STX before ETX
  ];
  for (const [body, error] of cases) {
    const dec = new AsciiFrameDecoder();
    const bytes = Uint8Array.from([0x02, ...[...body].map((c) => c.charCodeAt(0))]);
    assert.deepEqual(decodeAll(dec, bytes), [], body);
    assert.equal(dec.counters.framingErrors, 1, body);
    assert.equal(dec.counters.lastError, error, body);
    // The decoder is back to hunting (or, after an STX, inside a new frame): a frame still reads.
    const next = body.endsWith("\x02") ? frame("67003B51C6CB").subarray(1) : frame("67003B51C6CB");
    assert.deepEqual(decodeAll(dec, next), ["67003B51C6"], body);
  }
});

Deno.test("ascii decoder handles frames split byte by byte and back to back", () => {
  const dec = new AsciiFrameDecoder();
  const ids = [0x0000000001n, 0xffffffffffn, 0x67003b51c6n];
  const all = new Uint8Array(ids.flatMap((id) => [...encodeAsciiFrame(id, { crlf: true })]));
  const got: string[] = [];
  for (let i = 0; i < all.length; i++) got.push(...decodeAll(dec, all.subarray(i, i + 1)));
  assert.deepEqual(got, ["0000000001", "FFFFFFFFFF", "67003B51C6"]);
});

Deno.test("ascii capture decode for the cli gives fields and every tag format", () => {
  const out = decodeAsciiCapture("67003B51C6CB");
  assert.equal(out.ok, true);
  assert.equal(out.id, "67003B51C6");
  assert.equal(out.cardNumber, 3887558);
  assert.deepEqual(out.tags, {
    dec10: "0003887558",
    dec: String(0x67003b51c6),
    hex: "67003B51C6",
    "hex-reversed": "C6513B0067",
    "fc-cn": "059,20934",
  });
  assert.equal(decodeAsciiCapture("02 36 37 30 30 33 42 35 31 43 36 43 42 03").id, "67003B51C6");
  assert.equal(decodeAsciiCapture("67003B51C6CC").ok, false);
  assert.equal(decodeAsciiCapture("zz").ok, false);
});

Deno.test("ascii fuzz: 10^6 random bytes never throw; embedded frames are all found", async () => {
  await withSeed(0xa5c11, (rng) => {
    const dec = new AsciiFrameDecoder();
    const noise = new Uint8Array(1_000_000);
    rng.bytes(noise);
    for (const b of noise) dec.push(b);
    // Valid frames between noise: every one found, in order. Noise before a
    // frame may open a frame that the frame's own STX then restarts, and the
    // noise after it never contains STX/ETX, so frames are never swallowed.
    const want: string[] = [];
    const stream: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const len = rng.int(40);
      for (let j = 0; j < len; j++) stream.push(rng.nextU32() & 0xff);
      const id = BigInt(rng.nextU32()) * 256n + BigInt(rng.int(256));
      want.push(id.toString(16).toUpperCase().padStart(10, "0"));
      stream.push(...encodeAsciiFrame(id, { crlf: rng.int(2) === 1 }));
    }
    dec.reset();
    assert.deepEqual(decodeAll(dec, Uint8Array.from(stream)), want);
  });
});
