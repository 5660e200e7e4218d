/**
 * Config for reader kind `wiegand` (the agent adds `name` and `kind`).
 *
 * ```jsonc
 * { "name": "gate-1", "kind": "wiegand", "chip": "/dev/gpiochip0", "d0": 17, "d1": 18,
 *   "format": "auto", "lengthFormats": { "37": "h10302" }, "tagFormat": "dec10",
 *   "keypad": { "pinTimeoutMs": 5000 } }
 * ```
 *
 * Checks that span several keys (D0 ≠ D1, min < max, format names) are in
 * `wiegandConfigIssues` (config_types.ts); {@link WiegandReaderConfigCheckedSchema}
 * applies them. The plain {@link WiegandReaderConfigSchema} stays a `ZodObject`
 * so its `.shape` can be spread into the agent's reader schema. The parsed
 * value is a `WiegandReaderConfig` (checked at compile time below).
 *
 * @module
 */

import { z } from "zod";
import { TAG_FORMATS } from "../tag.ts";
import { CompiledFormat, MAX_WIEGAND_BITS } from "./formats.ts";
import { wiegandConfigIssues, type WiegandReaderConfig } from "./config_types.ts";
import { type Same, withConfigIssues } from "../config_issue.ts";

const bitPos = z.number().int().min(1).max(MAX_WIEGAND_BITS);
const bitRange = z.tuple([bitPos, bitPos]);

/** A parity bit of a custom format. */
export const ParityRuleSchema = z.strictObject({
  /** Position of the parity bit, 1-based from the first transmitted bit. */
  bit: bitPos,
  /** `even` or `odd` over the parity bit plus the covered bits. */
  type: z.enum(["even", "odd"]),
  /** Covered bits: `[from, to]` ranges and single positions. */
  over: z.array(z.union([bitPos, bitRange])).optional(),
  /** Covered bits as a hex mask, first transmitted bit most significant. */
  mask: z.string().regex(/^(0x)?[0-9a-fA-F]+$/, { message: "expected a hex mask" }).optional(),
});

/** A custom card format declared in config. */
export const CustomFormatSchema = z.strictObject({
  /** Format name (lowercase), reported in scans' format and usable in `format`/`lengthFormats`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, {
    message: "lowercase letters, digits, '.', '_' and '-' (up to 32)",
  }),
  /** Frame length. */
  bits: z.number().int().min(1).max(MAX_WIEGAND_BITS),
  /** Facility field `[from, to]`, 1-based inclusive. */
  facility: bitRange.optional(),
  /** Card field `[from, to]`, 1-based inclusive. */
  card: bitRange,
  /** Parity bits. */
  parity: z.array(ParityRuleSchema).default([]),
}).superRefine((def, ctx) => {
  try {
    new CompiledFormat(def);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
  }
});

/** Keypad settings. */
export const KeypadConfigSchema = z.strictObject({
  /** Treat 4- and 8-bit frames as key presses (default true). */
  enabled: z.boolean().default(true),
  /** Code of `*` (default 10). */
  star: z.number().int().min(0).max(15).default(10),
  /** Code of `#` (default 11). */
  hash: z.number().int().min(0).max(15).default(11),
  /** A PIN ends this long after its last key (default 5000 ms). */
  pinTimeoutMs: z.number().int().min(100).max(600_000).default(5000),
  /** A timed-out PIN is submitted (default) or discarded. */
  onTimeout: z.enum(["submit", "discard"]).default("submit"),
  /** Longest PIN (default 12). */
  pinMaxLength: z.number().int().min(1).max(64).default(12),
  /** Also emit every key press as a `key` event (default true). */
  emitKeys: z.boolean().default(true),
});

const KEYPAD_DEFAULTS = KeypadConfigSchema.parse({});

/** Options of a `wiegand` reader (without `name`/`kind`). */
export const WiegandReaderConfigSchema = z.strictObject({
  /** GPIO chip device. */
  chip: z.string().min(1).default("/dev/gpiochip0"),
  /** Line offset of D0 on the chip. */
  d0: z.number().int().min(0).max(1023),
  /** Line offset of D1 on the chip. */
  d1: z.number().int().min(0).max(1023),
  /** `pull-up` (default) or `none` when the board has external pull-ups. */
  bias: z.enum(["pull-up", "none"]).default("pull-up"),
  /** `auto` (by bit count), a format name, or `raw`. */
  format: z.string().min(1).default("auto"),
  /** Per-length overrides, e.g. `{ "37": "h10302" }`. */
  lengthFormats: z.record(z.string().regex(/^\d{1,3}$/), z.string().min(1)).default({}),
  /** Frames of a length without a format: dropped (default) or decoded `raw` (24 bits and up). */
  unknownLengths: z.enum(["raw", "drop"]).default("drop"),
  /** Lengths without a format read as raw card ids, e.g. `[32, 40]` for serial-number readers. */
  rawLengths: z.array(z.number().int().min(1).max(MAX_WIEGAND_BITS)).default([]),
  /** Extra formats. */
  customFormats: z.array(CustomFormatSchema).default([]),
  /** Shortest valid pulse, µs. */
  pulseMinUs: z.number().min(1).max(10_000).default(20),
  /** Longest valid pulse, µs. */
  pulseMaxUs: z.number().min(1).max(100_000).default(200),
  /** Shortest bit spacing (start to start), µs. */
  spacingMinUs: z.number().min(1).max(100_000).default(200),
  /** Longest bit spacing inside a frame, ms. */
  spacingMaxMs: z.number().min(0.1).max(1000).default(20),
  /** Silence that ends a frame, ms. */
  frameGapMs: z.number().min(1).max(1000).default(25),
  /** Keypad and PIN entry. */
  keypad: KeypadConfigSchema.default(KEYPAD_DEFAULTS),
  /** How a card read becomes the `rfidTag`. */
  tagFormat: z.enum(TAG_FORMATS).default("dec10"),
  /** Optional output to the reader's LED wire (on the same chip): active = green. */
  led: z.strictObject({
    line: z.number().int().min(0).max(1023),
    activeLow: z.boolean().default(true),
  }).optional(),
  /** Optional output to the reader's beeper wire (on the same chip). */
  beep: z.strictObject({
    line: z.number().int().min(0).max(1023),
    activeLow: z.boolean().default(true),
  }).optional(),
});

const _sameConfig: Same<z.output<typeof WiegandReaderConfigSchema>, WiegandReaderConfig> = true;
void _sameConfig;

/** The config with the cross-key checks ({@link wiegandConfigIssues}) applied. */
export const WiegandReaderConfigCheckedSchema: typeof WiegandReaderConfigSchema = withConfigIssues(
  WiegandReaderConfigSchema,
  wiegandConfigIssues,
);
