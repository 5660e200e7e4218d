import assert from "node:assert/strict";
import { csvField } from "../../service/export_row.ts";

Deno.test("csvField: numbers print as String prints them (digits written without V8's number-string cache)", () => {
  const values = [
    0,
    -0,
    7,
    -12,
    1036537,
    2 ** 53 - 1,
    1.5,
    -0.25,
    1e21,
    1e-7,
    NaN,
    Infinity,
    -Infinity,
  ];
  assert.deepEqual(values.map(csvField), values.map((v) => String(v)));
});

Deno.test("csvField: empty for null and undefined, RFC 4180 quoting, objects as JSON", () => {
  assert.deepEqual(
    [null, undefined, "plain", 'say "hi"', "a,b", "two\nlines", true, { n: 1n }].map(csvField),
    ["", "", "plain", '"say ""hi"""', '"a,b"', '"two\nlines"', "true", '"{""n"":1}"'],
  );
});
