// Secure Channel key installation over a real pty with the emulated reader
// and the real key file (osdp-keys.json in a temporary directory).
import assert from "node:assert/strict";
import { EmulatedPd, OsdpCmd, type OsdpParser } from "../../../driver/osdp/mod.ts";
import { OsdpKeyFile } from "../../../service/readers/osdp_keys.ts";
import { until, withLine } from "../../driver/osdp/harness.ts";

const KEY = "00112233445566778899aabbccddeeff";
const hex = (k: Uint8Array | null) =>
  k ? Array.from(k, (b) => b.toString(16).padStart(2, "0")).join("") : null;

async function withKeyDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-osdp-keys-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("osdp install mode generates a key, stores it first, sets it with KEYSET and reconnects", async () => {
  await withKeyDir(async (dir) => {
    const file = await OsdpKeyFile.open(dir);
    await withLine(
      {
        pds: [{ address: 1 }],
        readers: [{ name: "gate", address: 1, secureChannel: { install: true, required: true } }],
        bus: { keyStore: file.forPort("line") },
      },
      async (l) => {
        const pd = l.emu.reader(1);
        await until(() => l.bus.readerStatus(1)!.online, "online");
        const st = l.bus.readerStatus(1)!;
        assert.equal(st.secureChannel, "active");
        assert.equal(st.keySource, "installed");
        assert.equal(st.counters.keysInstalled, 1);
        assert.equal(pd.counters.keysets, 1);
        assert.equal(pd.counters.handshakes, 2, "SCBK-D, then the new key");
        const stored = file.load("line", 1);
        assert.ok(stored);
        assert.equal(hex(pd.scbk), hex(stored));
        assert.notEqual(hex(stored), "303132333435363738393a3b3c3d3e3f");
        const onDisk = JSON.parse(await Deno.readTextFile(`${dir}/osdp-keys.json`));
        assert.equal(onDisk.keys["line#1"].scbk, hex(stored));
        assert.equal((await Deno.stat(`${dir}/osdp-keys.json`)).mode! & 0o777, 0o600);
        const logged = JSON.stringify(l.logs);
        assert.ok(!logged.includes(hex(stored)!), "the key is never logged");
        assert.ok(l.logs.some((x) => x.msg === "osdp key installed; reconnecting under it"));
      },
    );
  });
});

Deno.test("osdp install mode sets the configured key; a restart reconnects under the installed key", async () => {
  await withKeyDir(async (dir) => {
    const file = await OsdpKeyFile.open(dir);
    const spec = { name: "gate", address: 3, secureChannel: { scbk: KEY, install: true } };
    let pdKey: string | null = null;
    await withLine(
      { pds: [{ address: 3 }], readers: [spec], bus: { keyStore: file.forPort("line") } },
      async (l) => {
        await until(() => l.bus.readerStatus(3)!.online, "online");
        assert.equal(l.bus.readerStatus(3)!.keySource, "installed");
        pdKey = hex(l.emu.reader(3).scbk);
        assert.equal(pdKey, KEY);
      },
    );
    // A new panel (restart) and the same reader, which kept its key.
    const again = await OsdpKeyFile.open(dir);
    await withLine(
      {
        pds: [{ address: 3, scbk: pdKey! }],
        readers: [spec],
        bus: { keyStore: again.forPort("line") },
      },
      async (l) => {
        await until(() => l.bus.readerStatus(3)!.online, "online after restart");
        const st = l.bus.readerStatus(3)!;
        assert.equal(st.secureChannel, "active");
        assert.equal(st.keySource, "installed");
        assert.equal(st.counters.scFailures, 0, "the stored key worked at once");
        assert.equal(l.emu.reader(3).counters.keysets, 0, "nothing installed again");
      },
    );
  });
});

Deno.test("osdp cp without install refuses a reader on the default key when required", async () => {
  await withLine(
    {
      pds: [{ address: 1 }],
      readers: [{ name: "gate", address: 1, secureChannel: { required: true } }],
    },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.phase === "refused", "refused");
      const st = l.bus.readerStatus(1)!;
      assert.equal(st.secureChannel, "default-key");
      assert.match(st.refusal!, /default key SCBK-D/);
      assert.equal(l.emu.reader(1).counters.keysets, 0);
    },
  );
});

