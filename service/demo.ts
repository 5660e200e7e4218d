/**
 * The demo: a simulated ASCII 125 kHz reader on a real pty, read by the real
 * serial port and decoder, printing each decoded tag.
 *
 * @module
 */

import {
  AsciiFrameDecoder,
  AsciiReaderSimulator,
  formatTag,
  openPty,
  pumpDecoder,
  SerialPort,
} from "../driver/mod.ts";

/** Runs the ASCII demo, printing through `print`; resolves with the tags read. */
export async function runAsciiDemo(print: (line: string) => void = console.log): Promise<string[]> {
  const pty = openPty();
  const port = await SerialPort.open(pty.path, { baudRate: 9600 });
  print(`simulated ASCII reader on ${pty.path} (9600 8N1)`);
  const decoder = new AsciiFrameDecoder();
  const tags: string[] = [];
  const pump = pumpDecoder(port, decoder, (read) => {
    const tag = formatTag(read, "dec10");
    tags.push(tag);
    print(`card ${formatTag(read, "hex")} -> rfidTag ${tag}`);
  });
  const sim = new AsciiReaderSimulator(pty.master);
  const cards = [0x67003b51c6n, 0x0a00123456n, 0x1f00badc0dn];
  for (const id of cards) {
    await sim.tap(id, { crlf: true, chunk: 5, noiseBefore: 8 });
    await new Promise((r) => setTimeout(r, 200));
  }
  await sim.tap(0x0102030405n, { badChecksum: true });
  await new Promise((r) => setTimeout(r, 200));
  await port.close();
  await pump;
  await pty.close();
  print(
    `read ${decoder.counters.frames} cards, ${decoder.counters.checksumErrors} bad checksum, ` +
      `${decoder.counters.framingErrors} framing errors`,
  );
  return tags;
}

if (import.meta.main) await runAsciiDemo();
