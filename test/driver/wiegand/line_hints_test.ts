import assert from "node:assert/strict";
import {
  encodeWiegand,
  type MonotonicClock,
  wiegandConfigDefaults,
  WiegandDrop,
  WiegandLineHints,
  WiegandReader,
  type WiegandReaderConfig,
} from "../../../driver/wiegand/mod.ts";
import { LineDriver } from "./line_driver.ts";
import { framePulses } from "./noise_cases.ts";
import { Prng } from "../../support/prng.ts";

const US = 1000;
const MS = 1_000_000;

/** A reader whose clock is the line driver's clock. */
function setup(overrides: Partial<WiegandReaderConfig> = {}) {
  const on: { line?: LineDriver } = {};
  const clock: MonotonicClock = (out) => {
    const t = on.line!.clock;
    out[0] = Math.floor(t / 1e9);
    out[1] = t - out[0] * 1e9;
  };
  const cards: string[] = [];
  const raised: string[] = [];
  const reader = new WiegandReader(wiegandConfigDefaults(0, 1, overrides), (e) => {
    if (e.kind === "card") cards.push(e.tag);
    if (e.kind === "hint") raised.push(`${e.code}: ${e.message}`);
  }, { clock });
  const line = on.line = new LineDriver(reader);
  const codes = () => reader.lineReport().hints.map((h) => h.code);
  return { reader, line, cards, codes, raised };
}

Deno.test("wiegand hints: 5 lone pulses within a minute raise the noise hint; 10 quiet minutes clear it", () => {
  const { reader, line, codes, raised } = setup();
  for (let i = 0; i < 4; i++) {
    line.play([{ line: i & 1, at: line.clock + 10_000 * MS, width: 60 * US }]);
    line.idle(100);
  }
  assert.deepEqual(codes(), []);
  line.play([{ line: 0, at: line.clock + 10_000 * MS, width: 60 * US }]);
  line.idle(100);
  const [hint] = reader.lineReport().hints;
  assert.deepEqual([hint?.code, hint?.count], ["noise", 5]);
  assert.match(hint!.message, /common ground between reader and controller.*shield/);
  assert.deepEqual(reader.lineReport().lastUnknownLengths, [1, 1, 1, 1, 1]);
  assert.deepEqual(reader.lineReport().unknownLengths, { "1": 5 });
  assert.deepEqual(raised, [`noise: ${hint!.message}`]);
  line.idle(9 * 60_000);
  assert.deepEqual(codes(), ["noise"]);
  line.idle(60_000);
  assert.deepEqual(codes(), []);
  // One more pulse after the quiet period does not bring it back.
  line.play([{ line: 1, at: line.clock + 1000 * MS, width: 60 * US }]);
  line.idle(100);
  assert.deepEqual(codes(), []);
});

Deno.test("wiegand hints: 5 occurrences spread over more than a minute raise nothing", () => {
  const { line, codes } = setup();
  for (let i = 0; i < 10; i++) {
    line.play([{ line: 0, at: line.clock + 16_000 * MS, width: 5 * US }]); // a glitch every 16 s
  }
  line.idle(100);
  assert.deepEqual(codes(), []);
});

Deno.test("wiegand hints: one unknown length repeating names rawLengths; mixed lengths do not", () => {
  const rng = new Prng(0x22_0002);
  const { reader, line, codes, raised } = setup();
  const frame = (n: number) => {
    const bits = new Uint8Array(n).map(() => rng.int(2));
    line.play(framePulses(rng, bits, line.clock + 1000 * MS, 2000 * US));
    line.idle(100);
  };
  for (const n of [30, 31, 32, 33, 36, 38]) frame(n);
  assert.deepEqual(codes(), []);
  for (let i = 0; i < 5; i++) frame(32);
  const hints = reader.lineReport().hints;
  assert.deepEqual(hints.map((h) => [h.code, h.bits]), [["unknown-length", 32]]);
  assert.match(hints[0]!.message, /32-bit frames have no format.*add 32 to rawLengths/);
  assert.deepEqual(reader.lineReport().lastUnknownLengths, [32, 32, 32, 32, 32]);
  assert.deepEqual(raised, [`unknown-length: ${hints[0]!.message}`]);
  assert.deepEqual(reader.lineReport().drops["unknown-length"], 11);
});

