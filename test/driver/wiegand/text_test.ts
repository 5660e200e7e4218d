import assert from "node:assert/strict";
import { decodeWiegandText } from "../../../driver/wiegand/mod.ts";

Deno.test("wiegand text decode: bit string of the issue's H10301 example", () => {
  const r = decodeWiegandText("00101101000000001010001000");
  assert.deepEqual([r.ok, r.status], [true, "ok"]);
  assert.deepEqual([r.kind, r.format, r.facility, r.card, r.bitCount], [
    "card",
    "h10301",
    90,
    324,
    26,
  ]);
  assert.deepEqual(r.hex, "0xB40288");
  assert.deepEqual(r.parity, [{ bit: 1, type: "even", ok: true }, {
    bit: 26,
    type: "odd",
    ok: true,
  }]);
  assert.deepEqual(r.id, { hex: "5A0144", dec: "5898564", bits: 24 });
  assert.deepEqual(r.tags!["dec10"], "0005898564");
  assert.deepEqual(r.tags!["fc-cn"], "090,00324");
  // JSON-able
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
});

Deno.test("wiegand text decode: hex:N forms for every issue vector", () => {
  const cases: [string, string, number | undefined, number][] = [
    ["0x2020002:26", "h10301", 1, 1],
    ["200020002:34", "h10306", 1, 1],
    ["hex:1000100002:37", "h10304", 1, 1],
    ["0x600200003:35", "c1000-35", 1, 1],
    ["0x400001000002:48", "c1000-48", 1, 1],
  ];
  for (const [input, format, fc, cn] of cases) {
    const r = decodeWiegandText(input);
    assert.deepEqual([r.status, r.format, r.facility, r.card], ["ok", format, fc, cn], input);
  }
  const h10302 = decodeWiegandText("0x0000000002:37", {
    formats: { lengthFormats: { 37: "h10302" } },
  });
  assert.deepEqual([h10302.status, h10302.format, h10302.facility, h10302.card], [
    "ok",
    "h10302",
    undefined,
    1,
  ]);
});

Deno.test("wiegand text decode: parity failures say which bit", () => {
  const r = decodeWiegandText("0x2020003:26");
  assert.deepEqual([r.status, r.format, r.card, r.tags], [
    "parity",
    "h10301",
    undefined,
    undefined,
  ]);
  assert.deepEqual(r.parity, [{ bit: 1, type: "even", ok: true }, {
    bit: 26,
    type: "odd",
    ok: false,
  }]);
  assert.deepEqual(r.ok, false);
});

Deno.test("wiegand text decode: keys, raw, bad input", () => {
  assert.deepEqual(decodeWiegandText("0xA5:8").key, "5");
  assert.deepEqual(decodeWiegandText("1011").key, "#");
  assert.deepEqual(decodeWiegandText("0xB5:8").status, "keypad-check");
  const raw = decodeWiegandText("0xDEADBEEF:32");
  assert.deepEqual([raw.format, raw.id?.hex, raw.tags?.["dec10"]], [
    "raw",
    "DEADBEEF",
    "3735928559",
  ]);
  for (const bad of ["", "0102", "0x2020002", "0x2020002:0", "0xFFF:4", "1".repeat(129), "zz:26"]) {
    const r = decodeWiegandText(bad);
    assert.deepEqual([r.ok, r.kind, r.status], [false, "invalid", "invalid-input"], bad);
    assert.deepEqual(typeof r.error, "string");
  }
  assert.deepEqual(decodeWiegandText("0010 1101 0000_0000 1010 0010 00").card, 324);
});
