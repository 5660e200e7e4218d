import assert from "node:assert/strict";
import {
  decodeKeypadBurst,
  keyLabel,
  KEYPAD_BAD_CHECK,
  KEYPAD_NOT_KEY,
  keypadByte,
  PinEntry,
  PinStep,
  readLineEvent,
  WiegandPulseGenerator,
} from "../../../driver/wiegand/mod.ts";

const bitsOf = (s: string) => Uint8Array.from(s, (c) => (c === "1" ? 1 : 0));

Deno.test("wiegand keypad bursts: 4-bit codes, 8-bit complement check", () => {
  for (let code = 0; code < 16; code++) {
    const four = code.toString(2).padStart(4, "0");
    assert.deepEqual(decodeKeypadBurst(bitsOf(four), 4), code);
    const eight = keypadByte(code).toString(2).padStart(8, "0");
    assert.deepEqual(decodeKeypadBurst(bitsOf(eight), 8), code);
    // any single flipped bit of an 8-bit burst fails the check
    for (let i = 0; i < 8; i++) {
      const b = bitsOf(eight);
      b[i]! ^= 1;
      assert.deepEqual(decodeKeypadBurst(b, 8), KEYPAD_BAD_CHECK);
    }
  }
  assert.deepEqual(keypadByte(5), 0xa5);
  assert.deepEqual(decodeKeypadBurst(bitsOf("101"), 3), KEYPAD_NOT_KEY);
  assert.deepEqual([keyLabel(10), keyLabel(11), keyLabel(7), keyLabel(13)], ["*", "#", "7", "D"]);
  assert.deepEqual([keyLabel(14, { star: 14 }), keyLabel(10, { star: 14 })], ["*", "A"]);
});

Deno.test("wiegand PIN entry: max length, # with nothing, timeout boundary", () => {
  const p = new PinEntry({ pinMaxLength: 3, pinTimeoutMs: 1000 });
  assert.deepEqual(p.key(11, 0, 0), PinStep.none);
  assert.deepEqual([p.key(1, 0, 0), p.key(2, 0, 0), p.key(3, 0, 0), p.key(4, 0, 0)], [
    PinStep.digit,
    PinStep.digit,
    PinStep.digit,
    PinStep.tooLong,
  ]);
  assert.deepEqual(p.tick(0, 999_999_999), PinStep.none);
  assert.deepEqual(p.tick(1, 0), PinStep.timedOut);
  assert.deepEqual(p.take(), "123");
  assert.deepEqual(p.pending, false);
  const d = new PinEntry({ onTimeout: "discard", pinTimeoutMs: 100 });
  d.key(9, 5, 0);
  assert.deepEqual(d.tick(5, 100_000_000), PinStep.discarded);
  assert.deepEqual(d.length, 0);
});

Deno.test("wiegand simulator: same seed same bytes, pulse shape as configured", () => {
  const make = (seed: number) =>
    new WiegandPulseGenerator({ seed, jitterUs: 20, glitchRate: 0.2, noiseRate: 0.1 }).card(
      "h10301",
      1,
      2,
    ).eventBytes();
  assert.deepEqual(make(5), make(5));
  assert.deepEqual(
    make(5).length === make(6).length && make(5).every((b, i) => b === make(6)[i]),
    false,
  );
  const gen = new WiegandPulseGenerator({
    pulseUs: 80,
    intervalUs: 1500,
    startNs: 7_000_000_000n,
    d0Offset: 9,
    d1Offset: 12,
  });
  const bytes = gen.frame("10").eventBytes();
  const ev = [0, 1, 2, 3].map((i) => readLineEvent(bytes, i * 48));
  assert.deepEqual(ev.map((e) => [e.timestampNs, e.id, e.offset, e.seqno, e.lineSeqno]), [
    [7_000_000_000n, 2, 12, 1, 1],
    [7_000_080_000n, 1, 12, 2, 2],
    [7_001_500_000n, 2, 9, 3, 1],
    [7_001_580_000n, 1, 9, 4, 2],
  ]);
  assert.deepEqual(gen.nowNs, 7_003_000_000n + 50_000_000n);
});