Deno.test("wiegand hints: parity errors on one length, both lines low, a too-fast reader", () => {
  const rng = new Prng(0x22_0003);
  const { reader, line, codes, cards } = setup();
  for (let i = 0; i < 5; i++) {
    const bits = encodeWiegand("h10304", 1, i);
    bits[3]! ^= 1;
    line.play(framePulses(rng, bits, line.clock + 1000 * MS, 2000 * US));
    line.idle(100);
  }
  const parity = reader.lineReport().hints;
  assert.deepEqual(parity.map((h) => [h.code, h.bits]), [["parity-one-length", 37]]);
  assert.match(parity[0]!.message, /cli decode wiegand/);
  for (let i = 0; i < 5; i++) {
    const t = line.clock + 1000 * MS;
    line.play([{ line: 0, at: t, width: 300 * US }, { line: 1, at: t + 10 * US, width: 300 * US }]);
    line.idle(100);
  }
  for (let i = 0; i < 5; i++) {
    line.play(framePulses(rng, encodeWiegand("h10301", 1, i), line.clock + 1000 * MS, 150 * US));
    line.idle(100);
  }
  assert.deepEqual(codes(), ["both-low", "too-fast", "parity-one-length"]);
  const msgs = reader.lineReport().hints.map((h) => h.message).join("\n");
  assert.match(msgs, /lines shorted, pull-ups missing or the reader unpowered/);
  assert.match(msgs, /faster than the SIA timing; set spacingMinUs/);
  assert.deepEqual(cards, []);
  const d = reader.lineReport().drops;
  assert.deepEqual([d.parity, d["both-low"], d["spacing-too-short"]], [5, 5, 5]);
});

Deno.test("wiegand hint tracker: threshold, window and quiet period are options", () => {
  const h = new WiegandLineHints({ threshold: 2, windowMs: 1000, quietMs: 5000 });
  h.drop(WiegandDrop.bothLow, 0, 10, 0);
  assert.deepEqual(h.active(10_000), []);
  h.drop(WiegandDrop.bothLow, 0, 11, 500_000_000); // 1.5 s later: outside the window
  assert.deepEqual(h.active(11_500), []);
  h.drop(WiegandDrop.bothLow, 0, 12, 0);
  assert.deepEqual(h.active(12_000).map((v) => [v.code, v.count]), [["both-low", 2]]);
  assert.deepEqual(h.active(16_999).length, 1);
  assert.deepEqual(h.active(17_000), []);
  // Drops that no hint explains are ignored.
  h.drop(WiegandDrop.tooManyBits, 129, 20, 0);
  h.drop(WiegandDrop.tooManyBits, 129, 20, 1);
  assert.deepEqual(h.active(20_000), []);
});

Deno.test("wiegand hint tracker: a per-length hint is kept alive only by its own length", () => {
  const h = new WiegandLineHints();
  for (let i = 0; i < 5; i++) h.drop(WiegandDrop.unknownLength, 32, 100 + i, 0);
  assert.deepEqual(h.active(105_000).map((v) => [v.code, v.bits, v.count]), [[
    "unknown-length",
    32,
    5,
  ]]);
  // 40-bit frames keep coming for 11 minutes: the 32-bit hint clears, then 40 bits is named.
  for (let s = 110; s < 110 + 660; s += 10) h.drop(WiegandDrop.unknownLength, 40, s, 0);
  assert.deepEqual(h.active(770_000).map((v) => [v.code, v.bits]), [["unknown-length", 40]]);
});
