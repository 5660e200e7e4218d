import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

/** The symbols `deno doc` lists for an entry point, with their first doc line. */
async function exported(entry: string): Promise<{ name: string; doc: string }[]> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", `${ROOT}${entry}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  const json = JSON.parse(new TextDecoder().decode(r.stdout));
  const node = Object.values(json.nodes)[0] as {
    symbols: { name: string; declarations: { jsDoc?: { doc?: string } }[] }[];
  };
  return node.symbols.map((s) => ({
    name: s.name,
    doc: s.declarations.map((d) => d.jsDoc?.doc ?? "").join("").trim(),
  }));
}

Deno.test("public API: the root exports fewer than 80 names, each documented", async () => {
  const names = await exported("mod.ts");
  assert.ok(names.length < 80, `${names.length} names`);
  assert.deepEqual(names.filter((n) => n.doc === "").map((n) => n.name), []);
});

Deno.test("public API: the README lists every root export", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const section = readme.slice(
    readme.indexOf("## Using pontaj as a library"),
    readme.indexOf("## Development notes"),
  );
  const missing = (await exported("mod.ts")).map((n) => n.name).filter((n) =>
    !section.includes(`\`${n}\``)
  );
  assert.deepEqual(missing, []);
});
