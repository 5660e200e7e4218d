import assert from "node:assert/strict";
import { READER_KINDS, readerIssues } from "../../../service/readers/kinds/mod.ts";
import { CAPTURE_DECODERS, decodeCapture } from "../../../service/cli/decode.ts";
import { validateConfig } from "../../../service/config/mod.ts";

const README = await Deno.readTextFile(new URL("../../../README.md", import.meta.url));

Deno.test("reader registry: the README's readers table lists every registered kind", () => {
  const table = README.slice(README.indexOf("## Readers"), README.indexOf("### Wiegand"));
  const listed = [...table.matchAll(/^\| `([a-z0-9]+)`/gm)].map((m) => m[1]);
  assert.deepEqual(listed, READER_KINDS.map((k) => k.kind));
});

Deno.test("reader registry: kinds and capture names are unique, and decode reaches each", () => {
  assert.equal(new Set(READER_KINDS.map((k) => k.kind)).size, READER_KINDS.length);
  assert.equal(CAPTURE_DECODERS.size, READER_KINDS.length);
  for (const k of READER_KINDS) {
    const r = decodeCapture(k.capture.name, "zz");
    assert.ok(r, k.kind);
    assert.equal(r.ok, false, k.kind);
    assert.equal(typeof r.error === "string" && r.error.length > 0, true, k.kind);
  }
  assert.equal(decodeCapture("nope", "00"), undefined);
});

Deno.test("reader registry: checks across keys and across readers carry key paths", () => {
  const c = validateConfig(
    {
      journal: { dir: "/tmp/x" },
      iflow: { accessToken: "0123456789abcdef" },
      readers: [
        { name: "a", kind: "osdp", port: "/dev/ttyS1", address: 1 },
        { name: "w", kind: "wiegand", d0: 4, d1: 5 },
        { name: "b", kind: "osdp", port: "/dev/ttyS1", address: 2 },
      ],
    },
    "x",
    {},
  );
  assert.deepEqual(readerIssues(c.readers), []);
  const clash = c.readers.map((r) => r.kind === "osdp" ? { ...r, address: 1 } : r);
  const wiegandSame = clash.map((r) => r.kind === "wiegand" ? { ...r, d1: 4 } : r);
  assert.deepEqual(readerIssues(wiegandSame).map((i) => i.path), [[1, "d1"], [2, "address"]]);
});
