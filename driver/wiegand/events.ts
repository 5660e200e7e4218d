/**
 * What a Wiegand reader reports: the events it emits and its counters.
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import type { WiegandHintView } from "./line_hints.ts";

/** A card was read. */
export interface WiegandCardEvent {
  /** Event kind. */
  kind: "card";
  /** The `rfidTag` string, formatted with the reader's `tagFormat`. */
  tag: string;
  /** The decoded read: reused by the reader, valid only during the callback. */
  read: CardRead;
  /** Format name (`h10301`, …, `raw`, or a custom name). */
  format: string;
  /** Facility code, or -1. */
  facility: number;
  /** Card number field, or -1. */
  card: number;
  /** Frame length in bits. */
  bits: number;
}

/** A keypad key was pressed. */
export interface WiegandKeyEvent {
  /** Event kind. */
  kind: "key";
  /** `"0"`–`"9"`, `"*"`, `"#"`, or a hex letter. */
  key: string;
  /** Key code 0..15. */
  code: number;
}

/** A PIN was entered. */
export interface WiegandPinEvent {
  /** Event kind. */
  kind: "pin";
  /** The digits. */
  pin: string;
  /** Ended by `#` (`enter`) or by the timeout. */
  reason: "enter" | "timeout";
}

/** A line fault began or ended. */
export interface WiegandFaultEvent {
  /** Event kind. */
  kind: "fault";
  /** `both-low`, `stuck-low`, or `none` when the lines are back to normal. */
  fault: string;
  /** What it means. */
  message: string;
}

/** A repeating line fault raised a hint (it shows in status until a quiet period passes). */
export interface WiegandHintEvent {
  /** Event kind. */
  kind: "hint";
  /** Hint code (`noise`, `both-low`, `too-fast`, …). */
  code: string;
  /** What is probably wrong and what to do. */
  message: string;
}

/** Reading the GPIO lines failed; the reader has stopped. */
export interface WiegandErrorEvent {
  /** Event kind. */
  kind: "error";
  /** The failure. */
  message: string;
}

/** Anything a Wiegand reader reports. */
export type WiegandEvent =
  | WiegandCardEvent
  | WiegandKeyEvent
  | WiegandPinEvent
  | WiegandFaultEvent
  | WiegandHintEvent
  | WiegandErrorEvent;

/** A snapshot of a reader's counters. */
export interface WiegandReaderStats {
  /** Clean frames assembled (cards, keys, rejected ones). */
  frames: number;
  /** Cards emitted. */
  cards: number;
  /** Frames rejected by a parity bit. */
  parityErrors: number;
  /** Frames of a length with no format (dropped). */
  unknownLengths: number;
  /** Glitch pulses rejected. */
  glitches: number;
  /** Line faults begun. */
  faults: number;
  /** Pulses or spacings out of their window. */
  timingErrors: number;
  /** Frames over the bit limit. */
  overflows: number;
  /** Spoilt frames dropped (timing, fault, overflow). */
  discarded: number;
  /** Keys pressed. */
  keys: number;
  /** 8-bit key bursts with a bad complement nibble. */
  keypadErrors: number;
  /** PINs emitted. */
  pins: number;
  /** GPIO events parsed. */
  events: number;
  /** Events for other lines. */
  unknownLines: number;
  /** Events the kernel dropped (sequence gaps). */
  lostEvents: number;
  /** Last error code (`parity`, `unknown-length`, `keypad-check`, `gpio`), or "". */
  lastError: string;
  /** Fault in force (`none`, `both-low`, `stuck-low`). */
  fault: string;
}

/** What a reader's line looks like: drops by reason, unknown lengths, hints in force. */
export interface WiegandLineReport {
  /** Dropped frames (and glitch pulses) by reason name (`WIEGAND_DROP_REASONS`), zeros included. */
  drops: Record<string, number>;
  /** Frames without a format, by bit count (only counts seen). */
  unknownLengths: Record<string, number>;
  /** The last few unknown bit counts, newest first. */
  lastUnknownLengths: number[];
  /** Hints raised by repeating faults, not yet cleared by a quiet period. */
  hints: WiegandHintView[];
}
