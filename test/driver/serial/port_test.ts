import assert from "node:assert/strict";
import { openPty, SerialError, SerialPort } from "../../../driver/serial/mod.ts";
import { applyRawSettings, readSettings, TERMIOS2_SIZE } from "../../../driver/serial/termios.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("serial port reads and writes bytes over a real pty", async () => {
  const pty = openPty();
  const port = await SerialPort.open(pty.path, { baudRate: 115200 });
  try {
    await pty.master.write(enc("hello"));
    const buf = new Uint8Array(64);
    let got = "";
    while (got.length < 5) {
      const n = await port.read(buf);
      got += new TextDecoder().decode(buf.subarray(0, n));
    }
    assert.equal(got, "hello");
    await port.write(enc("back"));
    let back = "";
    while (back.length < 4) {
      const n = await pty.master.read(buf);
      back += new TextDecoder().decode(buf.subarray(0, n));
    }
    assert.equal(back, "back");
  } finally {
    await port.close();
    await pty.close();
  }
});

Deno.test("serial port sets any baud rate through termios2", async () => {
  const pty = openPty();
  try {
    for (const baud of [9600, 115200, 250000, 921600, 31250, 12345]) {
      const port = await SerialPort.open(pty.path, { baudRate: baud });
      const s = port.currentSettings();
      await port.close();
      assert.equal(s.baudRate, baud);
      assert.equal(s.raw, true);
    }
  } finally {
    await pty.close();
  }
});

Deno.test("serial termios2 encodes data bits, parity and stop bits", () => {
  for (const dataBits of [7, 8] as const) {
    for (const parity of ["none", "even", "odd"] as const) {
      for (const stopBits of [1, 2] as const) {
        const t = new Uint8Array(TERMIOS2_SIZE).fill(0xff);
        applyRawSettings(t, { baudRate: 19200, dataBits, parity, stopBits });
        assert.deepEqual(readSettings(t), {
          baudRate: 19200,
          dataBits,
          parity,
          stopBits,
          raw: true,
        });
        const v = new DataView(t.buffer);
        assert.equal(v.getUint32(8, true) & 0x1000, 0x1000, "BOTHER set");
        assert.equal(v.getUint32(36, true), 19200, "c_ispeed");
        assert.equal(t[17 + 6], 1, "VMIN 1");
      }
    }
  }
});

Deno.test("serial close while a read waits resolves the read with 0 promptly", async () => {
  const pty = openPty();
  const port = await SerialPort.open(pty.path, { baudRate: 9600 });
  const buf = new Uint8Array(16);
  const pending = port.read(buf);
  await new Promise((r) => setTimeout(r, 30));
  const t0 = performance.now();
  await port.close();
  const n = await pending;
  const ms = performance.now() - t0;
  await pty.close();
  assert.equal(n, 0);
  assert.ok(ms < 100, `close took ${ms.toFixed(1)} ms`);
});

Deno.test("serial read with a timeout returns 0 when nothing arrives", async () => {
  const pty = openPty();
  const port = await SerialPort.open(pty.path, { baudRate: 9600 });
  try {
    assert.equal(await port.read(new Uint8Array(8), 20), 0);
  } finally {
    await port.close();
    await pty.close();
  }
});

Deno.test("serial hang-up surfaces as disconnected and reopening works", async () => {
  const pty = openPty();
  const port = await SerialPort.open(pty.path, { baudRate: 9600 });
  const pending = port.read(new Uint8Array(8));
  await pty.close();
  await assert.rejects(
    pending,
    (e: unknown) => e instanceof SerialError && e.code === "disconnected",
  );
  await port.close();
  // "Plug the reader back": a new line, the port opened again, data flows.
  const pty2 = openPty();
  const port2 = await SerialPort.open(pty2.path, { baudRate: 9600 });
  await pty2.master.write(enc("x"));
  const buf = new Uint8Array(8);
  assert.equal(await port2.read(buf), 1);
  assert.equal(buf[0], 0x78);
  await port2.close();
  await pty2.close();
});

Deno.test("serial open errors name the problem", async () => {
  await assert.rejects(
    SerialPort.open("/dev/ttyDOES-NOT-EXIST", { baudRate: 9600 }),
    (e: unknown) =>
      e instanceof SerialError && e.code === "not-found" && /no such serial port/.test(e.message),
  );
  const pty = openPty();
  const port = await SerialPort.open(pty.path, { baudRate: 9600 });
  await assert.rejects(
    SerialPort.open(pty.path, { baudRate: 9600 }),
    (e: unknown) => e instanceof SerialError && e.code === "busy" && /busy/.test(e.message),
  );
  await assert.rejects(
    SerialPort.open("/dev/null", { baudRate: 9600 }),
    (e: unknown) => e instanceof SerialError && /not a serial port/.test(e.message),
  );
  await port.close();
  await pty.close();
});

Deno.test("serial rs485 on a device without it warns and keeps working", async () => {
  const pty = openPty();
  const warnings: string[] = [];
  const port = await SerialPort.open(pty.path, {
    baudRate: 9600,
    rs485: true,
    onWarning: (w) => warnings.push(w),
  });
  assert.equal(port.rs485, false);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /RS-485 mode not supported/);
  await pty.master.write(enc("ok"));
  assert.ok((await port.read(new Uint8Array(8))) >= 1);
  await port.close();
  await pty.close();
});

Deno.test("serial process exits by itself after close with a read pending", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./fixtures/close_exit.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(text, /read resolved 0/);
  assert.match(text, /done/);
});
