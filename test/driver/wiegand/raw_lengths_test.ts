import assert from "node:assert/strict";
import {
  bitsFromString,
  CardRead,
  DecodeStatus,
  decodeWiegandBits,
  formatSetFromConfig,
  MIN_RAW_BITS,
  wiegandConfigDefaults,
  wiegandConfigIssues,
  wiegandConfigWarnings,
  WiegandFormatSet,
} from "../../../driver/wiegand/mod.ts";
import { WiegandReaderConfigSchema } from "../../../driver/wiegand/config.ts";

const ones = (n: number) => bitsFromString("1".repeat(n));

Deno.test("wiegand rawLengths: listed lengths read raw, others dropped by default", () => {
  const set = formatSetFromConfig(wiegandConfigDefaults(0, 1, { rawLengths: [32, 40] }));
  const read = new CardRead();
  assert.deepEqual(
    [1, 3, 24, 31, 32, 33, 40, 56, 64].map((n) => set.formatFor(n)),
    [null, null, null, null, "raw", null, "raw", null, null],
  );
  assert.deepEqual(decodeWiegandBits(ones(32), 32, read, set), DecodeStatus.ok);
  assert.deepEqual([read.format, read.bitLength, read.idBigInt()], ["raw", 32, 0xFFFF_FFFFn]);
  assert.deepEqual(decodeWiegandBits(ones(33), 33, read, set), DecodeStatus.unknownLength);
  assert.deepEqual(read.bitLength, 33);
  // Built-in formats keep their lengths.
  assert.deepEqual([set.formatFor(26), set.formatFor(37)], ["h10301", "h10304"]);
});

Deno.test("wiegand unknownLengths defaults to drop; raw passes nothing under 24 bits", () => {
  assert.deepEqual(WiegandReaderConfigSchema.parse({ d0: 0, d1: 1 }).unknownLengths, "drop");
  assert.deepEqual(MIN_RAW_BITS, 24);
  const raw = formatSetFromConfig(wiegandConfigDefaults(0, 1, { unknownLengths: "raw" }));
  for (let n = 1; n < 24; n++) assert.deepEqual(raw.formatFor(n), null, `${n} bits`);
  assert.deepEqual([raw.formatFor(24), raw.formatFor(27), raw.formatFor(128)], [
    "raw",
    "raw",
    "raw",
  ]);
  const all = formatSetFromConfig(wiegandConfigDefaults(0, 1, { format: "raw" }));
  assert.deepEqual([all.formatFor(1), all.formatFor(23), all.formatFor(24)], [null, null, "raw"]);
  // Explicit per-length choices are not limited, and the class default (OSDP, cli decode) is unchanged.
  const explicit = formatSetFromConfig(
    wiegandConfigDefaults(0, 1, { rawLengths: [16], lengthFormats: { "12": "raw" } }),
  );
  assert.deepEqual([explicit.formatFor(16), explicit.formatFor(12)], ["raw", "raw"]);
  assert.deepEqual(new WiegandFormatSet().formatFor(1), "raw");
});

Deno.test("wiegand rawLengths naming a length that has a format is a config error naming the key", () => {
  const issues = wiegandConfigIssues(wiegandConfigDefaults(0, 1, { rawLengths: [32, 26] }));
  assert.deepEqual(issues.map((i) => i.path), [["rawLengths"]]);
  assert.match(issues[0]!.message, /26-bit frames already decode as "h10301"/);
  assert.match(issues[0]!.message, /lengthFormats \{"26": "raw"\}/);
  // With a fixed format, 26 bits have no format and may be listed.
  const fixed = wiegandConfigDefaults(0, 1, { format: "h10304", rawLengths: [26] });
  assert.deepEqual(wiegandConfigIssues(fixed), []);
  const bad = WiegandReaderConfigSchema.safeParse({ d0: 0, d1: 1, rawLengths: [0, 129, 2.5] });
  assert.ok(!bad.success);
  assert.deepEqual(bad.error.issues.map((i) => i.path.join(".")), [
    "rawLengths.0",
    "rawLengths.1",
    "rawLengths.2",
  ]);
});

Deno.test("wiegand config warnings: raw settings and short raw lengths name rawLengths", () => {
  assert.deepEqual(wiegandConfigWarnings(wiegandConfigDefaults(0, 1)), []);
  assert.deepEqual(wiegandConfigWarnings(wiegandConfigDefaults(0, 1, { rawLengths: [32] })), []);
  const w = wiegandConfigWarnings(
    wiegandConfigDefaults(0, 1, { unknownLengths: "raw", format: "raw", rawLengths: [40, 16] }),
  );
  assert.deepEqual(w.map((i) => i.path), [["unknownLengths"], ["format"], ["rawLengths", 1]]);
  assert.ok(w[0]!.message.includes("rawLengths"), w[0]!.message);
  assert.ok(w[1]!.message.includes("rawLengths"), w[1]!.message);
  assert.match(w[2]!.message, /16-bit raw frames/);
});
