import assert from "node:assert/strict";
import { validateConfig } from "../../../service/config/mod.ts";
import { configWarnings } from "../../../service/config/warnings.ts";
import { runCli } from "../agent/harness.ts";

const base = {
  journal: { dir: "/tmp/pontaj-warn-j" },
  iflow: { accessToken: "warnings-test-token-1" },
};

Deno.test("config warnings: Wiegand unknownLengths raw names rawLengths; defaults warn nothing", () => {
  const quiet = validateConfig(
    {
      ...base,
      readers: [{ name: "w", kind: "wiegand", d0: 1, d1: 2, rawLengths: [32] }],
    },
    "c.jsonc",
    {},
  );
  assert.deepEqual(configWarnings(quiet, "c.jsonc"), []);
  const raw = validateConfig(
    {
      ...base,
      readers: [
        { name: "a", kind: "ascii", port: "/dev/ttyS1" },
        { name: "w", kind: "wiegand", d0: 1, d1: 2, unknownLengths: "raw" },
      ],
    },
    "c.jsonc",
    {},
  );
  const w = configWarnings(raw, "c.jsonc");
  assert.equal(w.length, 1);
  assert.match(
    w[0]!,
    /^c\.jsonc: readers\[1\]\.unknownLengths: "raw" reads every frame of 24\+ bits/,
  );
  assert.match(w[0]!, /rawLengths/);
});

Deno.test("cli check-config prints the warning on stderr and still exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-warn-" });
  const file = `${dir}/c.jsonc`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      ...base,
      readers: [{ name: "w", kind: "wiegand", d0: 1, d1: 2, unknownLengths: "raw" }],
    }),
  );
  try {
    const r = await runCli(["check-config", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: ok$/m);
    assert.match(
      r.stderr,
      new RegExp(`^warning: ${file}: readers\\[0\\]\\.unknownLengths: .*rawLengths`, "m"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
