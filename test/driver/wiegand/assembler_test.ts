import assert from "node:assert/strict";
import {
  type AssemblerCounters,
  bitsToString,
  encodeWiegand,
  type FrameSink,
  WiegandAssembler,
  WiegandDrop,
  WiegandFault,
  WiegandPulseGenerator,
  type WiegandTiming,
} from "../../../driver/wiegand/mod.ts";

/** A sink that records frames as bit strings and faults as codes. */
class Recorder implements FrameSink {
  frames: string[] = [];
  faults: number[] = [];
  frame(bits: Uint8Array, count: number): void {
    this.frames.push(bitsToString(bits, count));
  }
  fault(code: number): void {
    this.faults.push(code);
  }
}

function setup(timing: WiegandTiming = {}): { rec: Recorder; asm: WiegandAssembler } {
  const rec = new Recorder();
  return { rec, asm: new WiegandAssembler(rec, timing) };
}

function count(asm: WiegandAssembler, c: keyof AssemblerCounters): number {
  return asm.counters[c];
}

const US = 1000;
const MS = 1_000_000;

/** Pulse on `line` at `t` ns of `w` ns. */
function pulse(asm: WiegandAssembler, line: number, t: number, w: number): void {
  asm.edgeNs(line, false, t);
  asm.edgeNs(line, true, t + w);
}

Deno.test("wiegand assembler delivers the simulator's h10301 frame bit for bit", () => {
  const { rec, asm } = setup();
  const gen = new WiegandPulseGenerator();
  gen.card("h10301", 90, 324).card("h10301", 1, 1);
  gen.feed(asm);
  asm.tickNs(Number(gen.nowNs));
  assert.deepEqual(rec.frames, [
    "00101101000000001010001000",
    bitsToString(encodeWiegand("h10301", 1, 1)),
  ]);
  assert.deepEqual([count(asm, "frames"), count(asm, "bits"), count(asm, "glitches")], [2, 52, 0]);
});

Deno.test("wiegand assembler ends a frame exactly at the gap, by tick or by the next edge", () => {
  const { rec, asm } = setup({ frameGapUs: 25_000 });
  pulse(asm, 1, 0, 50 * US);
  pulse(asm, 0, 2 * MS, 50 * US);
  const end = 2 * MS + 50 * US;
  asm.tickNs(end + 25 * MS - 1);
  assert.deepEqual(rec.frames, []);
  assert.deepEqual(asm.busy, true);
  asm.tickNs(end + 25 * MS);
  assert.deepEqual(rec.frames, ["10"]);
  assert.deepEqual(asm.busy, false);
  // No tick: the next frame's first falling edge ends the previous frame.
  pulse(asm, 0, 100 * MS, 50 * US);
  pulse(asm, 0, 200 * MS, 50 * US);
  assert.deepEqual(rec.frames, ["10", "0"]);
  // A pulse just under the gap after the last one still belongs to the frame.
  const { rec: r2, asm: a2 } = setup({ frameGapUs: 25_000, spacingMaxUs: 30_000 });
  pulse(a2, 1, 0, 50 * US);
  pulse(a2, 1, 25 * MS + 49 * US, 50 * US);
  a2.tickNs(1000 * MS);
  assert.deepEqual(r2.frames, ["11"]);
});

Deno.test("wiegand assembler pulse width window edges: 20 µs in, below is a glitch, over 200 µs spoils", () => {
  const { rec, asm } = setup();
  pulse(asm, 1, 0, 20 * US); // exactly the minimum: a bit
  pulse(asm, 0, 2 * MS, 20 * US - 1); // 1 ns short: glitch
  pulse(asm, 0, 4 * MS, 200 * US); // exactly the maximum: a bit
  asm.tickNs(100 * MS);
  assert.deepEqual(rec.frames, ["10"]);
  assert.deepEqual(count(asm, "glitches"), 1);
  pulse(asm, 1, 200 * MS, 50 * US);
  pulse(asm, 1, 202 * MS, 200 * US + 1); // 1 ns long: the frame is spoilt
  pulse(asm, 1, 204 * MS, 50 * US);
  asm.tickNs(300 * MS);
  assert.deepEqual(rec.frames, ["10"]);
  assert.deepEqual([count(asm, "timingErrors"), count(asm, "discarded")], [1, 1]);
});

