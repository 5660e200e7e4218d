/**
 * The parsed `wiegand` reader config as plain types (the zod schema is in
 * `config.ts`, imported by the agent's config loader), and the checks that
 * span several keys.
 *
 * @module
 */

import type { TagFormat } from "../tag.ts";
import { WiegandFormatSet } from "./decode.ts";
import type { BitRange } from "./formats.ts";
import type { ReaderConfigIssue } from "../config_issue.ts";

/** A parity bit of a custom format, as configured. */
export interface ParityRuleConfig {
  /** Position of the parity bit, 1-based from the first transmitted bit. */
  bit: number;
  /** `even` or `odd` over the parity bit plus the covered bits. */
  type: "even" | "odd";
  /** Covered bits: `[from, to]` ranges and single positions. */
  over?: (number | [number, number])[] | undefined;
  /** Covered bits as a hex mask, first transmitted bit most significant. */
  mask?: string | undefined;
}

/** A custom card format, as configured. */
export interface CustomFormatConfig {
  /** Format name. */
  name: string;
  /** Frame length. */
  bits: number;
  /** Facility field `[from, to]`, 1-based inclusive. */
  facility?: [number, number] | undefined;
  /** Card field `[from, to]`, 1-based inclusive. */
  card: [number, number];
  /** Parity bits. */
  parity: ParityRuleConfig[];
}

/** Keypad settings, as configured. */
export interface WiegandKeypadConfig {
  /** Treat 4- and 8-bit frames as key presses. */
  enabled: boolean;
  /** Code of `*`. */
  star: number;
  /** Code of `#`. */
  hash: number;
  /** A PIN ends this long after its last key, ms. */
  pinTimeoutMs: number;
  /** A timed-out PIN is submitted or discarded. */
  onTimeout: "submit" | "discard";
  /** Longest PIN. */
  pinMaxLength: number;
  /** Also emit every key press as a `key` event. */
  emitKeys: boolean;
}

/** A validated `wiegand` reader config (defaults applied), without `name`/`kind`. */
export interface WiegandReaderConfig {
  /** GPIO chip device, e.g. `/dev/gpiochip0`. */
  chip: string;
  /** Line offset of D0. */
  d0: number;
  /** Line offset of D1. */
  d1: number;
  /** Line bias. */
  bias: "pull-up" | "none";
  /** `auto`, a format name, or `raw`. */
  format: string;
  /** Per-length format overrides. */
  lengthFormats: Record<string, string>;
  /** Frames of a length without a format: dropped, or decoded raw (24 bits and up). */
  unknownLengths: "raw" | "drop";
  /** Lengths without a format that are read as raw card ids. */
  rawLengths: number[];
  /** Extra formats. */
  customFormats: CustomFormatConfig[];
  /** Shortest valid pulse, µs. */
  pulseMinUs: number;
  /** Longest valid pulse, µs. */
  pulseMaxUs: number;
  /** Shortest bit spacing, µs. */
  spacingMinUs: number;
  /** Longest bit spacing inside a frame, ms. */
  spacingMaxMs: number;
  /** Silence that ends a frame, ms. */
  frameGapMs: number;
  /** Keypad and PIN entry. */
  keypad: WiegandKeypadConfig;
  /** How a card read becomes the `rfidTag`. */
  tagFormat: TagFormat;
  /** The reader's LED wire as an output on the same chip (active: green), if wired. */
  led?: WiegandFeedbackLine | undefined;
  /** The reader's beeper wire as an output on the same chip, if wired. */
  beep?: WiegandFeedbackLine | undefined;
}

/** An output line to a Wiegand reader's LED or beeper wire (most readers: pulled low = on). */
export interface WiegandFeedbackLine {
  /** Line offset on the reader's chip. */
  line: number;
  /** On when driven low (default true). */
  activeLow: boolean;
}

/** The defaults `WiegandReaderConfigSchema` fills in, plus the given lines (for code and tests). */
export function wiegandConfigDefaults(
  d0: number,
  d1: number,
  overrides: Partial<WiegandReaderConfig> = {},
): WiegandReaderConfig {
  return {
    chip: "/dev/gpiochip0",
    d0,
    d1,
    bias: "pull-up",
    format: "auto",
    lengthFormats: {},
    unknownLengths: "drop",
    rawLengths: [],
    customFormats: [],
    pulseMinUs: 20,
    pulseMaxUs: 200,
    spacingMinUs: 200,
    spacingMaxMs: 20,
    frameGapMs: 25,
    keypad: {
      enabled: true,
      star: 10,
      hash: 11,
      pinTimeoutMs: 5000,
      onTimeout: "submit",
      pinMaxLength: 12,
      emitKeys: true,
    },
    tagFormat: "dec10",
    ...overrides,
  };
}

