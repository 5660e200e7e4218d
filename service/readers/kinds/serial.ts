/**
 * The serial reader kinds: `ascii` (125 kHz ASCII frames) and `line` (one
 * code per line), each a port read by its byte decoder.
 *
 * @module
 */

import { replayAscii, replayLine } from "../../../driver/capture/replay_serial.ts";
import {
  type AsciiReaderConfig,
  AsciiReaderConfigSchema,
  type LineReaderConfig,
  LineReaderConfigSchema,
} from "../../../driver/ascii/config.ts";
import { decodeAsciiCapture, decodeLineCapture } from "../../../driver/ascii/inspect.ts";
import { type DeviceContext, entryKeys, type ReaderKind } from "../kind.ts";
import { createAsciiReader, createLineReader, type SerialReaderOptions } from "../serial_reader.ts";

function serialOptions(
  r: (AsciiReaderConfig | LineReaderConfig) & { name: string },
  ctx: DeviceContext,
): SerialReaderOptions {
  return {
    name: r.name,
    port: r.port,
    baudRate: r.baudRate,
    dataBits: r.dataBits,
    parity: r.parity,
    stopBits: r.stopBits,
    rs485: r.rs485,
    onWarning: (msg) => ctx.warn(r.name, msg),
  };
}

const asciiEntry = AsciiReaderConfigSchema.extend(entryKeys("ascii"));

/** `ascii`: RDM6300, ID-12/ID-20 and copies on a serial line. */
export const asciiKind: ReaderKind<typeof asciiEntry> = {
  kind: "ascii",
  entry: asciiEntry,
  devices: (readers, ctx) =>
    readers.map((r) => ({
      names: [r.name],
      kind: "ascii",
      create: () => createAsciiReader(serialOptions(r, ctx)),
    })),
  capture: {
    name: "ascii",
    hint: "raw bytes in hex starting with 02, or the 12 hex characters (67003B51C6CB)",
    decode: decodeAsciiCapture,
  },
  replay: replayAscii,
  async demo(name) {
    const { openPty } = await import("../../../driver/serial/pty.ts");
    const { AsciiReaderSimulator } = await import("../../../driver/ascii/sim/simulator.ts");
    const pty = openPty();
    const sim = new AsciiReaderSimulator(pty.master);
    return {
      kind: "ascii",
      where: pty.path,
      config: { name, kind: "ascii", port: pty.path, baudRate: 9600, tagFormat: "dec10" },
      tap: (tag) => sim.tap(BigInt(Number(tag)), { crlf: true }),
      close: () => pty.close(),
    };
  },
};

const lineEntry = LineReaderConfigSchema.extend(entryKeys("line"));

/** `line`: readers that print one decimal or hex code per line. */
export const lineKind: ReaderKind<typeof lineEntry> = {
  kind: "line",
  entry: lineEntry,
  devices: (readers, ctx) =>
    readers.map((r) => ({
      names: [r.name],
      kind: "line",
      create: () => createLineReader({ ...serialOptions(r, ctx), base: r.base }),
    })),
  capture: {
    name: "line",
    hint: "the printed line (3887558 or 04A3C6CAE26180)",
    decode: (s) => decodeLineCapture(s),
  },
  replay: replayLine,
  async demo(name) {
    const { openPty } = await import("../../../driver/serial/pty.ts");
    const { LineReaderSimulator } = await import("../../../driver/ascii/sim/simulator.ts");
    const pty = openPty();
    const sim = new LineReaderSimulator(pty.master);
    return {
      kind: "line",
      where: pty.path,
      config: { name, kind: "line", port: pty.path, baudRate: 9600, tagFormat: "dec10" },
      tap: (tag) => sim.tap(String(Number(tag))),
      close: () => pty.close(),
    };
  },
};
