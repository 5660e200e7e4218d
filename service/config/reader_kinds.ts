/**
 * The reader kinds the config accepts, each with its own options schema
 * (name, kind and tagFormat are added by the config schema).
 *
 * @module
 */

import { z } from "zod";
import type { TagFormat } from "../../driver/tag.ts";
import { WiegandReaderConfigSchema } from "../../driver/wiegand/config.ts";
import { OsdpReaderConfigSchema } from "../../driver/osdp/config.ts";
import { Rc522ReaderConfigSchema } from "../../driver/rc522/config.ts";

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

/** `ascii`: 125 kHz ASCII frame readers. */
export const AsciiReaderConfigSchema: z.ZodObject = z.strictObject({ ...serialLine });

/** `line`: one code per line. */
export const LineReaderConfigSchema: z.ZodObject = z.strictObject({
  ...serialLine,
  /** How to read the printed code: auto (decimal unless it has A–F), dec or hex. */
  base: z.enum(["auto", "dec", "hex"]).default("auto"),
});

/** A reader kind's config entry. */
export interface ReaderKindSchema {
  /** The `kind` value. */
  kind: string;
  /** Kind-specific options. */
  schema: z.ZodObject;
  /** `tagFormat` when the config does not say. */
  defaultTagFormat: TagFormat;
}

/** Every kind the agent can run. */
export const READER_KIND_SCHEMAS: ReaderKindSchema[] = [
  { kind: "ascii", schema: AsciiReaderConfigSchema, defaultTagFormat: "dec10" },
  { kind: "line", schema: LineReaderConfigSchema, defaultTagFormat: "dec" },
  { kind: "wiegand", schema: WiegandReaderConfigSchema, defaultTagFormat: "dec10" },
  { kind: "osdp", schema: OsdpReaderConfigSchema, defaultTagFormat: "dec10" },
  { kind: "rc522", schema: Rc522ReaderConfigSchema, defaultTagFormat: "hex" },
];
