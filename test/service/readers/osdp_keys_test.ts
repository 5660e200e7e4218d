// osdp-keys.json: durable writes, and bad files never crash or get overwritten unseen.
import assert from "node:assert/strict";
import { OSDP_KEYS_FILE, OsdpKeyFile } from "../../../service/readers/osdp_keys.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-keyfile-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("osdp key file keeps keys per port and address, mode 0600, no temp file left", async () => {
  await withDir(async (dir) => {
    const f = await OsdpKeyFile.open(dir);
    assert.equal(f.load("/dev/ttyUSB0", 1), null);
    await Promise.all([
      f.save("/dev/ttyUSB0", 1, new Uint8Array(16).fill(1)),
      f.save("/dev/ttyUSB0", 2, new Uint8Array(16).fill(2)),
      f.save("/dev/ttyUSB1", 1, new Uint8Array(16).fill(3)),
    ]);
    const again = await OsdpKeyFile.open(dir);
    assert.deepEqual(again.load("/dev/ttyUSB0", 2), new Uint8Array(16).fill(2));
    assert.deepEqual(again.load("/dev/ttyUSB1", 1), new Uint8Array(16).fill(3));
    assert.equal((await Deno.stat(`${dir}/${OSDP_KEYS_FILE}`)).mode! & 0o777, 0o600);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, [OSDP_KEYS_FILE]);
  });
});

Deno.test("osdp key file that does not parse is moved aside and reported; bad entries are counted", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/${OSDP_KEYS_FILE}`, "{ not json");
    const logs: string[] = [];
    const f = await OsdpKeyFile.open(dir, (_l, msg) => logs.push(msg));
    assert.equal(f.load("p", 1), null);
    assert.equal(await Deno.readTextFile(`${dir}/${OSDP_KEYS_FILE}.broken`), "{ not json");
    assert.deepEqual(logs, ["osdp key file does not parse; moved aside"]);
    await Deno.writeTextFile(
      `${dir}/${OSDP_KEYS_FILE}`,
      JSON.stringify({
        keys: { "p#1": { scbk: "zz" }, "p#2": null, "p#3": { scbk: "ab".repeat(16) } },
      }),
    );
    const g = await OsdpKeyFile.open(dir, (_l, msg) => logs.push(msg));
    assert.equal(g.badEntries, 2);
    assert.deepEqual(g.load("p", 3), new Uint8Array(16).fill(0xab));
  });
});
