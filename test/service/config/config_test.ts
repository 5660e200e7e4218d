import assert from "node:assert/strict";
import {
  ConfigError,
  loadConfig,
  parseJsonc,
  validateConfig,
} from "../../../service/config/mod.ts";

const minimal = {
  journal: { dir: "/var/lib/pontaj/journal" },
  iflow: { accessToken: "s3cret-token-0042" },
  readers: [{ name: "gate-1", kind: "ascii", port: "/dev/ttyUSB0" }],
};

function problems(raw: unknown, env: Record<string, string> = {}): string[] {
  try {
    validateConfig(raw, "pontaj.jsonc", env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  throw new Error("expected a ConfigError");
}

Deno.test("config defaults are applied", () => {
  const c = validateConfig(minimal, "x", {});
  assert.equal(c.timezone, "Europe/Bucharest");
  assert.equal(c.debounceMs, 3000);
  assert.equal(c.status.listen, "127.0.0.1:8780");
  assert.equal(
    c.iflow.url,
    "https://app.iflow.ro/api/rfid_v2/offline_attendance/store_attendances",
  );
  assert.equal(c.iflow.batchSize, 50);
  assert.equal(c.iflow.maxUrlBytes, 8000);
  assert.equal(c.iflow.timeoutMs, 15000);
  assert.equal(c.journal.queueLimit, 10000);
  assert.equal(c.journal.keepDamagedDays, 30);
  assert.deepEqual(c.readers[0], {
    name: "gate-1",
    kind: "ascii",
    port: "/dev/ttyUSB0",
    tagFormat: "dec10",
    baudRate: 9600,
    dataBits: 8,
    parity: "none",
    stopBits: 1,
    rs485: false,
  });
});

Deno.test("config unknown keys are errors naming the key path", () => {
  const p = problems({
    ...minimal,
    debounceMS: 100,
    readers: [{ ...minimal.readers[0], baud: 9600 }],
  });
  assert.deepEqual(p.sort(), [
    "pontaj.jsonc: debounceMS: unknown key (check the spelling; unknown keys are not allowed)",
    "pontaj.jsonc: readers[0].baud: unknown key (check the spelling; unknown keys are not allowed)",
  ]);
});

Deno.test("config one message per problem with file, key and expectation", () => {
  const p = problems({
    timezone: "Europe/Bucuresti",
    journal: {},
    iflow: {},
    readers: [{ name: "gate-1", kind: "ascii", port: 5, tagFormat: "decimal" }],
    debounceMs: -1,
  });
  assert.equal(p.length, 6, p.join("\n"));
  assert.ok(p.every((l) => l.startsWith("pontaj.jsonc: ")));
  assert.ok(p.some((l) => /^pontaj.jsonc: timezone: expected an IANA time zone/.test(l)));
  assert.ok(p.some((l) => /^pontaj.jsonc: journal.dir: missing/.test(l)));
  assert.ok(p.some((l) => /^pontaj.jsonc: iflow.accessToken: missing/.test(l)));
  assert.ok(p.some((l) => /^pontaj.jsonc: readers\[0\].port: expected string/.test(l)));
  assert.ok(p.some((l) => /^pontaj.jsonc: readers\[0\].tagFormat: .*dec10/.test(l)));
  assert.ok(p.some((l) => /^pontaj.jsonc: debounceMs: /.test(l)));
});

Deno.test("config unknown reader kind and duplicate names are reported", () => {
  assert.match(
    problems({ ...minimal, readers: [{ name: "a", kind: "barcode" }] })[0]!,
    /readers\[0\]\.kind/,
  );
  const dup = problems({ ...minimal, readers: [minimal.readers[0], minimal.readers[0]] });
  assert.deepEqual(dup, ["pontaj.jsonc: readers[1].name: duplicate reader name 'gate-1'"]);
});

Deno.test("config PONTAJ_IFLOW_TOKEN overrides the file's token", () => {
  const c = validateConfig(
    { ...minimal, iflow: { accessToken: "from-file-0123456789" } },
    "x",
    { PONTAJ_IFLOW_TOKEN: "from-env-0123456789" },
  );
  assert.equal(c.iflow.accessToken, "from-env-0123456789");
  const noToken = validateConfig({ ...minimal, iflow: undefined }, "x", {
    PONTAJ_IFLOW_TOKEN: "env-only-0123456789",
  });
  assert.equal(noToken.iflow.accessToken, "env-only-0123456789");
});

Deno.test("config JSONC: comments and trailing commas; syntax errors give line and column", async () => {
  assert.deepEqual(parseJsonc('{ // c\n "a": "x//y", /* b */ "b": [1, 2,], }'), {
    a: "x//y",
    b: [1, 2],
  });
  assert.throws(() => parseJsonc('{\n "a": 1\n "b": 2}'), /line 3, column 2/);
  const dir = await Deno.makeTempDir();
  const file = `${dir}/pontaj.jsonc`;
  await Deno.writeTextFile(file, `// gate controller\n${JSON.stringify(minimal, null, 2)}\n`);
  assert.equal((await loadConfig(file, {})).readers[0]!.name, "gate-1");
  await assert.rejects(
    loadConfig(`${dir}/missing.json`, {}),
    /missing.json: cannot read the config file \(no such file\)/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("config osdp readers on one port need distinct addresses and one speed", () => {
  const osdp = (name: string, address: number, baudRate = 9600) => ({
    name,
    kind: "osdp",
    port: "/dev/ttyRS485",
    address,
    baudRate,
  });
  const ok = validateConfig({ ...minimal, readers: [osdp("a", 1), osdp("b", 2)] }, "x", {});
  assert.deepEqual(ok.readers.map((r) => [r.name, r.kind, r.tagFormat]), [
    ["a", "osdp", "dec10"],
    ["b", "osdp", "dec10"],
  ]);
  assert.match(
    problems({ ...minimal, readers: [osdp("a", 1), osdp("b", 1)] })[0]!,
    /^pontaj.jsonc: readers\[1\]\.address: osdp readers "a" and "b" both use address 1 on \/dev\/ttyRS485/,
  );
  assert.match(
    problems({ ...minimal, readers: [osdp("a", 1), osdp("b", 2, 115200)] })[0]!,
    /differ in baudRate/,
  );
});

Deno.test("config wiegand cross-key checks are reported at the reader's key", () => {
  const p = problems({
    ...minimal,
    readers: [{ name: "w", kind: "wiegand", d0: 4, d1: 4 }],
  });
  assert.ok(p.some((l) => l.startsWith("pontaj.jsonc: readers[0].")), p.join("\n"));
});

Deno.test("config rc522 takes exactly one of spi or uart", () => {
  const rc = (extra: Record<string, unknown>) => ({
    ...minimal,
    readers: [{ name: "desk", kind: "rc522", ...extra }],
  });
  const ok = validateConfig(rc({ spi: { device: "/dev/spidev0.0" } }), "x", {});
  assert.equal(ok.readers[0]!.tagFormat, "hex");
  assert.ok(problems(rc({})).some((l) => l.startsWith("pontaj.jsonc: readers[0]")));
  assert.ok(
    problems(rc({ spi: { device: "/dev/spidev0.0" }, uart: { port: "/dev/ttyS0" } }))
      .some((l) => l.startsWith("pontaj.jsonc: readers[0]")),
  );
});
