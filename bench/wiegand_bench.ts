/**
 * Wiegand: ns per frame for format decode (26/35/48 bits, unpacked and packed)
 * and for edge assembly (direct edges, and gpio_v2_line_event bytes → parser →
 * assembler → decode).
 *
 *   deno bench -A bench/wiegand_bench.ts
 */
import {
  CardRead,
  DecodeStatus,
  decodeWiegandBits,
  decodeWiegandPacked,
  encodeWiegand,
  type FrameSink,
  GpioEventParser,
  packBits,
  setEventTimestamp,
  WiegandAssembler,
  WiegandFormatSet,
  WiegandPulseGenerator,
} from "../driver/wiegand/mod.ts";
import { SeededRandom } from "../driver/random.ts";

const set = new WiegandFormatSet();
const read = new CardRead();
const FRAMES_PER_OP = 1000;

// Random cards (seeded), a different one each decode: a fixed frame would let the branch
// predictor learn its bits.
const rng = new SeededRandom(18);
for (
  const [name, fcMax, cnMax] of [["h10301", 256, 65536], ["c1000-35", 4096, 1 << 20], [
    "c1000-48",
    1 << 22,
    1 << 23,
  ]] as const
) {
  const cards = Array.from(
    { length: FRAMES_PER_OP },
    () => encodeWiegand(name, rng.int(fcMax), rng.int(cnMax)),
  );
  const packed = cards.map((bits) => packBits(bits));
  const n = cards[0]!.length;
  Deno.bench(`wiegand decode ${n}-bit ${name} (unpacked), ${FRAMES_PER_OP} random cards`, {
    group: `decode ${n}`,
  }, () => {
    let ok = 0;
    for (let i = 0; i < FRAMES_PER_OP; i++) {
      ok += decodeWiegandBits(cards[i]!, n, read, set) === DecodeStatus.ok ? 1 : 0;
    }
    if (ok !== FRAMES_PER_OP) throw new Error("decode failed");
  });
  Deno.bench(`wiegand decode ${n}-bit ${name} (packed, osdp_RAW), ${FRAMES_PER_OP} random cards`, {
    group: `decode ${n}`,
  }, () => {
    let ok = 0;
    for (let i = 0; i < FRAMES_PER_OP; i++) {
      ok += decodeWiegandPacked(packed[i]!, n, read, set) === DecodeStatus.ok ? 1 : 0;
    }
    if (ok !== FRAMES_PER_OP) throw new Error("decode failed");
  });
}

/** Edges of `frames` frames of one format, as flat arrays, spaced to need no tick. */
function edgesOf(format: string, frames: number) {
  const gen = new WiegandPulseGenerator({
    startNs: 1_000_000_000n,
    frameGapMs: 30,
    intervalUs: 1000,
  });
  for (let i = 0; i < frames; i++) gen.card(format, 1, i + 1);
  const span = Number(gen.nowNs - 1_000_000_000n);
  const edges = gen.take();
  const line = new Uint8Array(edges.length);
  const rising = new Uint8Array(edges.length);
  const rel = new Float64Array(edges.length);
  edges.forEach((e, i) => {
    line[i] = e.line;
    rising[i] = e.rising ? 1 : 0;
    rel[i] = Number(e.tNs - 1_000_000_000n);
  });
  const bytes = new WiegandPulseGenerator().eventBytes(edges);
  return { line, rising, rel, span, bytes };
}

const counts = new Float64Array(1);
const sink: FrameSink = {
  frame(bits: Uint8Array, count: number): void {
    if (decodeWiegandBits(bits, count, read, set) === DecodeStatus.ok) counts[0]!++;
  },
  fault(): void {},
};

for (const format of ["h10301", "c1000-48"]) {
  const e = edgesOf(format, FRAMES_PER_OP);
  const asm = new WiegandAssembler(sink);
  const clock = new Float64Array([1]); // whole seconds; each op moves on by the span
  const spanSec = Math.ceil(e.span / 1e9) + 1;
  Deno.bench(`wiegand edge assembly + decode, ${format}, edge() calls ×${FRAMES_PER_OP} frames`, {
    group: `assembly ${format}`,
  }, () => {
    const base = clock[0]!;
    const before = counts[0]!;
    for (let i = 0; i < e.line.length; i++) {
      const t = e.rel[i]!;
      const s = Math.floor(t / 1e9);
      asm.edge(e.line[i]!, e.rising[i] === 1, (base + s) | 0, (t - s * 1e9) | 0);
    }
    asm.tick((base + spanSec) | 0, 0);
    clock[0] = base + spanSec + 1;
    if (counts[0]! - before !== FRAMES_PER_OP) {
      throw new Error(`assembly lost frames: ${counts[0]! - before}`);
    }
  });

  const asm2 = new WiegandAssembler(sink);
  const parser = new GpioEventParser(asm2, 0, 1);
  const bytes = e.bytes;
  const records = bytes.length / 48;
  const base2 = new Float64Array([5e9]);
  Deno.bench(
    `wiegand gpio event bytes → parser → assembly + decode, ${format} ×${FRAMES_PER_OP} frames`,
    { group: `assembly ${format}` },
    () => {
      // Timestamps move on each op (rewritten in place); the rewrite is part of the cost.
      const b0 = base2[0]!;
      for (let r = 0; r < records; r++) {
        setEventTimestamp(bytes, r * 48, b0 + e.rel[r]!);
      }
      const before = counts[0]!;
      parser.push(bytes, bytes.length);
      const end = b0 + e.span + 1e9;
      asm2.tick(Math.floor(end / 1e9), 0);
      base2[0] = end + 1e9;
      if (counts[0]! - before !== FRAMES_PER_OP) {
        throw new Error(`parser path lost frames: ${counts[0]! - before}`);
      }
    },
  );
}
