/**
 * Config of the serial reader kinds `ascii` (125 kHz ASCII frames) and `line`
 * (one code per line); the agent adds `name` and `kind`. Import the schemas
 * from this file (zod types stay out of the documented module surface).
 *
 * ```jsonc
 * { "name": "gate-in", "kind": "ascii", "port": "/dev/ttyUSB0", "baudRate": 9600, "tagFormat": "dec10" }
 * ```
 *
 * @module
 */

import { z } from "zod";
import { TAG_FORMATS, type TagFormat } from "../tag.ts";
import type { Same } from "../config_issue.ts";

const serialLine = {
  /** Serial device, e.g. /dev/ttyUSB0. */
  port: z.string().min(1),
  baudRate: z.number().int().min(50).max(4_000_000).default(9600),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(["none", "even", "odd"]).default("none"),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  /** Kernel RS-485 mode (RTS while sending) for adapters that need it. */
  rs485: z.boolean().default(false),
};

/** `ascii`: 125 kHz ASCII frame readers (tags default to `dec10`). */
export const AsciiReaderConfigSchema = z.strictObject({
  ...serialLine,
  /** How a card read becomes the `rfidTag`. */
  tagFormat: z.enum(TAG_FORMATS).default("dec10"),
});

/** `line`: one code per line (tags default to `dec`). */
export const LineReaderConfigSchema = z.strictObject({
  ...serialLine,
  /** How to read the printed code: auto (decimal unless it has A–F), dec or hex. */
  base: z.enum(["auto", "dec", "hex"]).default("auto"),
  /** How a card read becomes the `rfidTag`. */
  tagFormat: z.enum(TAG_FORMATS).default("dec"),
});

/** A parsed `ascii` reader's options (defaults filled in). */
export interface AsciiReaderConfig {
  /** Serial device, e.g. /dev/ttyUSB0. */
  port: string;
  /** Line speed (default 9600). */
  baudRate: number;
  /** 7 or 8 (default 8). */
  dataBits: 7 | 8;
  /** Parity (default none). */
  parity: "none" | "even" | "odd";
  /** 1 or 2 (default 1). */
  stopBits: 1 | 2;
  /** Kernel RS-485 mode (default false). */
  rs485: boolean;
  /** How a card read becomes the `rfidTag` (default `dec10`). */
  tagFormat: TagFormat;
}

/** A parsed `line` reader's options (defaults filled in). */
export interface LineReaderConfig extends Omit<AsciiReaderConfig, "tagFormat"> {
  /** How to read the printed code (default auto). */
  base: "auto" | "dec" | "hex";
  /** How a card read becomes the `rfidTag` (default `dec`). */
  tagFormat: TagFormat;
}

const _ascii: Same<z.output<typeof AsciiReaderConfigSchema>, AsciiReaderConfig> = true;
const _line: Same<z.output<typeof LineReaderConfigSchema>, LineReaderConfig> = true;
void _ascii;
void _line;
