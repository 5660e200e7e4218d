/**
 * Config of a reader of kind `rc522` (the agent adds `name` and `kind`).
 * Import the schemas from this file (zod types stay out of the documented
 * module surface; `mod.ts` exports the config interfaces).
 *
 * @example
 * ```ts
 * import { Rc522ReaderConfigSchema } from "./config.ts";
 * Rc522ReaderConfigSchema.parse({ spi: { device: "/dev/spidev0.0" } });
 * // { spi: { device: "/dev/spidev0.0", speedHz: 4000000 }, pollIntervalMs: 100, gain: 33, tagFormat: "hex", absentTicks: 2 }
 * ```
 *
 * @module
 */

import { z } from "zod";
import { TAG_FORMATS, type TagFormat } from "../tag.ts";
import { type GainDb, GAINS_DB, SERIAL_SPEEDS } from "./registers.ts";
import { SPI_MAX_SPEED_HZ } from "./spi.ts";
import { type ReaderConfigIssue, type Same, withConfigIssues } from "../config_issue.ts";

/** UART rates the chip supports (SerialSpeedReg table). */
export const RC522_BAUD_RATES: readonly number[] = Object.keys(SERIAL_SPEEDS).map(Number);

/** The `spi` block: spidev device and clock. */
export const Rc522SpiConfigSchema = z.strictObject({
  /** spidev device, e.g. `/dev/spidev0.0`. */
  device: z.string().min(1, "give the spidev device, e.g. /dev/spidev0.0"),
  /** SPI clock in Hz, up to 10 MHz (default 4 MHz). */
  speedHz: z.number().int().min(10_000).max(SPI_MAX_SPEED_HZ).default(4_000_000),
});

/** The `uart` block: serial port and the rate to run at after the switch from 9600. */
export const Rc522UartConfigSchema = z.strictObject({
  /** Serial device, e.g. `/dev/ttyUSB0`. */
  port: z.string().min(1, "give the serial device, e.g. /dev/ttyUSB0"),
  /** Line rate after start-up (the chip starts at 9600; default 9600, no switch). */
  baudRate: z.number().int().refine(
    (v) => v in SERIAL_SPEEDS,
    { message: `must be one of the chip's rates: ${RC522_BAUD_RATES.join(", ")}` },
  ).default(9600),
});

/**
 * Config of an `rc522` reader. Strict: unknown keys are errors; exactly one of
 * `spi` or `uart` is checked by {@link rc522ConfigIssues}.
 */
export const Rc522ReaderConfigSchema = z.strictObject({
  /** Connect over SPI (spidev). */
  spi: Rc522SpiConfigSchema.optional(),
  /** Connect over the chip's UART. */
  uart: Rc522UartConfigSchema.optional(),
  /** Time between poll ticks, ms (default 100). */
  pollIntervalMs: z.number().int().min(10).max(60_000).default(100),
  /** Receiver gain in dB: 18, 23, 33, 38, 43 or 48 (default 33, the chip's reset value). */
  gain: z.literal([...GAINS_DB]).default(33),
  /** How the UID becomes the rfidTag (default "hex"). */
  tagFormat: z.enum(TAG_FORMATS).default("hex"),
  /** Ticks a card may be missed before it counts as removed (default 2). */
  absentTicks: z.number().int().min(1).max(100).default(2),
});

/**
 * The check that spans `spi` and `uart`: exactly one of them (empty when fine).
 * The agent applies it to every `rc522` entry.
 */
export function rc522ConfigIssues(c: Rc522ReaderConfig): ReaderConfigIssue[] {
  if (!c.spi === !c.uart) {
    return [{
      path: [],
      message: c.spi
        ? "give either spi or uart, not both"
        : "give how the RC522 is connected: spi: {device} or uart: {port}",
    }];
  }
  return [];
}

/** The config with the cross-key check ({@link rc522ConfigIssues}) applied. */
export const Rc522ReaderConfigCheckedSchema: typeof Rc522ReaderConfigSchema = withConfigIssues(
  Rc522ReaderConfigSchema,
  rc522ConfigIssues,
);

/** A parsed `rc522` reader config (defaults filled in). */
export interface Rc522ReaderConfig {
  /** SPI connection. */
  spi?: { device: string; speedHz: number };
  /** UART connection. */
  uart?: { port: string; baudRate: number };
  /** Time between poll ticks, ms. */
  pollIntervalMs: number;
  /** Receiver gain, dB. */
  gain: GainDb;
  /** How the UID becomes the rfidTag. */
  tagFormat: TagFormat;
  /** Ticks a card may be missed before it counts as removed. */
  absentTicks: number;
}

/** An `rc522` reader config as written (defaults optional). */
export interface Rc522ReaderConfigInput {
  /** SPI connection. */
  spi?: { device: string; speedHz?: number };
  /** UART connection. */
  uart?: { port: string; baudRate?: number };
  /** Time between poll ticks, ms. */
  pollIntervalMs?: number;
  /** Receiver gain, dB. */
  gain?: GainDb;
  /** How the UID becomes the rfidTag. */
  tagFormat?: TagFormat;
  /** Ticks a card may be missed before it counts as removed. */
  absentTicks?: number;
}

const _outputMatches: Same<z.output<typeof Rc522ReaderConfigSchema>, Rc522ReaderConfig> = true;
const _inputMatches: Same<z.input<typeof Rc522ReaderConfigSchema>, Rc522ReaderConfigInput> = true;
void _outputMatches;
void _inputMatches;
