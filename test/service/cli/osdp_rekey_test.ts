// `cli osdp rekey` against an emulated reader on a real pty.
import assert from "node:assert/strict";
import { openPty } from "../../../driver/serial/mod.ts";
import { OsdpEmulator } from "../../../driver/osdp/mod.ts";
import { main } from "../../../service/main.ts";

const KEY = "00112233445566778899aabbccddeeff";
const hex = (k: Uint8Array | null) =>
  k ? Array.from(k, (b) => b.toString(16).padStart(2, "0")).join("") : null;

Deno.test("cli osdp rekey stores a new key, sets it and reconnects under it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-rekey-" });
  const pty = openPty();
  const emu = new OsdpEmulator(pty.master, { readers: [{ address: 4, scbk: KEY }] });
  emu.start();
  try {
    const config = `${dir}/pontaj.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        journal: { dir: `${dir}/journal` },
        iflow: { accessToken: "osdp-test-token-0001" },
        readers: [{
          name: "door",
          kind: "osdp",
          port: pty.path,
          address: 4,
          baudRate: 115200,
          secureChannel: { scbk: KEY },
        }],
      }),
    );
    const code = await main(["osdp", "rekey", "--config", config, "--reader", "door"]);
    assert.equal(code, 0);
    const file = JSON.parse(await Deno.readTextFile(`${dir}/journal/osdp-keys.json`));
    const stored = file.keys[`${pty.path}#4`].scbk;
    assert.match(stored, /^[0-9a-f]{32}$/);
    assert.notEqual(stored, KEY);
    assert.equal(hex(emu.reader(4).scbk), stored);
    assert.equal(emu.reader(4).counters.keysets, 1);
    assert.equal(await main(["osdp", "rekey", "--config", config, "--reader", "nope"]), 2);
  } finally {
    await emu.close();
    await pty.close();
    await Deno.remove(dir, { recursive: true });
  }
});
