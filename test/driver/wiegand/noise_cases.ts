/**
 * Test support: seeded faulty-line cases for a Wiegand reader with the
 * default timing (pulses 20–200 µs, spacing 200 µs–20 ms, frame gap 25 ms),
 * each with the one drop reason it must be counted under.
 *
 * Frames that noise or a cut turns into another format's length with the
 * right parity are frames of that format: no decoder can tell them from a
 * card. So the families that add bits use bases whose length plus one is no
 * format (26, 37, 48 bits), and cuts between bits skip the lengths of card
 * formats, keypad bursts and the raw lengths under test (4, 8, 26, 32, 34,
 * 35, 37, 40); frames cut in the middle of a bit are tried at every position.
 *
 * @module
 */

import type { Prng } from "../../support/prng.ts";
import {
  BUILTIN_FORMATS,
  CompiledFormat,
  encodeWiegand,
  WiegandDrop,
} from "../../../driver/wiegand/mod.ts";
import type { Pulse } from "./line_driver.ts";

const US = 1000;
const MS = 1_000_000;

/** A faulty-line case: pulses from time 0, and what the reader must count. */
export interface NoiseCase {
  /** Family and parameters, for failure messages. */
  name: string;
  /** Pulses, times relative to the case start. */
  pulses: Pulse[];
  /** The {@link WiegandDrop} reason counted. */
  reason: number;
  /** How many drops of that reason (glitches count per pulse). */
  count: number;
  /** Bit count of an unknown-length frame. */
  bits?: number;
}

const ALL = ["h10301", "h10306", "c1000-35", "h10304", "c1000-48"];
/** Bases whose length + 1 or + 2 is no format. */
const GROWABLE = ["h10301", "h10304", "c1000-48"];
/** Lengths a cut between bits may not land on (formats, keypad bursts, raw lengths tested). */
const SKIP_CUT = new Set([4, 8, 26, 32, 34, 35, 37, 40]);
const compiled = new Map(ALL.map((n) => [n, new CompiledFormat(BUILTIN_FORMATS[n]!)]));

