// Interop with libosdp, an OSDP implementation no one here wrote: its PD API
// (libosdp_pd.c, built outside the repository) on the slave end of a pty, the
// control panel on the master end. Opt-in: set PONTAJ_LIBOSDP_PD to the built
// program (and LD_LIBRARY_PATH to libosdp's lib directory). See the README.
import assert from "node:assert/strict";
import { openPty } from "../../../../driver/serial/mod.ts";
import { OsdpBus, type OsdpCardEvent } from "../../../../driver/osdp/mod.ts";
import { OsdpKeyFile } from "../../../../service/readers/osdp_keys.ts";
import { until } from "../harness.ts";

const BIN = Deno.env.get("PONTAJ_LIBOSDP_PD");
const KEY = "00112233445566778899aabbccddeeff";
const hex = (k: Uint8Array | null) =>
  k ? Array.from(k, (b) => b.toString(16).padStart(2, "0")).join("") : null;

/** Runs libosdp's PD and our CP on one pty until `check` is done. */
async function session(
  dir: string,
  keys: OsdpKeyFile,
  secureChannel: { install?: boolean; scbk?: string; required?: boolean },
  check: (bus: OsdpBus, pdOut: string[], cards: OsdpCardEvent[]) => Promise<void>,
): Promise<void> {
  const pty = openPty();
  const pd = new Deno.Command(BIN!, {
    args: [pty.path, "1", `${dir}/pd.key`],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const pdOut: string[] = [];
  const reading = (async () => {
    for await (const chunk of pd.stdout.pipeThrough(new TextDecoderStream())) {
      pdOut.push(...chunk.split("\n").filter((l) => l));
    }
  })();
  const cards: OsdpCardEvent[] = [];
  const bus = new OsdpBus(pty.master, {
    readers: [{ name: "lib", address: 1, secureChannel }],
    timing: { replyTimeoutMs: 200, pollIntervalMs: 20 },
    keyStore: keys.forPort("pty"),
    onCard: (ev) => cards.push({ ...ev }),
  });
  bus.start();
  try {
    await check(bus, pdOut, cards);
  } finally {
    await bus.close();
    pd.kill("SIGKILL");
    await pd.status;
    await pd.stderr.cancel();
    await reading;
    await pty.close();
  }
}

Deno.test({
  name:
    "libosdp interop: install on SCBK-D, restart under the installed key, a card over the new session",
  ignore: !BIN,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pontaj-libosdp-" });
    try {
      const keys = await OsdpKeyFile.open(dir);
      await session(dir, keys, { install: true, required: true }, async (bus, out, cards) => {
        await until(
          () => bus.readerStatus(1)!.keySource === "installed" && bus.readerStatus(1)!.online,
          "installed",
          20_000,
        );
        assert.ok(out.includes("KEYSET type=1 len=16"), out.join("\n"));
        const pdKey = hex(await Deno.readFile(`${dir}/pd.key`));
        assert.equal(pdKey, hex(keys.load("pty", 1)));
        await until(() => cards.length === 1, "card over the installed key", 20_000);
        assert.equal(cards[0]!.read.card, 3456);
      });
      const again = await OsdpKeyFile.open(dir);
      await session(dir, again, { install: true, required: true }, async (bus, out, cards) => {
        await until(() => bus.readerStatus(1)!.online, "online after restart", 20_000);
        const st = bus.readerStatus(1)!;
        assert.equal(st.keySource, "installed");
        assert.equal(st.secureChannel, "active");
        assert.equal(st.counters.scFailures, 0);
        assert.ok(
          out.includes("START key") && !out.some((l) => l.startsWith("KEYSET")),
          out.join("\n"),
        );
        await until(() => cards.length === 1, "card", 20_000);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "libosdp interop: install the configured key; a wrong key with required is refused with its reason",
  ignore: !BIN,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pontaj-libosdp-" });
    try {
      const keys = await OsdpKeyFile.open(dir);
      await session(dir, keys, { install: true, scbk: KEY }, async (bus, out) => {
        await until(
          () => bus.readerStatus(1)!.keySource === "installed" && bus.readerStatus(1)!.online,
          "installed",
          20_000,
        );
        assert.ok(out.includes("KEYSET type=1 len=16"));
        assert.equal(hex(await Deno.readFile(`${dir}/pd.key`)), KEY);
      });
      // A panel that knows neither the stored nor the reader's key, and no install.
      const empty = await Deno.makeTempDir({ prefix: "pontaj-libosdp-none-" });
      try {
        await session(
          dir,
          await OsdpKeyFile.open(empty),
          { scbk: "ff".repeat(16), required: true },
          async (bus) => {
            await until(() => bus.readerStatus(1)!.phase === "refused", "refused", 20_000);
            assert.match(bus.readerStatus(1)!.refusal!, /key mismatch|NAK/);
          },
        );
      } finally {
        await Deno.remove(empty, { recursive: true });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
