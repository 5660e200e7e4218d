import assert from "node:assert/strict";
import { OsdpBus, OsdpEmulator } from "../../../driver/osdp/mod.ts";
import { openPty } from "../../../driver/serial/mod.ts";
import { FAST, until } from "./harness.ts";

Deno.test("osdp bus reports a vanished port, keeps retrying, and closes cleanly", async () => {
  const pty = openPty();
  const emu = new OsdpEmulator(pty.master, { readers: [{ address: 1 }] });
  emu.start();
  const bus = await OsdpBus.open(pty.path, {
    baudRate: 38400,
    readers: [{ name: "gate", address: 1 }],
    timing: FAST,
  });
  try {
    await until(() => bus.readerStatus(1)!.online, "online");
    await emu.close(); // closes the master: the line is gone
    await until(() => bus.counters.portErrors >= 1, "port failure");
    const st = bus.readerStatus(1)!;
    assert.equal(st.online, false);
    assert.equal(st.phase, "offline");
    assert.match(bus.lastError, /disconnected/);
    assert.match(st.lastError!, /^port: /);
  } finally {
    await bus.close();
    await pty.close();
  }
});

Deno.test("osdp bus without reopen settles finished with the port's error", async () => {
  const pty = openPty();
  const emu = new OsdpEmulator(pty.master, { readers: [{ address: 2 }] });
  emu.start();
  const bus = await OsdpBus.open(pty.path, {
    readers: [{ name: "side", address: 2 }],
    timing: FAST,
    reopen: false,
  });
  try {
    assert.equal(bus.addressOf("side"), 2);
    assert.equal(bus.addressOf("nope"), undefined);
    await until(() => bus.readerStatus(2)!.online, "online");
    await emu.close();
    await assert.rejects(bus.finished, (e: Error & { code?: string }) => e.code === "disconnected");
  } finally {
    await bus.close();
    await pty.close();
  }
});