/** Uniform integer in [lo, hi]. */
function between(rng: Prng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

function pick<T>(rng: Prng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** A valid frame of `format` with random facility and card numbers. */
export function randomFrame(rng: Prng, format: string): Uint8Array {
  const f = compiled.get(format)!;
  const fac = f.facLen > 0 ? Math.floor(rng.next() * 2 ** f.facLen) : 0;
  return encodeWiegand(format, fac, Math.floor(rng.next() * 2 ** f.cardLen));
}

/** Random bits (a raw serial-number frame). */
export function randomBits(rng: Prng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(2);
  return b;
}

/** Clean pulses for `bits` from `t0`: interval `interval` ns, widths 40–100 µs. */
export function framePulses(rng: Prng, bits: Uint8Array, t0: number, interval: number): Pulse[] {
  const out: Pulse[] = [];
  for (let i = 0; i < bits.length; i++) {
    out.push({ line: bits[i]!, at: t0 + i * interval, width: between(rng, 40, 100) * US });
  }
  return out;
}

function noise(rng: Prng, at: number): Pulse {
  return { line: rng.int(2), at, width: between(rng, 50, 100) * US };
}

type Family = (rng: Prng) => NoiseCase;

const unknown = (name: string, pulses: Pulse[], bits: number): NoiseCase => ({
  name,
  pulses,
  reason: WiegandDrop.unknownLength,
  count: 1,
  bits,
});
const drop = (name: string, pulses: Pulse[], reason: number, count = 1): NoiseCase => ({
  name,
  pulses,
  reason,
  count,
});

/** The families of faulty-line cases. */
export const NOISE_FAMILIES: Record<string, Family> = {
  /** 1–3 noise pulses of valid width, bit-like spacing, far from any frame. */
  lonePulses(rng) {
    const k = between(rng, 1, 3);
    const pulses: Pulse[] = [];
    let t = 0;
    for (let i = 0; i < k; i++) {
      pulses.push(noise(rng, t));
      t += between(rng, 300, 15_000) * US;
    }
    return unknown(`lone ${k}`, pulses, k);
  },
  /** A noise pulse 0.3–19 ms before a frame joins it: one bit too many. */
  noiseBefore(rng) {
    const f = pick(rng, GROWABLE);
    const bits = randomFrame(rng, f);
    const d = between(rng, 300, 19_000) * US;
    const pulses = [noise(rng, 0), ...framePulses(rng, bits, d, between(rng, 500, 5000) * US)];
    return unknown(`noise ${d / US} µs before ${f}`, pulses, bits.length + 1);
  },
  /** A noise pulse under 200 µs before a frame's first bit. */
  noiseJustBefore(rng) {
    const f = pick(rng, ALL);
    const d = between(rng, 110, 190) * US;
    const n: Pulse = { line: rng.int(2), at: 0, width: between(rng, 50, d / US - 10) * US };
    const frame = framePulses(rng, randomFrame(rng, f), d, between(rng, 500, 5000) * US);
    return drop(`noise ${d / US} µs before ${f}`, [n, ...frame], WiegandDrop.spacingTooShort);
  },
  /** A noise pulse between two bits, at least 250 µs from both: one bit too many. */
  noiseInside(rng) {
    const f = pick(rng, GROWABLE);
    const bits = randomFrame(rng, f);
    const interval = between(rng, 1000, 5000) * US;
    const i = rng.int(bits.length - 1);
    const o = between(rng, 250 * US, interval - 250 * US);
    const pulses = [...framePulses(rng, bits, 0, interval), noise(rng, i * interval + o)];
    return unknown(`noise after bit ${i} of ${f} (+${o} ns)`, pulses, bits.length + 1);
  },
  /** A noise pulse within 200 µs after a bit, or ending just before the next one. */
  noiseCloseToBit(rng) {
    const f = pick(rng, ALL);
    const bits = randomFrame(rng, f);
    const interval = between(rng, 500, 5000) * US;
    const frame = framePulses(rng, bits, 0, interval);
    const i = rng.int(bits.length - 1);
    const start = frame[i]!.at;
    const o = rng.int(2) === 0
      ? frame[i]!.width + between(rng, 20, 190 - frame[i]!.width / US) * US
      : interval - between(rng, 110, 190) * US;
    const n: Pulse = { line: rng.int(2), at: start + o, width: between(rng, 50, 100) * US };
    if (o > interval / 2) n.width = Math.min(n.width, interval - o - 10 * US);
    return drop(`noise ${o} ns after bit ${i} of ${f}`, [...frame, n], WiegandDrop.spacingTooShort);
  },
  /** The reader stops inside bit k (1 ≤ k < n): the line stays low 40 ms–3 s. */
  cutMidBit(rng) {
    const f = pick(rng, ALL);
    const bits = randomFrame(rng, f);
    const k = between(rng, 1, bits.length - 1);
    const frame = framePulses(rng, bits.subarray(0, k + 1), 0, between(rng, 500, 5000) * US);
    frame[k]!.width = between(rng, 40, 3000) * MS;
    return drop(`${f} cut inside bit ${k}`, frame, WiegandDrop.cutShort);
  },
  /** The reader stops between bits k and k + 1 (k not a format's or keypad length). */
  cutBetweenBits(rng) {
    const f = pick(rng, ALL);
    const bits = randomFrame(rng, f);
    let k = between(rng, 1, bits.length - 1);
    while (SKIP_CUT.has(k)) k = between(rng, 1, bits.length - 1);
    const pulses = framePulses(rng, bits.subarray(0, k), 0, between(rng, 500, 5000) * US);
    return unknown(`${f} cut after ${k} bits`, pulses, k);
  },
  /** A pulse of 210 µs–20 ms alone, or replacing a bit inside a frame. */
  pulseTooLong(rng) {
    const width = between(rng, 210, 15_000) * US;
    if (rng.int(3) === 0) {
      const w = between(rng, 210, 20_000) * US;
      const pulse = { line: rng.int(2), at: 0, width: w };
      return drop(`lone ${w} ns pulse`, [pulse], WiegandDrop.pulseTooLong);
    }
    const f = pick(rng, ALL);
    const bits = randomFrame(rng, f);
    const interval = between(rng, 500, 5000) * US;
    const i = rng.int(bits.length);
    const pulses = framePulses(rng, bits.subarray(0, i), 0, interval);
    const at = i * interval;
    pulses.push({ line: bits[i]!, at, width });
    const rest = framePulses(rng, bits.subarray(i + 1), at + width + interval, interval);
    return drop(`${f} bit ${i} ${width} ns wide`, [...pulses, ...rest], WiegandDrop.pulseTooLong);
  },
  /** Two frames less than the frame gap apart: one long frame, or a pause over 20 ms. */
  runTogether(rng) {
    const a = randomFrame(rng, pick(rng, ALL));
    const b = randomFrame(rng, pick(rng, ALL));
    const interval = between(rng, 500, 5000) * US;
    const first = framePulses(rng, a, 0, interval);
    const spoilt = rng.int(4) === 0;
    const g = spoilt ? between(rng, 20_100, 24_000) * US : between(rng, interval / US, 19_900) * US;
    const second = framePulses(rng, b, (a.length - 1) * interval + g, interval);
    const name = `${a.length}+${b.length} bits ${g} ns apart`;
    return spoilt
      ? drop(name, [...first, ...second], WiegandDrop.spacingTooLong)
      : unknown(name, [...first, ...second], a.length + b.length);
  },
  /** Both lines low together: alone, or a pulse on the other line during a bit. */
  bothLow(rng) {
    if (rng.int(3) === 0) {
      const w = between(rng, 100, 5000) * US;
      const pulses = [{ line: 0, at: 0, width: w }, { line: 1, at: rng.int(50) * US, width: w }];
      return drop(`both low ${w} ns`, pulses, WiegandDrop.bothLow);
    }
    const f = pick(rng, ALL);
    const bits = randomFrame(rng, f);
    const frame = framePulses(rng, bits, 0, between(rng, 500, 5000) * US);
    const i = rng.int(bits.length);
    const p = frame[i]!;
    const over = { line: p.line ^ 1, at: p.at + rng.int(p.width - 5 * US), width: 50 * US };
    return drop(`${f} other line low during bit ${i}`, [...frame, over], WiegandDrop.bothLow);
  },
  /** 1–5 pulses under 20 µs. */
  glitches(rng) {
    const k = between(rng, 1, 5);
    const pulses: Pulse[] = [];
    let t = 0;
    for (let i = 0; i < k; i++) {
      const w = between(rng, 1, 19_999);
      pulses.push({ line: rng.int(2), at: t, width: w });
      t += w + between(rng, 10, 10_000) * US;
    }
    return drop(`${k} glitches`, pulses, WiegandDrop.glitch, k);
  },
  /** A reader sending bits 100–190 µs apart. */
  tooFast(rng) {
    const f = pick(rng, ALL);
    const bits = randomFrame(rng, f);
    const interval = between(rng, 100, 190);
    const pulses = framePulses(rng, bits, 0, interval * US);
    for (const p of pulses) p.width = between(rng, 20, Math.min(100, interval - 30)) * US;
    return drop(`${f} at ${interval} µs`, pulses, WiegandDrop.spacingTooShort);
  },
  /** One bit of a frame flipped (every built-in format's parity covers every bit). */
  bitFlip(rng) {
    const f = pick(rng, ALL);
    const bits = randomFrame(rng, f);
    const i = rng.int(bits.length);
    bits[i]! ^= 1;
    const pulses = framePulses(rng, bits, 0, between(rng, 500, 5000) * US);
    return drop(`${f} bit ${i} flipped`, pulses, WiegandDrop.parity);
  },
};

const FAMILY_LIST = Object.values(NOISE_FAMILIES);

/** One random case from any family. */
export function noiseCase(rng: Prng): NoiseCase {
  return pick(rng, FAMILY_LIST)(rng);
}
