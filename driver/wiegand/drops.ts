/**
 * Why a Wiegand reader dropped a frame (or a lone pulse): the reasons counted
 * per reader, shown in status and in `/metrics`.
 *
 * @module
 */

/** Drop reasons: indexes into {@link WiegandAssembler.drops}-style counter arrays. */
export const WiegandDrop = {
  /** A clean frame of a bit count with no format (and not in `rawLengths`). */
  unknownLength: 0,
  /** A clean frame whose parity bits are wrong. */
  parity: 1,
  /** A pulse shorter than `pulseMinUs` (ignored; the frame goes on). */
  glitch: 2,
  /** A pulse longer than `pulseMaxUs`: the frame is spoilt. */
  pulseTooLong: 3,
  /** A pulse starting less than `spacingMinUs` after the previous bit: the frame is spoilt. */
  spacingTooShort: 4,
  /** A pause inside a frame longer than `spacingMaxMs` but under the frame gap: spoilt. */
  spacingTooLong: 5,
  /** The frame stopped in the middle of a bit (a line still low when the frame gap ended). */
  cutShort: 6,
  /** D0 and D1 low together during the frame. */
  bothLow: 7,
  /** More than 128 bits. */
  tooManyBits: 8,
  /** An 8-bit keypad burst whose check nibble is wrong. */
  keypadCheck: 9,
} as const;

/** One of the {@link WiegandDrop} values. */
export type WiegandDrop = typeof WiegandDrop[keyof typeof WiegandDrop];

/** Reason names (as in status and the `reason` label), indexed by {@link WiegandDrop} value. */
export const WIEGAND_DROP_REASONS: readonly string[] = [
  "unknown-length",
  "parity",
  "glitch",
  "pulse-too-long",
  "spacing-too-short",
  "spacing-too-long",
  "cut-short",
  "both-low",
  "too-many-bits",
  "keypad-check",
];