Deno.test("wiegand assembler spacing window: too close or too far spoils the frame", () => {
  const { rec, asm } = setup();
  pulse(asm, 1, 0, 50 * US);
  pulse(asm, 0, 200 * US, 50 * US); // exactly 200 µs after the previous start: fine
  pulse(asm, 1, 400 * US, 50 * US);
  asm.tickNs(50 * MS);
  assert.deepEqual(rec.frames, ["101"]);
  pulse(asm, 1, 60 * MS, 50 * US);
  pulse(asm, 0, 60 * MS + 199 * US, 50 * US); // 199 µs after the previous start: spoils
  pulse(asm, 0, 60 * MS + 400 * US, 50 * US);
  asm.tickNs(100 * MS);
  assert.deepEqual(rec.frames, ["101"]);
  assert.deepEqual([count(asm, "glitches"), count(asm, "timingErrors")], [0, 1]);
  assert.deepEqual(asm.drops[WiegandDrop.spacingTooShort], 1);
  pulse(asm, 1, 100 * MS, 50 * US);
  pulse(asm, 1, 120 * MS + 1, 50 * US); // 20 ms + 1 ns: spoils (gap is 25 ms)
  asm.tickNs(200 * MS);
  assert.deepEqual(rec.frames, ["101"]);
  assert.deepEqual([count(asm, "timingErrors"), count(asm, "discarded")], [2, 2]);
  assert.deepEqual(asm.drops[WiegandDrop.spacingTooLong], 1);
  pulse(asm, 1, 300 * MS, 50 * US);
  pulse(asm, 0, 320 * MS, 50 * US); // exactly 20 ms: fine
  asm.tickNs(400 * MS);
  assert.deepEqual(rec.frames, ["101", "10"]);
});

Deno.test("wiegand assembler rejects glitches between bits and still reads the card", () => {
  const { rec, asm } = setup();
  const gen = new WiegandPulseGenerator({ glitchRate: 1, seed: 42 });
  gen.card("c1000-48", 12345, 678901);
  gen.feed(asm);
  asm.tickNs(Number(gen.nowNs));
  assert.deepEqual(rec.frames, [bitsToString(encodeWiegand("c1000-48", 12345, 678901))]);
  assert.deepEqual(count(asm, "glitches"), 47);
});

Deno.test("wiegand assembler tolerates jitter within the windows", () => {
  const { rec, asm } = setup();
  const gen = new WiegandPulseGenerator({ pulseUs: 100, jitterUs: 60, intervalUs: 1000, seed: 9 });
  const want: string[] = [];
  for (let i = 0; i < 50; i++) {
    gen.card("h10306", i * 1000, 65535 - i);
    want.push(bitsToString(encodeWiegand("h10306", i * 1000, 65535 - i)));
  }
  gen.feed(asm);
  asm.tickNs(Number(gen.nowNs));
  assert.deepEqual(rec.frames, want);
  assert.deepEqual(count(asm, "glitches") + count(asm, "timingErrors"), 0);
});

