import assert from "node:assert/strict";

// What each entry point loads before it runs (static imports only; `import()`
// loads on use): every module kept out of a path is memory the process does
// not hold (issue #19). Read from `deno info --json`, so nothing is timed.

const ROOT = new URL("../../", import.meta.url);

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; isDynamic?: boolean }[];
}

/** The modules `entry` (relative to the repository) loads statically, repository-relative. */
async function staticGraph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", new URL("deno.json", ROOT).pathname, entry],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: InfoModule[];
    redirects?: Record<string, string>;
  };
  const byName = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const todo = [info.roots[0]!];
  while (todo.length > 0) {
    const s = todo.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of byName.get(s)?.dependencies ?? []) {
      const t = d.code?.specifier;
      if (t && !d.isDynamic) todo.push(info.redirects?.[t] ?? t);
    }
  }
  return [...seen].map((s) => s.replace(ROOT.href, "")).sort();
}

const matching = (mods: string[], re: RegExp) => mods.filter((m) => re.test(m));

Deno.test("module graph: the CLI entry point loads each command's module only when it runs", async () => {
  const mods = await staticGraph("service/main.ts");
  assert.deepEqual(matching(mods, /^service\/cli\//), ["service/cli/command.ts"]);
  assert.deepEqual(matching(mods, /^service\/(agent|journal|sync|status|readers)\b/), []);
  assert.deepEqual(matching(mods, /zod/), [], "--help and --version load no schema");
});

Deno.test("module graph: the agent (cli run) loads no simulator, demo or other command", async () => {
  const mods = await staticGraph("service/cli/run.ts");
  assert.ok(mods.includes("service/agent.ts"), "the graph is the agent's");
  assert.deepEqual(matching(mods, /\/sim\/|sim_readers|\/demo|^testing\.ts$/), []);
  assert.deepEqual(
    matching(mods, /^service\/cli\//),
    ["service/cli/command.ts", "service/cli/run.ts"],
  );
  assert.deepEqual(matching(mods, /^driver\/[a-z0-9]+\/mod\.ts$/), [], "no driver barrels");
});

Deno.test("module graph: the agent loads no Node compatibility layer (http, net, crypto) up front", async () => {
  const mods = await staticGraph("service/cli/run.ts");
  assert.ok(mods.includes("service/status/transport.ts"), "the graph has the status server");
  assert.ok(mods.includes("driver/osdp/secure.ts"), "the graph has the OSDP Secure Channel");
  // node:crypto is loaded by import() only when an OSDP reader has a Secure Channel (aes.ts).
  assert.deepEqual(matching(mods, /^node:(http|https|net|crypto|module|stream)$/), []);
});

Deno.test("module graph: the agent loads capture code only when a capture starts", async () => {
  const mods = await staticGraph("service/cli/run.ts");
  assert.ok(mods.includes("service/agent.ts"), "the graph is the agent's");
  // What the readers themselves use: the tap's record types (serial fd stream), the OSDP
  // session events a tap records, and the replay sources of the reader kinds.
  const readersNeed = [
    "driver/capture/format.ts",
    "driver/capture/osdp_keys.ts",
    "driver/capture/replay.ts",
    "driver/capture/replay_osdp.ts",
    "driver/capture/replay_rc522.ts",
    "driver/capture/replay_serial.ts",
    "driver/capture/replay_wiegand.ts",
  ];
  assert.deepEqual(matching(mods, /^driver\/capture\//), readersNeed);
  assert.deepEqual(matching(mods, /^service\/readers\/capture\.ts$/), []);
});

Deno.test("module graph: cli export loads neither the agent nor the sync engine nor a simulator", async () => {
  const mods = await staticGraph("service/cli/export.ts");
  assert.ok(mods.includes("service/journal/export.ts"));
  assert.deepEqual(matching(mods, /^service\/(agent\.ts|sync\/|status\/server|iflow\/client)/), []);
  assert.deepEqual(matching(mods, /\/sim\/|\/demo/), []);
});

/** Reader implementations, capture decoders and replayers: what only a running or decoding reader needs. */
const READER_CODE =
  /^service\/readers\/(?!kind\.ts$|kinds\/entries\.ts$)|^driver\/(capture\/|serial\/|osdp\/(?!config|constants|timing)|wiegand\/(reader|assembler|gpio_event|gpio_lines|gpio_ffi|keypad|line_hints|encode|text)|rc522\/(reader|scanner|poller|pcd|uart|exchange|iso14443a|anticollision)|ascii\/(frame|line|inspect))/;

Deno.test("module graph: loading a config loads the kinds' schemas, no reader implementation", async () => {
  const mods = await staticGraph("service/config/mod.ts");
  assert.ok(mods.includes("service/readers/kinds/entries.ts"), "the graph has the kinds' schemas");
  assert.deepEqual(matching(mods, READER_CODE), []);
  assert.deepEqual(matching(mods, /^service\/readers\/kinds\/mod\.ts$/), []);
});

Deno.test("module graph: cli export loads no reader, no journal writer, no sync engine, no simulator", async () => {
  const mods = await staticGraph("service/cli/export.ts");
  assert.deepEqual(matching(mods, READER_CODE), []);
  assert.deepEqual(
    matching(mods, /^service\/journal\/(journal|mod|log_writer|spool|pending|retention|lock)\.ts$/),
    [],
  );
  assert.deepEqual(
    matching(mods, /^service\/(sync|iflow\/(client|sim))|^service\/gates\/(relay|outputs)/),
    [],
  );
  assert.deepEqual(matching(mods, /\/sim\/|\/demo/), []);
  assert.deepEqual(
    matching(mods, /zod|^service\/config\/(schema|load)\.ts$/),
    [],
    "reads journal.dir only",
  );
});
