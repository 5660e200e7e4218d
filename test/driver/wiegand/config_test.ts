import assert from "node:assert/strict";
import {
  WiegandReaderConfigCheckedSchema,
  WiegandReaderConfigSchema,
} from "../../../driver/wiegand/config.ts";
import { wiegandConfigDefaults, wiegandConfigIssues } from "../../../driver/wiegand/mod.ts";

Deno.test("wiegand config: defaults match wiegandConfigDefaults", () => {
  const parsed = WiegandReaderConfigSchema.parse({ d0: 17, d1: 18 });
  assert.deepEqual(parsed, wiegandConfigDefaults(17, 18));
  assert.deepEqual(wiegandConfigIssues(parsed), []);
});

Deno.test("wiegand config: unknown keys and bad values are rejected with the key named", () => {
  const r = WiegandReaderConfigSchema.safeParse({ d0: 17, d1: 18, dO: 3 });
  assert.ok(!r.success);
  assert.ok(JSON.stringify(r.error.issues).includes("dO"));
  const bad = WiegandReaderConfigSchema.safeParse({
    d0: -1,
    d1: 18,
    tagFormat: "octal",
    keypad: { star: 16 },
  });
  assert.ok(!bad.success);
  const paths = bad.error.issues.map((i) => i.path.join("."));
  assert.deepEqual(paths.sort(), ["d0", "keypad.star", "tagFormat"]);
});

Deno.test("wiegand config: custom formats are validated inside the shape", () => {
  const ok = WiegandReaderConfigSchema.safeParse({
    d0: 1,
    d1: 2,
    customFormats: [{
      name: "acme30",
      bits: 30,
      facility: [2, 11],
      card: [12, 29],
      parity: [{ bit: 1, type: "even", over: [[2, 15]] }, { bit: 30, type: "odd", mask: "0x7FFE" }],
    }],
  });
  assert.ok(ok.success, JSON.stringify(ok.error?.issues));
  const bad = WiegandReaderConfigSchema.safeParse({
    d0: 1,
    d1: 2,
    customFormats: [{ name: "x", bits: 20, card: [2, 25] }],
  });
  assert.ok(!bad.success);
  assert.deepEqual(bad.error.issues[0]!.path, ["customFormats", 0]);
  assert.ok(bad.error.issues[0]!.message.includes("card range [2, 25] must lie within 1..20"));
});

Deno.test("wiegand config: cross-key checks", () => {
  const r = WiegandReaderConfigCheckedSchema.safeParse({
    d0: 5,
    d1: 5,
    pulseMinUs: 300,
    pulseMaxUs: 250,
    spacingMinUs: 240,
    format: "h12345",
    keypad: { star: 11 },
  });
  assert.ok(!r.success);
  const got = r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  assert.deepEqual(got.length, 5);
  assert.ok(got[0]!.startsWith("d1: D1 must differ from D0"));
  assert.ok(got.some((g) => g.startsWith("pulseMaxUs: must be greater than pulseMinUs")));
  assert.ok(got.some((g) => g.startsWith("spacingMinUs: must be at least pulseMaxUs")));
  assert.ok(got.some((g) => g.startsWith("keypad.hash:")));
  assert.ok(got.some((g) => g.startsWith('format: format: unknown wiegand format "h12345"')));
  const lf = wiegandConfigIssues(
    wiegandConfigDefaults(1, 2, { lengthFormats: { "40": "h10301" } }),
  );
  assert.deepEqual(lf.map((i) => i.path[0]), ["lengthFormats"]);
});
