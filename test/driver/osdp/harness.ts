// Test harness: a control panel (OsdpBus) on the slave end of a real pty and
// emulated readers on the master end.
import { openPty, SerialPort } from "../../../driver/serial/mod.ts";
import {
  type EmulatedPd,
  type EmulatedPdOptions,
  OsdpBus,
  type OsdpBusOptions,
  type OsdpCardEvent,
  OsdpEmulator,
  type OsdpEmulatorOptions,
  type OsdpKeypadEvent,
  type OsdpReaderSpec,
} from "../../../driver/osdp/mod.ts";

/** Short timings so the suite runs in seconds; nothing asserts on time. */
export const FAST = {
  replyTimeoutMs: 150,
  pollIntervalMs: 10,
  offlineAfterMs: 5000,
  reconnectMinMs: 50,
  reconnectMaxMs: 200,
  busyRetryMs: 20,
};

/** What a test gets. */
export interface Line {
  bus: OsdpBus;
  emu: OsdpEmulator;
  cards: (Omit<OsdpCardEvent, "read"> & { facility: number; card: number; bits: number })[];
  keys: OsdpKeypadEvent[];
  logs: { level: string; msg: string; fields?: Record<string, unknown> }[];
}

/** Options of {@link withLine}. */
export interface LineOptions {
  pds: (EmulatedPd | EmulatedPdOptions)[];
  readers: OsdpReaderSpec[];
  timing?: Partial<typeof FAST>;
  emulator?: Partial<OsdpEmulatorOptions>;
  bus?: Partial<OsdpBusOptions>;
}

/** Runs `fn` with a CP and emulated readers on one pty; closes everything after. */
export async function withLine(o: LineOptions, fn: (line: Line) => Promise<void>): Promise<void> {
  const pty = openPty();
  const emu = new OsdpEmulator(pty.master, { readers: o.pds, ...o.emulator });
  emu.start();
  const port = await SerialPort.open(pty.path, { baudRate: 115200 });
  const line: Omit<Line, "bus"> = { emu, cards: [], keys: [], logs: [] };
  const bus = new OsdpBus(port, {
    readers: o.readers,
    timing: { ...FAST, ...o.timing },
    onCard: (ev) => {
      const { read, ...rest } = ev;
      line.cards.push({ ...rest, facility: read.facility, card: read.card, bits: read.bitLength });
    },
    onKeypad: (ev) => line.keys.push(ev),
    logger: (level, msg, fields) => line.logs.push({ level, msg, fields }),
    ...o.bus,
  });
  bus.start();
  try {
    await fn({ ...line, bus });
  } finally {
    await bus.close();
    await emu.close();
    await pty.close();
  }
}

/** Waits until `cond()` holds (checked every 5 ms), failing after `ms` with `what`. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Commands as received, with resends (same sequence and code in a row) folded into one. */
export function withoutResends<T extends { seq: number; code: number }>(rx: readonly T[]): T[] {
  return rx.filter((c, i) => i === 0 || c.seq !== rx[i - 1]!.seq || c.code !== rx[i - 1]!.code);
}
