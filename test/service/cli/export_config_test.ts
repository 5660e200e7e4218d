import assert from "node:assert/strict";
import { buildJournal } from "../journal/fixtures/build_journal.ts";

// `cli export` reads only `journal.dir` from the config (issue #19: no schema, no zod):
// what it still refuses, and that the rest of the file does not stop an export.

const MAIN = new URL("../../../service/main.ts", import.meta.url).pathname;
const DENO_JSON = new URL("../../../deno.json", import.meta.url).pathname;

async function cliExport(config: string, ...more: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, MAIN, "export", "--config", config, ...more],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("cli export: a config bad outside journal.dir still exports every record", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-export-config-" });
  try {
    await Deno.mkdir(`${dir}/journal`);
    await buildJournal(`${dir}/journal`, 25, { accepted: 10 });
    const config = `${dir}/pontaj.jsonc`;
    // An unknown key, a bad time zone and no iFlow token: check-config refuses all three.
    await Deno.writeTextFile(
      config,
      `// trial\n{ "timezone": "Mars/Olympus", "journal": { "dir": "${dir}/journal" }, "typo": 1, }`,
    );
    const jsonl = await cliExport(config);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const rows = jsonl.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 25 }, (_, i) => i + 1));
    assert.equal(rows.filter((r) => r.state === "synced").length, 10);
    const csv = await cliExport(config, "--format", "csv");
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trim().split("\n");
    assert.equal(lines.length, 26);
    assert.equal(
      lines[0],
      "seq,reader,rfidTag,date,time,state,event,error,gate,decision,reason,passed",
    );
    assert.equal(lines[25]!.split(",")[0], "25");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli export: no usable journal.dir exits 2 naming the file and the key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-export-config-" });
  try {
    const cases: [string, string][] = [
      ["[1, 2]", "(top level): expected a JSON object"],
      ["{}", "journal: missing; expected object"],
      ['{ "journal": [] }', "journal: expected object"],
      ['{ "journal": {} }', "journal.dir: missing; expected string"],
      ['{ "journal": { "dir": 7 } }', "journal.dir: expected string"],
      ['{ "journal": { "dir": "" } }', "journal.dir: expected the journal directory"],
      ['{ "journal": ', "invalid JSON"],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const config = `${dir}/c${i}.jsonc`;
      await Deno.writeTextFile(config, text);
      const r = await cliExport(config);
      assert.equal(r.code, 2, `${text}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.ok(r.stderr.startsWith(`${config}: `), r.stderr);
      assert.ok(r.stderr.includes(message), `${text}: ${r.stderr}`);
    }
    const missing = await cliExport(`${dir}/nope.jsonc`);
    assert.equal(missing.code, 2);
    assert.ok(
      missing.stderr.includes("cannot read the config file (no such file)"),
      missing.stderr,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