Deno.test("osdp install without a key store sends no KEYSET and stays on the default key", async () => {
  await withLine(
    {
      pds: [{ address: 1 }],
      readers: [{ name: "gate", address: 1, secureChannel: { install: true } }],
    },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.online, "online");
      const st = l.bus.readerStatus(1)!;
      assert.equal(st.secureChannel, "default-key");
      assert.match(st.lastError!, /could not store it \(no key store configured\)/);
      assert.equal(l.emu.reader(1).counters.keysets, 0);
    },
  );
});

Deno.test("osdp bus rekey stores a new key, sets it under the current session and reconnects", async () => {
  await withKeyDir(async (dir) => {
    const file = await OsdpKeyFile.open(dir);
    await withLine(
      {
        pds: [{ address: 2, scbk: KEY }],
        readers: [{ name: "gate", address: 2, secureChannel: { scbk: KEY } }],
        bus: { keyStore: file.forPort("line") },
      },
      async (l) => {
        await until(() => l.bus.readerStatus(2)!.online, "online");
        assert.equal(l.bus.readerStatus(2)!.keySource, "configured");
        assert.equal(await l.bus.rekey(2), true);
        const st = l.bus.readerStatus(2)!;
        assert.equal(st.keySource, "installed");
        const stored = hex(file.load("line", 2));
        assert.ok(stored && stored !== KEY);
        assert.equal(hex(l.emu.reader(2).scbk), stored);
      },
    );
  });
});

/** A reader that loses its reply to the first KEYSET (`thenSilent`: and then stops answering). */
class DropsKeysetAck extends EmulatedPd {
  dropped = false;
  constructor(readonly thenSilent: boolean) {
    super({ address: 1 });
  }
  override handle(p: OsdpParser): number {
    const n = super.handle(p);
    if (!this.dropped && !p.reply && p.code === OsdpCmd.KEYSET && n > 0) {
      this.dropped = true;
      if (this.thenSilent) this.silent = true;
      return 0;
    }
    return n;
  }
}

Deno.test("osdp install: a lost KEYSET ACK is resent with the same sequence and answered from the reader's cache", async () => {
  await withKeyDir(async (dir) => {
    const file = await OsdpKeyFile.open(dir);
    const pd = new DropsKeysetAck(false);
    await withLine(
      {
        pds: [pd],
        readers: [{ name: "gate", address: 1, secureChannel: { install: true } }],
        bus: { keyStore: file.forPort("line") },
      },
      async (l) => {
        await until(() => l.bus.readerStatus(1)!.keySource === "installed", "installed");
        assert.ok(pd.dropped);
        assert.equal(pd.counters.keysets, 1);
        assert.ok(pd.counters.cachedReplies >= 1);
        assert.equal(hex(pd.scbk), hex(file.load("line", 1)));
      },
    );
  });
});

Deno.test("osdp install: a reader that took the key and went silent comes back under it without a restart", async () => {
  await withKeyDir(async (dir) => {
    const file = await OsdpKeyFile.open(dir);
    const pd = new DropsKeysetAck(true);
    await withLine(
      {
        pds: [pd],
        readers: [{ name: "gate", address: 1, secureChannel: { install: true } }],
        bus: { keyStore: file.forPort("line") },
        timing: { offlineAfterMs: 600, replyTimeoutMs: 100 },
      },
      async (l) => {
        await until(() => l.bus.readerStatus(1)!.phase === "offline", "offline");
        assert.ok(pd.scbk !== null, "the reader holds the new key");
        pd.silent = false;
        await until(() => l.bus.readerStatus(1)!.online, "online again");
        const st = l.bus.readerStatus(1)!;
        assert.equal(st.keySource, "installed");
        assert.equal(st.secureChannel, "active");
        assert.equal(pd.counters.keysets, 1);
      },
    );
  });
});
