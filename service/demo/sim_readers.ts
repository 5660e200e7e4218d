/**
 * Simulated readers for the demo: each kind's simulator on a real pty (or the
 * kind's own simulated source), the config entry the agent reads it with, and
 * a `tap(tag)` that makes the card with that `dec10` tag appear.
 *
 * @module
 */

import { AsciiReaderSimulator, LineReaderSimulator } from "../../driver/ascii/mod.ts";
import { openPty } from "../../driver/serial/mod.ts";

/** A simulated reader the demo drives. */
export interface DemoReader {
  /** Reader kind. */
  kind: string;
  /** The config entry (name, kind, options, tagFormat). */
  config: Record<string, unknown>;
  /** Presents the card whose dec10 tag is `tag` (10 digits). */
  tap(tag: string): Promise<void>;
  /** Releases the simulator. */
  close(): Promise<void>;
}

/** An ASCII 125 kHz reader on a pty (id byte 0 = version 0x00). */
export function demoAsciiReader(name: string): DemoReader {
  const pty = openPty();
  const sim = new AsciiReaderSimulator(pty.master);
  return {
    kind: "ascii",
    config: { name, kind: "ascii", port: pty.path, baudRate: 9600, tagFormat: "dec10" },
    tap: (tag) => sim.tap(BigInt(Number(tag)), { crlf: true }),
    close: () => pty.close(),
  };
}

/** A one-code-per-line reader on a pty, printing the card number in decimal. */
export function demoLineReader(name: string): DemoReader {
  const pty = openPty();
  const sim = new LineReaderSimulator(pty.master);
  return {
    kind: "line",
    config: { name, kind: "line", port: pty.path, baudRate: 9600, tagFormat: "dec10" },
    tap: (tag) => sim.tap(String(Number(tag))),
    close: () => pty.close(),
  };
}

/** One simulated reader of every implemented kind. */
export function demoReaders(): DemoReader[] {
  return [demoAsciiReader("gate-ascii"), demoLineReader("gate-line")];
}
