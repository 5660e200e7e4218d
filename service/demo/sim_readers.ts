/**
 * Simulated readers for the demo: each kind's simulator on a real pty (or the
 * kind's own simulated source), the config entry the agent reads it with, and
 * a `tap(tag)` that makes the card with that `dec10` tag appear.
 *
 * @module
 */

import { AsciiReaderSimulator, LineReaderSimulator } from "../../driver/ascii/mod.ts";
import { openPty } from "../../driver/serial/mod.ts";
import { OsdpCmd, OsdpEmulator } from "../../driver/osdp/mod.ts";
import { Rc522Sim, Rc522UartSim, VirtualCard } from "../../driver/rc522/mod.ts";
import {
  bitsToString,
  encodeWiegand,
  type GpioIoctl,
  monotonicClock,
  SimulatedGpio,
  WiegandPulseGenerator,
} from "../../driver/wiegand/mod.ts";

/** A simulated reader the demo drives (tests and the chaos suite use them too). */
export interface DemoReader {
  /** Reader kind. */
  kind: string;
  /** Where it is wired (a pty path, or a simulated chip). */
  where: string;
  /** The config entry (name, kind, options, tagFormat). */
  config: Record<string, unknown>;
  /** Presents the card whose dec10 tag is `tag` (10 digits). */
  tap(tag: string): Promise<void>;
  /** Releases the simulator. */
  close(): Promise<void>;
  /** Feedback commands (LED, beep) the reader received, for readers that take them. */
  feedbackCount?(): number;
  /** The simulated GPIO chip a `wiegand` reader is read through (no gpiochip here). */
  gpio?: GpioIoctl;
}

/** An ASCII 125 kHz reader on a pty (id byte 0 = version 0x00). */
export function demoAsciiReader(name: string): DemoReader {
  const pty = openPty();
  const sim = new AsciiReaderSimulator(pty.master);
  return {
    kind: "ascii",
    where: pty.path,
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
    where: pty.path,
    config: { name, kind: "line", port: pty.path, baudRate: 9600, tagFormat: "dec10" },
    tap: (tag) => sim.tap(String(Number(tag))),
    close: () => pty.close(),
  };
}

/**
 * A Wiegand 26-bit (H10301) reader on a simulated GPIO chip: the card with
 * dec10 tag N is facility N >> 16, card N & 0xFFFF, so its `dec10` is N again.
 */
export function demoWiegandReader(name: string, seed = 1): DemoReader {
  const gpio = new SimulatedGpio();
  const gen = new WiegandPulseGenerator({ seed, intervalUs: 1000 });
  const now = new Int32Array(2);
  return {
    kind: "wiegand",
    where: "a simulated GPIO chip (D0 line 0, D1 line 1)",
    config: { name, kind: "wiegand", chip: "/dev/gpiochip0", d0: 0, d1: 1, tagFormat: "dec10" },
    gpio,
    tap: async (tag) => {
      const n = Number(tag);
      monotonicClock(now);
      gen.nowNs = BigInt(now[0]!) * 1_000_000_000n + BigInt(now[1]!);
      gen.frame(encodeWiegand("h10301", Math.floor(n / 65536) % 256, n % 65536));
      await gpio.send(gen.eventBytes());
    },
    close: () => gpio.dispose(),
  };
}

/**
 * An OSDP reader (address 1) emulated on a pty, in Secure Channel install
 * mode: the card with dec10 tag N arrives as a 26-bit osdp_RAW read.
 */
export function demoOsdpReader(name: string): DemoReader {
  const pty = openPty();
  const emulator = new OsdpEmulator(pty.master, { readers: [{ address: 1 }] });
  emulator.start();
  return {
    kind: "osdp",
    where: `${pty.path} (address 1, Secure Channel install mode)`,
    config: { name, kind: "osdp", port: pty.path, address: 1, tagFormat: "dec10" },
    tap: (tag) => {
      const n = Number(tag);
      const bits = encodeWiegand("h10301", Math.floor(n / 65536) % 256, n % 65536);
      emulator.reader(1).tapBits(bitsToString(bits), 1);
      return Promise.resolve();
    },
    feedbackCount: () => emulator.reader(1).received.filter((c) => c.code === OsdpCmd.LED).length,
    close: async () => {
      await emulator.close();
      await pty.close();
    },
  };
}

/**
 * An MFRC522 board on its UART (a pty), with a simulated chip answering
 * register reads and writes: the card with dec10 tag N has the 4-byte UID N,
 * held to the reader for half a second.
 */
export function demoRc522Reader(name: string): DemoReader {
  const pty = openPty();
  const chip = new Rc522Sim();
  const uart = new Rc522UartSim(chip, pty.master);
  uart.start();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  return {
    kind: "rc522",
    where: `${pty.path} (the chip's UART, simulated MFRC522)`,
    config: {
      name,
      kind: "rc522",
      uart: { port: pty.path, baudRate: 9600 },
      pollIntervalMs: 50,
      tagFormat: "dec10",
    },
    tap: (tag) => {
      const n = Number(tag);
      const uid = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
      const card = new VirtualCard({ uid });
      chip.field.add(card);
      const t = setTimeout(() => {
        chip.field.remove(card);
        timers.delete(t);
      }, 500);
      timers.add(t);
      return Promise.resolve();
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await pty.close();
      await uart.stopped();
    },
  };
}

/** One simulated reader of every implemented kind. */
export function demoReaders(): DemoReader[] {
  return [
    demoAsciiReader("gate-ascii"),
    demoLineReader("gate-line"),
    demoWiegandReader("gate-wiegand"),
    demoOsdpReader("gate-osdp"),
    demoRc522Reader("gate-rc522"),
  ];
}

/** The simulated kernel layers the agent needs for `readers` (see {@link DemoReader.gpio}). */
export function demoDeviceOverrides(readers: DemoReader[]): { gpio: Map<string, GpioIoctl> } {
  const gpio = new Map<string, GpioIoctl>();
  for (const r of readers) if (r.gpio) gpio.set(String(r.config.name), r.gpio);
  return { gpio };
}
