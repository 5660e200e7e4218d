import assert from "node:assert/strict";
import { withSeed } from "../../support/prng.ts";
import {
  bitsToBigInt,
  WIEGAND_DROP_REASONS,
  WiegandDrop,
  type WiegandEvent,
  WiegandReader,
} from "../../../driver/wiegand/mod.ts";
import { WiegandReaderConfigSchema } from "../../../driver/wiegand/config.ts";
import { LineDriver } from "./line_driver.ts";
import { framePulses, noiseCase, randomBits } from "./noise_cases.ts";

const CASES = 100_000;
const US = 1000;

/**
 * Feeds CASES faulty-line cases (and, every 8th case, a clean 32- or 40-bit
 * frame) through the reader's GPIO event path with loop-like ticks; checks
 * each case's counters. Returns how many clean raw frames were read.
 */
async function run(rawLengths: number[], seed: number): Promise<number> {
  let rawReads = 0;
  const config = WiegandReaderConfigSchema.parse({ d0: 0, d1: 1, rawLengths });
  const cards: WiegandEvent[] = [];
  const reader = new WiegandReader(config, (e) => {
    if (e.kind === "card" || e.kind === "key" || e.kind === "pin") cards.push(e);
  });
  const line = new LineDriver(reader);
  const before = new Float64Array(WIEGAND_DROP_REASONS.length);
  const want = new Float64Array(WIEGAND_DROP_REASONS.length);
  const unknownBefore = new Float64Array(reader.unknownByLength.length);
  const check = (name: string, bits: number | undefined) => {
    for (let r = 0; r < want.length; r++) {
      const got = reader.drops[r]! - before[r]!;
      if (got !== want[r]) {
        assert.fail(
          `${name}: ${WIEGAND_DROP_REASONS[r]} counted ${got}, expected ${want[r]} ` +
            `(all: ${JSON.stringify(reader.lineReport().drops)})`,
        );
      }
    }
    if (bits !== undefined) {
      assert.equal(
        reader.unknownByLength[bits]! - unknownBefore[bits]!,
        1,
        `${name}: ${bits} bits`,
      );
    }
  };
  await withSeed(seed, (rng) => {
    for (let i = 0; i < CASES; i++) {
      before.set(reader.drops);
      unknownBefore.set(reader.unknownByLength);
      want.fill(0);
      const c = noiseCase(rng);
      want[c.reason] = c.count;
      const t0 = line.clock + 300_000_000;
      for (const p of c.pulses) p.at += t0;
      line.play(c.pulses);
      line.idle(200);
      check(`case ${i} (${c.name})`, c.bits);
      if (cards.length > 0) assert.fail(`case ${i} (${c.name}) made a ${cards[0]!.kind} event`);
      if (i % 8 !== 7) continue;
      // A clean frame of a serial-number reader: raw when its length is listed.
      const n = rng.int(2) === 0 ? 32 : 40;
      const bits = randomBits(rng, n);
      before.set(reader.drops);
      unknownBefore.set(reader.unknownByLength);
      want.fill(0);
      const listed = rawLengths.includes(n);
      if (!listed) want[WiegandDrop.unknownLength] = 1;
      line.play(framePulses(rng, bits, line.clock + 300_000_000, (500 + rng.int(4500)) * US));
      line.idle(200);
      check(`clean ${n}-bit frame after case ${i}`, listed ? undefined : n);
      if (listed) {
        assert.equal(cards.length, 1, `clean ${n}-bit frame after case ${i}`);
        const e = cards[0]!;
        assert.ok(e.kind === "card" && e.format === "raw" && e.bits === n);
        assert.equal(e.read.idBigInt(), bitsToBigInt(bits));
        rawReads++;
      } else {
        assert.equal(cards.length, 0, `clean ${n}-bit frame after case ${i} was read`);
      }
      cards.length = 0;
    }
    // Every fault family was exercised (the generator spreads cases evenly).
    const all = reader.lineReport().drops;
    for (const reason of WIEGAND_DROP_REASONS.filter((r) => r !== "too-many-bits")) {
      if (reason === "keypad-check") continue;
      assert.ok(all[reason]! > CASES / 60, `only ${all[reason]} ${reason}: ${JSON.stringify(all)}`);
    }
  });
  return rawReads;
}

Deno.test("wiegand noise fuzz: 100,000 faulty-line cases, default config: no reads, each counted by reason", async () => {
  assert.equal(await run([], 0x22_0001), 0);
});

Deno.test("wiegand noise fuzz: with rawLengths [32, 40] the same cases read nothing, clean 32/40-bit frames read", async () => {
  assert.equal(await run([32, 40], 0x22_0001), Math.floor(CASES / 8));
});