Deno.test("wiegand assembler reports both lines low as a fault and drops the frame", () => {
  const { rec, asm } = setup();
  pulse(asm, 1, 0, 50 * US);
  asm.edgeNs(0, false, 2 * MS);
  asm.edgeNs(1, false, 2 * MS + 10 * US); // both low
  assert.deepEqual(rec.faults, [WiegandFault.bothLow]);
  assert.deepEqual(asm.fault, WiegandFault.bothLow);
  asm.edgeNs(0, true, 2 * MS + 60 * US);
  asm.edgeNs(1, true, 2 * MS + 70 * US); // both high again
  assert.deepEqual(rec.faults, [WiegandFault.bothLow, WiegandFault.none]);
  asm.tickNs(100 * MS);
  assert.deepEqual(rec.frames, []);
  assert.deepEqual([count(asm, "faults"), count(asm, "discarded")], [1, 1]);
  // The simulator's both-low burst does the same, and the next card reads fine.
  const gen = new WiegandPulseGenerator({ startNs: 1_000_000_000n });
  gen.bothLow(500).card("h10301", 7, 7);
  gen.feed(asm);
  asm.tickNs(Number(gen.nowNs));
  assert.deepEqual(rec.frames, [bitsToString(encodeWiegand("h10301", 7, 7))]);
  assert.deepEqual(count(asm, "faults"), 2);
});

Deno.test("wiegand assembler reports a line held low once, then recovers", () => {
  const { rec, asm } = setup();
  asm.edgeNs(0, false, 0);
  asm.tickNs(24 * MS);
  assert.deepEqual(rec.faults, []);
  assert.deepEqual(asm.needsTick, true);
  asm.tickNs(25 * MS);
  asm.tickNs(500 * MS);
  assert.deepEqual(rec.faults, [WiegandFault.stuckLow]);
  asm.edgeNs(0, true, 600 * MS);
  assert.deepEqual(rec.faults, [WiegandFault.stuckLow, WiegandFault.none]);
  assert.deepEqual(asm.needsTick, false);
  pulse(asm, 1, 700 * MS, 50 * US);
  asm.tickNs(800 * MS);
  assert.deepEqual(rec.frames, ["1"]);
  assert.deepEqual(count(asm, "glitches"), 0);
});

Deno.test("wiegand assembler takes 128 bits, drops 129", () => {
  const { rec, asm } = setup();
  const gen = new WiegandPulseGenerator({ intervalUs: 500 });
  const b128 = Array.from({ length: 128 }, (_, i) => (i * 7) % 3 === 0 ? "1" : "0").join("");
  gen.frame(b128).frame(b128 + "1");
  gen.feed(asm);
  asm.tickNs(Number(gen.nowNs));
  assert.deepEqual(rec.frames, [b128]);
  assert.deepEqual([count(asm, "overflows"), count(asm, "discarded")], [1, 1]);
});

Deno.test("wiegand assembler ignores a rising edge without a falling one", () => {
  const { rec, asm } = setup();
  asm.edgeNs(1, true, 0);
  pulse(asm, 0, 1 * MS, 50 * US);
  asm.edgeNs(0, true, 1 * MS + 80 * US); // bounce after the pulse ended
  pulse(asm, 1, 3 * MS, 50 * US);
  asm.tickNs(100 * MS);
  assert.deepEqual(rec.frames, ["01"]);
});

Deno.test("wiegand assembler reset forgets a partial frame", () => {
  const { rec, asm } = setup();
  pulse(asm, 1, 0, 50 * US);
  asm.reset();
  asm.tickNs(100 * MS);
  assert.deepEqual(rec.frames, []);
  assert.deepEqual(asm.busy, false);
});

Deno.test("wiegand assembler edge() with sec/nsec crosses second boundaries exactly", () => {
  const { rec, asm } = setup();
  // A pulse from 41.999950000 s to 42.000000040 s is 50.04 µs wide; the next bit 2.04 ms later.
  asm.edge(1, false, 41, 999_950_000);
  asm.edge(1, true, 42, 40);
  asm.edge(0, false, 42, 1_990_000);
  asm.edge(0, true, 42, 2_040_000);
  asm.tick(42, 2_040_000 + 25 * MS - 1);
  assert.deepEqual(rec.frames, []);
  asm.tick(42, 2_040_000 + 25 * MS);
  assert.deepEqual(rec.frames, ["10"]);
});

