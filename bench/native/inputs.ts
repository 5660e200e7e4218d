/**
 * The inputs of the TS-vs-C hot loop comparison (bench/native_vs_ts.ts): one
 * seed makes every loop's bytes, written to a file that both sides read, so C
 * and TypeScript decode byte-identical input.
 *
 * @module
 */

import { Prng } from "../../test/support/prng.ts";
import { encodeAsciiFrame } from "../../driver/ascii/frame.ts";
import { buildFrame } from "../../driver/osdp/writer.ts";
import { encodeWiegand, packBits, WiegandPulseGenerator } from "../../driver/wiegand/mod.ts";
import { appendCrcA } from "../../driver/rc522/crc_a.ts";
import { cascadeLevelBytes } from "../../driver/rc522/iso14443a.ts";

/** The hot loops compared, in report order. */
export const LOOPS = [
  "wiegand",
  "osdp",
  "crc-a",
  "ascii",
  "crc32c",
  "rc522",
  "wiegand-edges",
] as const;

/** One of {@link LOOPS}. */
export type LoopName = typeof LOOPS[number];

/** What one unit of each loop is, for the report. */
export const LOOP_UNITS: Readonly<Record<LoopName, string>> = {
  wiegand:
    "Wiegand 26-bit decode from one byte per bit, random cards, 1 in 16 with a bad bit (frame)",
  osdp: "OSDP stream of 16-byte osdp_RAW replies, a noise byte before every 10th (packet)",
  "crc-a": "CRC_A over a 7-byte frame (frame)",
  ascii: "ASCII 125 kHz frames, random 40-bit ids, a noise byte before every 10th (frame)",
  crc32c: "CRC32C over a 100-byte record (record)",
  rc522: "RC522 UID assembly: ANTICOLLISION + BCC, SELECT + CRC_A, 4/7/10-byte UIDs (card)",
  "wiegand-edges":
    "Wiegand edge assembler, random 26-bit cards with 5 µs jitter, edges → frame (frame)",
};

/** One loop's input. */
export interface LoopInput {
  /** The bytes both sides read. */
  bytes: Uint8Array;
  /** Units in one pass (frames, packets, records, cards). */
  units: number;
}

/** Units per pass: enough distinct random units that no branch history can learn them. */
const UNITS = 16384;

/** Makes `loop`'s input from `seed` (same seed, same bytes). */
export function makeInput(loop: LoopName, seed: number): LoopInput {
  const rng = new Prng(seed ^ (LOOPS.indexOf(loop) + 1) * 0x9e3779b1);
  switch (loop) {
    case "wiegand":
      return wiegandBits(rng);
    case "osdp":
      return osdpStream(rng);
    case "crc-a":
      return { bytes: rng.bytes(new Uint8Array(UNITS * 7)), units: UNITS };
    case "ascii":
      return asciiStream(rng);
    case "crc32c":
      return { bytes: rng.bytes(new Uint8Array(4096 * 100)), units: 4096 };
    case "rc522":
      return rc522Answers(rng);
    case "wiegand-edges":
      return wiegandEdges(rng);
  }
}

function wiegandBits(rng: Prng): LoopInput {
  const out = new Uint8Array(UNITS * 26);
  for (let u = 0; u < UNITS; u++) {
    const bits = encodeWiegand("h10301", rng.int(256), rng.int(65536));
    if (u % 16 === 5) bits[rng.int(26)]! ^= 1; // a parity failure
    out.set(bits, u * 26);
  }
  return { bytes: out, units: UNITS };
}

/** A random byte that is not `not` (noise that cannot start a frame). */
function noise(rng: Prng, not: number): number {
  const b = rng.int(255);
  return b >= not ? b + 1 : b;
}

function osdpStream(rng: Prng): LoopInput {
  const parts: Uint8Array[] = [];
  for (let u = 0; u < UNITS; u++) {
    if (u % 10 === 9) parts.push(Uint8Array.of(noise(rng, 0x53)));
    const card = packBits(encodeWiegand("h10301", rng.int(256), rng.int(65536)));
    parts.push(buildFrame({
      address: rng.int(127),
      reply: true,
      seq: rng.int(4),
      code: 0x50, // osdp_RAW: reader, format, bit count LSB MSB, bits
      data: [0, 1, 26, 0, ...card],
    }));
  }
  return { bytes: concat(parts), units: UNITS };
}

function asciiStream(rng: Prng): LoopInput {
  const parts: Uint8Array[] = [];
  for (let u = 0; u < UNITS; u++) {
    if (u % 10 === 9) parts.push(Uint8Array.of(noise(rng, 0x02)));
    parts.push(encodeAsciiFrame(rng.bytes(new Uint8Array(5))));
  }
  return { bytes: concat(parts), units: UNITS };
}

function rc522Answers(rng: Prng): LoopInput {
  const out = new Uint8Array(UNITS * 24);
  const sizes = [4, 7, 10];
  const finalSaks = [0x08, 0x18, 0x00, 0x20];
  const uid = new Uint8Array(10);
  const sel = new Uint8Array(3);
  for (let u = 0; u < UNITS; u++) {
    const len = sizes[rng.int(3)]!;
    rng.bytes(uid);
    if (uid[0] === 0x88) uid[0] = 0x08;
    const levels = len === 4 ? 1 : len === 7 ? 2 : 3;
    for (let l = 1; l <= levels; l++) {
      const at = u * 24 + (l - 1) * 8;
      cascadeLevelBytes(uid, 0, len, l, out, at);
      sel[0] = l < levels ? 0x04 : finalSaks[rng.int(4)]!;
      appendCrcA(sel, 1);
      out.set(sel, at + 5);
    }
    if (u % 32 === 7) out[u * 24 + 4]! ^= 0x10; // a bad BCC
    if (u % 64 === 13) out[u * 24 + 6]! ^= 0x01; // a bad CRC_A on the SAK
  }
  return { bytes: out, units: UNITS };
}

function wiegandEdges(rng: Prng): LoopInput {
  const frames = 2048;
  const gen = new WiegandPulseGenerator({
    seed: rng.nextU32(),
    jitterUs: 5,
    intervalUs: 1000,
    frameGapMs: 30,
  });
  for (let u = 0; u < frames; u++) gen.card("h10301", rng.int(256), rng.int(65536));
  const edges = gen.take();
  const out = new Int32Array(edges.length * 3);
  edges.forEach((e, i) => {
    const sec = e.tNs / 1_000_000_000n;
    out[3 * i] = (e.line & 1) | (e.rising ? 2 : 0);
    out[3 * i + 1] = Number(sec);
    out[3 * i + 2] = Number(e.tNs - sec * 1_000_000_000n);
  });
  return { bytes: new Uint8Array(out.buffer), units: frames };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
