import assert from "node:assert/strict";
import { libc } from "../../../driver/libc.ts";
import { OsdpBus, OsdpCmd, OsdpEmulator } from "../../../driver/osdp/mod.ts";
import { openPty } from "../../../driver/serial/mod.ts";
import { IOCTL, readSettings, TERMIOS2_SIZE } from "../../../driver/serial/termios.ts";
import { FAST, until } from "./harness.ts";

/** The line speed the kernel holds for the pty (TCGETS2 on the master reads the slave's). */
function lineBaud(masterFd: number): number {
  const t = new Uint8Array(TERMIOS2_SIZE);
  assert.equal(libc().ioctl(masterFd, IOCTL.TCGETS2, t), 0);
  return readSettings(t).baudRate;
}

Deno.test("osdp cp follows an accepted COMSET to the new line speed", async () => {
  const pty = openPty();
  const emu = new OsdpEmulator(pty.master, { readers: [{ address: 1 }] });
  emu.start();
  const bus = await OsdpBus.open(pty.path, {
    baudRate: 9600,
    readers: [{ name: "door", address: 1 }],
    timing: FAST,
  });
  try {
    await until(() => bus.readerStatus(1)!.online, "online");
    assert.equal(lineBaud(pty.master.fd), 9600);
    // 38400 = 0x9600, little-endian after the (unchanged) address.
    assert.equal(bus.command(1, OsdpCmd.COMSET, Uint8Array.of(1, 0x00, 0x96, 0x00, 0x00)), true);
    await until(() => bus.baudRate === 38400, "line moved to 38400");
    assert.equal(lineBaud(pty.master.fd), 38400);
    const n = emu.reader(1).received.length;
    await until(() => emu.reader(1).received.length > n + 3, "polls at the new speed");
    assert.deepEqual(bus.readerStatus(1)!.com, { address: 1, baudRate: 38400 });
  } finally {
    await bus.close();
    await emu.close();
    await pty.close();
  }
});
