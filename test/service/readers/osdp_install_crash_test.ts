// A panel killed between storing a key and the reader's ACK never locks the
// reader out: the next panel tries the stored key, then SCBK-D, and ends on
// the stored key. The panel runs in a child process over a real pty.
import assert from "node:assert/strict";
import { openPty } from "../../../driver/serial/mod.ts";
import { EmulatedPd, OsdpCmd, OsdpEmulator, type OsdpParser } from "../../../driver/osdp/mod.ts";
import { OsdpKeyFile } from "../../../service/readers/osdp_keys.ts";
import { until, withLine } from "../../driver/osdp/harness.ts";

const CHILD = new URL("./fixtures/osdp_cp_child.ts", import.meta.url).pathname;
const hex = (k: Uint8Array | null) =>
  k ? Array.from(k, (b) => b.toString(16).padStart(2, "0")).join("") : null;

/** A reader whose reply to KEYSET is lost, and that then stays silent (until told otherwise). */
class LosesKeysetAck extends EmulatedPd {
  override handle(p: OsdpParser): number {
    const n = super.handle(p);
    if (!p.reply && p.address === this.address && p.code === OsdpCmd.KEYSET) {
      this.silent = true;
      return 0;
    }
    return n;
  }
}

async function crashInstall(pd: EmulatedPd, dir: string, mode: string, killWhen: () => boolean) {
  const pty = openPty();
  const emu = new OsdpEmulator(pty.master, { readers: [pd] });
  emu.start();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, pty.path, dir, mode],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    if (mode === "run") {
      await until(killWhen, "the moment to kill the panel", 20_000);
      child.kill("SIGKILL");
    }
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout);
    assert.match(text, /stored/, `child output: ${text} ${new TextDecoder().decode(out.stderr)}`);
    if (mode === "exit-after-store") assert.equal(out.code, 9);
  } finally {
    await emu.close();
    await pty.close();
  }
}

async function restartAndCheck(pd: EmulatedPd, dir: string, keysetsBefore: number) {
  const file = await OsdpKeyFile.open(dir);
  const stored = hex(file.load("line", 1));
  assert.ok(stored, "the key was stored before the panel died");
  await withLine(
    {
      pds: [pd],
      readers: [{ name: "gate", address: 1, secureChannel: { install: true } }],
      bus: { keyStore: file.forPort("line") },
    },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.online, "online after the crash");
      const st = l.bus.readerStatus(1)!;
      assert.equal(st.secureChannel, "active");
      assert.equal(st.keySource, "installed");
      assert.equal(hex(pd.scbk), stored, "the reader ends on the stored key");
      assert.equal(hex(file.load("line", 1)), stored, "the same key, not a new one");
      assert.ok(pd.counters.keysets >= keysetsBefore);
    },
  );
}

Deno.test("osdp install: a panel that dies after storing the key, before KEYSET, recovers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-osdp-crash-" });
  try {
    const pd = new EmulatedPd({ address: 1 });
    await crashInstall(pd, dir, "exit-after-store", () => true);
    assert.equal(pd.scbk, null, "the reader never got the key");
    await restartAndCheck(pd, dir, 1);
    assert.equal(pd.counters.keysets, 1, "installed once, by the second panel");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("osdp install: a panel killed after the reader took the key, before its ACK, recovers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-osdp-crash-" });
  try {
    const pd = new LosesKeysetAck({ address: 1 });
    await crashInstall(pd, dir, "run", () => pd.counters.keysets === 1);
    assert.ok(pd.scbk !== null, "the reader took the key");
    pd.silent = false;
    pd.handle = EmulatedPd.prototype.handle; // answers normally from now on
    await restartAndCheck(pd, dir, 1);
    assert.equal(pd.counters.keysets, 1, "the stored key worked: no second KEYSET");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
