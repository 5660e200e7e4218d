/**
 * The serial reader kinds: `ascii` (125 kHz ASCII frames) and `line` (one
 * code per line), each a port read by its byte decoder.
 *
 * @module
 */

import { replayAscii, replayLine } from "../../../driver/capture/replay_serial.ts";
import type { AsciiReaderConfig, LineReaderConfig } from "../../../driver/ascii/config.ts";
import { decodeAsciiCapture, decodeLineCapture } from "../../../driver/ascii/inspect.ts";
import type { DeviceContext, ReaderKind } from "../kind.ts";
import { asciiEntryKind, lineEntryKind } from "./entries.ts";
import { createAsciiReader, createLineReader, type SerialReaderOptions } from "../serial_reader.ts";
import type { DemoReader } from "../../demo/sim_readers.ts";

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

/** Both serial simulators, writing to one pty master. */
interface SerialSims {
  ascii: import("../../../driver/ascii/sim/simulator.ts").AsciiReaderSimulator;
  line: import("../../../driver/ascii/sim/simulator.ts").LineReaderSimulator;
}

/**
 * A serial reader of `kind` simulated on a fresh pty (9600 baud, `dec10`
 * tags); `tap` presents a card through the simulator for that kind.
 */
async function serialDemo(
  kind: "ascii" | "line",
  name: string,
  tap: (sims: SerialSims, tag: string) => Promise<void>,
): Promise<DemoReader> {
  const { openPty } = await import("../../../driver/serial/pty.ts");
  const { AsciiReaderSimulator, LineReaderSimulator } = await import(
    "../../../driver/ascii/sim/simulator.ts"
  );
  const pty = openPty();
  const sims = {
    ascii: new AsciiReaderSimulator(pty.master),
    line: new LineReaderSimulator(pty.master),
  };
  return {
    kind,
    where: pty.path,
    config: { name, kind, port: pty.path, baudRate: 9600, tagFormat: "dec10" },
    tap: (tag) => tap(sims, tag),
    close: () => pty.close(),
  };
}

/** `ascii`: RDM6300, ID-12/ID-20 and copies on a serial line. */
export const asciiKind: ReaderKind<typeof asciiEntryKind.entry> = {
  ...asciiEntryKind,
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
  demo: (name) =>
    serialDemo("ascii", name, (sim, tag) => sim.ascii.tap(BigInt(Number(tag)), { crlf: true })),
};

/** `line`: readers that print one decimal or hex code per line. */
export const lineKind: ReaderKind<typeof lineEntryKind.entry> = {
  ...lineEntryKind,
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
  demo: (name) => serialDemo("line", name, (sim, tag) => sim.line.tap(String(Number(tag)))),
};