/** One cross-key problem: where and what. */
export type WiegandConfigIssue = ReaderConfigIssue;

/**
 * Shortest frame that blanket raw decoding (`unknownLengths: "raw"`,
 * `format: "raw"`) passes: one to a few noise pulses never make a card.
 */
export const MIN_RAW_BITS = 24;

/** The format set a config describes (throws `Error` naming the bad key). */
export function formatSetFromConfig(c: WiegandReaderConfig): WiegandFormatSet {
  return new WiegandFormatSet({
    format: c.format,
    lengthFormats: c.lengthFormats,
    unknownLengths: c.unknownLengths,
    rawLengths: c.rawLengths,
    minRawBits: MIN_RAW_BITS,
    customFormats: c.customFormats.map((f) => ({
      ...f,
      facility: f.facility as BitRange | undefined,
      card: f.card as BitRange,
    })),
  });
}

/** Cross-key checks for a parsed config (empty when fine). */
export function wiegandConfigIssues(c: WiegandReaderConfig): WiegandConfigIssue[] {
  const out: WiegandConfigIssue[] = [];
  if (c.d0 === c.d1) out.push({ path: ["d1"], message: `D1 must differ from D0 (both ${c.d0})` });
  const used = [c.d0, c.d1];
  for (const key of ["led", "beep"] as const) {
    const l = c[key]?.line;
    if (l === undefined) continue;
    if (used.includes(l)) {
      out.push({ path: [key, "line"], message: `line ${l} is already used by D0, D1 or the LED` });
    }
    used.push(l);
  }
  if (c.pulseMinUs >= c.pulseMaxUs) {
    out.push({ path: ["pulseMaxUs"], message: "must be greater than pulseMinUs" });
  }
  if (c.pulseMaxUs > c.spacingMinUs) {
    out.push({ path: ["spacingMinUs"], message: "must be at least pulseMaxUs" });
  }
  if (c.spacingMinUs / 1000 >= c.spacingMaxMs) {
    out.push({ path: ["spacingMaxMs"], message: "must be greater than spacingMinUs" });
  }
  if (c.frameGapMs < c.spacingMaxMs) {
    out.push({ path: ["frameGapMs"], message: "must be at least spacingMaxMs" });
  }
  if (c.keypad.star === c.keypad.hash) {
    out.push({ path: ["keypad", "hash"], message: "* and # need different codes" });
  }
  try {
    formatSetFromConfig(c);
  } catch (e) {
    const msg = (e as Error).message;
    const key = msg.startsWith("lengthFormats")
      ? "lengthFormats"
      : msg.startsWith("rawLengths")
      ? "rawLengths"
      : msg.startsWith("custom")
      ? "customFormats"
      : "format";
    out.push({ path: [key], message: msg });
  }
  return out;
}

/**
 * Settings that work but let noise through more easily (`check-config` prints
 * them as warnings): blanket raw decoding and short raw lengths.
 */
export function wiegandConfigWarnings(c: WiegandReaderConfig): WiegandConfigIssue[] {
  const out: WiegandConfigIssue[] = [];
  const hint = 'list the lengths your reader sends in rawLengths instead (e.g. "rawLengths": [32])';
  if (c.unknownLengths === "raw") {
    out.push({
      path: ["unknownLengths"],
      message: `"raw" reads every frame of ${MIN_RAW_BITS}+ bits without a format as a card, ` +
        `noise and cut-off frames included; ${hint}`,
    });
  }
  if (c.format === "raw") {
    out.push({
      path: ["format"],
      message: `"raw" reads every frame of ${MIN_RAW_BITS}+ bits as a card, noise and ` +
        `cut-off frames included; ${hint}`,
    });
  }
  c.rawLengths.forEach((n, i) => {
    if (n < MIN_RAW_BITS) {
      out.push({
        path: ["rawLengths", i],
        message: `${n}-bit raw frames have no parity and are easily made by noise ` +
          `(a customFormats entry with parity is safer)`,
      });
    }
  });
  return out;
}
