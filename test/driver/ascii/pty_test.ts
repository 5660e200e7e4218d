import assert from "node:assert/strict";
import {
  AsciiFrameDecoder,
  AsciiReaderSimulator,
  LineDecoder,
  LineReaderSimulator,
} from "../../../driver/ascii/mod.ts";
import { openPty, SerialPort } from "../../../driver/serial/mod.ts";
import { pumpDecoder } from "../../../driver/serial_pump.ts";
import { formatTag } from "../../../driver/tag.ts";
import { Prng, testSeed } from "../../support/prng.ts";

Deno.test("ascii reader over a pty yields exactly the valid ids, in order", async () => {
  const rng = new Prng(testSeed(7));
  const pty = openPty();
  const port = await SerialPort.open(pty.path, { baudRate: 9600 });
  const dec = new AsciiFrameDecoder();
  const got: string[] = [];
  const pump = pumpDecoder(port, dec, (r) => got.push(formatTag(r, "hex")));
  const sim = new AsciiReaderSimulator(pty.master, () => rng.nextU32());
  await sim.tap(0x67003b51c6n);
  await sim.tap(0x0102030405n, { chunk: 3, crlf: true }); // split across writes
  await sim.tap(0xdeadbeef01n, { badChecksum: true }); // dropped
  await sim.tap(0x1111111111n, { noiseBefore: 50 });
  await sim.tap(0x2222222222n); // back to back
  await sim.tap(0x3333333333n);
  const want = ["67003B51C6", "0102030405", "1111111111", "2222222222", "3333333333"];
  for (let i = 0; i < 200 && got.length < want.length; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await port.close();
  await pump;
  await pty.close();
  assert.deepEqual(got, want, `seed ${rng.seed}`);
  assert.equal(dec.counters.checksumErrors, 1);
});

Deno.test("line reader over a pty yields each code", async () => {
  const pty = openPty();
  const port = await SerialPort.open(pty.path, { baudRate: 9600 });
  const got: string[] = [];
  const pump = pumpDecoder(port, new LineDecoder(), (r) => got.push(formatTag(r, "dec10")));
  const sim = new LineReaderSimulator(pty.master);
  await sim.tap("3887558");
  await sim.tap("42", "\n");
  for (let i = 0; i < 200 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  await port.close();
  await pump;
  await pty.close();
  assert.deepEqual(got, ["0003887558", "0000000042"]);
});