Deno.test("wiegand assembler counts accepted bits per frame: clean, spoilt and cut by reset", () => {
  const { rec, asm } = setup();
  pulse(asm, 1, 0, 50 * US);
  pulse(asm, 0, 2 * MS, 50 * US);
  assert.deepEqual(count(asm, "bits"), 0); // added when the frame ends
  asm.tickNs(100 * MS);
  assert.deepEqual([rec.frames, count(asm, "bits")], [["10"], 2]);
  // A spoilt frame (second bit too close) still accepted its 3 bits.
  pulse(asm, 1, 200 * MS, 50 * US);
  pulse(asm, 1, 200 * MS + 100 * US, 50 * US);
  pulse(asm, 0, 202 * MS, 50 * US);
  asm.tickNs(300 * MS);
  assert.deepEqual([rec.frames, count(asm, "bits"), count(asm, "discarded")], [["10"], 5, 1]);
  // Bits of a frame in progress count when a reset drops it.
  pulse(asm, 0, 400 * MS, 50 * US);
  asm.reset();
  assert.deepEqual(count(asm, "bits"), 6);
});

Deno.test("wiegand assembler measures exactly across whole seconds and long silences", () => {
  const { rec, asm } = setup({ frameGapUs: 25_000, spacingMaxUs: 20_000 });
  // Spacing of exactly 20 ms, the pulse straddling a second: 7.990 s -> 8.010 s, still in.
  asm.edge(1, false, 7, 990_000_000);
  asm.edge(1, true, 7, 990_050_000);
  asm.edge(0, false, 8, 10_000_000);
  asm.edge(0, true, 8, 10_050_000);
  // 20 ms + 1 ns is out: this frame is spoilt (spacing too long).
  asm.edge(1, false, 8, 30_000_001);
  asm.edge(1, true, 8, 30_050_001);
  // 3 s of silence (over 2^31 ns) before the next edge ends the frame.
  asm.edge(0, false, 11, 30_050_001);
  asm.edge(0, true, 11, 30_100_001);
  // 100 s later the next frame: one bit, ended by a tick 25 ms after it.
  asm.edge(1, false, 111, 0);
  asm.edge(1, true, 111, 50_000);
  asm.tick(111, 50_000 + 25 * MS - 1);
  assert.deepEqual(rec.frames, ["0"]);
  asm.tick(111, 50_000 + 25 * MS);
  assert.deepEqual(rec.frames, ["0", "1"]);
  assert.deepEqual(asm.drops[WiegandDrop.spacingTooLong], 1);
});

Deno.test("wiegand assembler keeps windows of several seconds exact (a 2.5 s gap, over 2^31 ns)", () => {
  const { rec, asm } = setup({ frameGapUs: 2_500_000, spacingMaxUs: 3_000_000 });
  asm.edge(1, false, 10, 900_000_000);
  asm.edge(1, true, 10, 900_050_000);
  // 2.499 s later (2 seconds and a bit on the clock): still the same frame.
  asm.edge(1, false, 13, 399_000_000);
  asm.edge(1, true, 13, 399_050_000);
  asm.tick(15, 899_050_000 - 1); // 1 ns short of 2.5 s after the last bit
  assert.deepEqual(rec.frames, []);
  asm.tick(15, 899_050_000);
  assert.deepEqual(rec.frames, ["11"]);
});

Deno.test("assembler limits are the timing in nanoseconds, defaults filled, frozen", () => {
  const { asm } = setup({ pulseMinUs: 10.5, frameGapUs: 30_000, maxBits: 200 });
  assert.deepEqual({ ...asm.limits }, {
    pulseMin: 10_500,
    pulseMax: 200_000,
    spacingMin: 200_000,
    spacingMax: 20_000_000,
    gap: 30_000_000,
    maxBits: 128,
  });
  assert.equal(Object.isFrozen(asm.limits), true);
  assert.equal(setup({ maxBits: 0 }).asm.limits.maxBits, 1);
});
