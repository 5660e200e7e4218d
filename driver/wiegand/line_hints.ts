/**
 * Plain hints about a faulty Wiegand line: when one kind of drop repeats
 * (by default 5 times within a minute), a hint naming the likely cause is
 * raised; it clears itself once that kind has been quiet for a while (10
 * minutes by default). Fed by the reader on every drop; allocates nothing
 * there (times live in typed arrays), only {@link WiegandLineHints.active}
 * builds objects, for status.
 *
 * @module
 */

import { WiegandDrop } from "./drops.ts";

/** The hints (indexes into the tracker's arrays; names in {@link WIEGAND_HINT_CODES}). */
export const WiegandHint = {
  /** Lone 1–3 bit frames or glitches. */
  noise: 0,
  /** D0 and D1 low together. */
  bothLow: 1,
  /** Bits closer than `spacingMinUs`. */
  tooFast: 2,
  /** Parity errors, all on one bit count. */
  parityOneLength: 3,
  /** Frames of one bit count without a format. */
  unknownLength: 4,
  /** Frames stopping in the middle of a bit. */
  cutShort: 5,
  /** Pulses longer than `pulseMaxUs`. */
  pulseTooLong: 6,
} as const;

/** Hint codes (shown in status), indexed by {@link WiegandHint} value. */
export const WIEGAND_HINT_CODES: readonly string[] = [
  "noise",
  "both-low",
  "too-fast",
  "parity-one-length",
  "unknown-length",
  "cut-short",
  "pulse-too-long",
];

const HINTS = WIEGAND_HINT_CODES.length;

/** The plain text of a hint; `bits` is the bit count for the per-length hints. */
export function wiegandHintMessage(hint: number, bits: number): string {
  switch (hint) {
    case WiegandHint.noise:
      return "electrical noise on the Wiegand lines (lone 1-3 bit frames or glitches): check " +
        "the common ground between reader and controller and the cable's shield";
    case WiegandHint.bothLow:
      return "D0 and D1 low together: lines shorted, pull-ups missing or the reader unpowered";
    case WiegandHint.tooFast:
      return "bits closer together than spacingMinUs: the reader is faster than the SIA " +
        "timing; set spacingMinUs (and pulseMaxUs, which may not exceed it) below its bit spacing";
    case WiegandHint.parityOneLength:
      return `parity errors on every ${bits}-bit frame: the reader uses another ${bits}-bit ` +
        "format; try `deno task cli decode wiegand <bits>` on a captured frame and set " +
        "lengthFormats or customFormats";
    case WiegandHint.unknownLength:
      return `${bits}-bit frames have no format: a reader sending serial numbers? add ${bits} ` +
        "to rawLengths";
    case WiegandHint.cutShort:
      return "frames stop in the middle of a bit: the reader resets or loses power while " +
        "sending; check its supply and wiring";
    case WiegandHint.pulseTooLong:
      return "pulses longer than pulseMaxUs: a line pulled low by a fault, or a reader with " +
        "wide pulses (raise pulseMaxUs)";
    default:
      return "";
  }
}

/** The hint a drop feeds (or -1 for none). */
export function hintForDrop(reason: number, bits: number): number {
  switch (reason) {
    case WiegandDrop.glitch:
      return WiegandHint.noise;
    case WiegandDrop.unknownLength:
      return bits <= 3 ? WiegandHint.noise : WiegandHint.unknownLength;
    case WiegandDrop.bothLow:
      return WiegandHint.bothLow;
    case WiegandDrop.spacingTooShort:
      return WiegandHint.tooFast;
    case WiegandDrop.parity:
      return WiegandHint.parityOneLength;
    case WiegandDrop.cutShort:
      return WiegandHint.cutShort;
    case WiegandDrop.pulseTooLong:
      return WiegandHint.pulseTooLong;
    default:
      return -1;
  }
}

/** When a hint is raised and cleared. */
export interface LineHintOptions {
  /** Occurrences that raise a hint (default 5). */
  threshold?: number;
  /** …within this window (default 60,000 ms). */
  windowMs?: number;
  /** A raised hint clears after this long without an occurrence (default 600,000 ms). */
  quietMs?: number;
}

/** One hint in force, for status. */
export interface WiegandHintView {
  /** Hint code ({@link WIEGAND_HINT_CODES}). */
  code: string;
  /** What is probably wrong and what to do. */
  message: string;
  /** Bit count, for the per-length hints. */
  bits?: number;
  /** Occurrences since the hint was raised. */
  count: number;
  /** Milliseconds since the last occurrence. */
  lastMsAgo: number;
}

/** Tracks drops per hint and decides which hints are in force. */
export class WiegandLineHints {
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #quietMs: number;
  /** Per hint, a ring of the last `threshold` occurrence times (ms) and bit counts. */
  readonly #times: Float64Array;
  readonly #bits: Int32Array;
  readonly #next = new Int32Array(HINTS);
  readonly #filled = new Int32Array(HINTS);
  readonly #last = new Float64Array(HINTS);
  /** 0, or 1 + the bit count the hint was raised for. */
  readonly #raised = new Int32Array(HINTS);
  readonly #count = new Float64Array(HINTS);

  /** A tracker with the given thresholds (defaults in {@link LineHintOptions}). */
  constructor(options: LineHintOptions = {}) {
    this.#threshold = Math.max(1, Math.floor(options.threshold ?? 5));
    this.#windowMs = options.windowMs ?? 60_000;
    this.#quietMs = options.quietMs ?? 600_000;
    this.#times = new Float64Array(HINTS * this.#threshold);
    this.#bits = new Int32Array(HINTS * this.#threshold);
  }

  /**
   * A drop (`reason`, a {@link WiegandDrop}) of a `bits`-bit frame at `sec` +
   * `nsec` (monotonic). Returns the {@link WiegandHint} this drop raised, or -1.
   */
  drop(reason: number, bits: number, sec: number, nsec: number): number {
    const h = hintForDrop(reason, bits);
    if (h < 0) return -1;
    const ms = sec * 1000 + nsec / 1e6;
    const k = this.#threshold;
    if (this.#raised[h] !== 0 && ms - this.#last[h]! >= this.#quietMs) this.#raised[h] = 0;
    const at = h * k + this.#next[h]!;
    this.#times[at] = ms;
    this.#bits[at] = bits;
    this.#next[h] = (this.#next[h]! + 1) % k;
    if (this.#filled[h]! < k) this.#filled[h]!++;
    if (this.#raised[h] !== 0) {
      // Only drops of the length a per-length hint names keep it alive.
      const r = this.#raised[h]!;
      if (r === 1 || r === 1 + bits) {
        this.#count[h]!++;
        this.#last[h] = ms;
      }
      return -1;
    }
    this.#last[h] = ms;
    if (this.#filled[h]! < k) return -1;
    // The ring is full: its oldest entry is the one `next` points at now.
    if (ms - this.#times[h * k + this.#next[h]!]! > this.#windowMs) return -1;
    const perLength = h === WiegandHint.parityOneLength || h === WiegandHint.unknownLength;
    if (perLength) {
      for (let i = 0; i < k; i++) if (this.#bits[h * k + i] !== bits) return -1;
    }
    this.#raised[h] = 1 + (perLength ? bits : 0);
    this.#count[h] = k;
    return h;
  }

  /** The bit count hint `hint` was raised for (0 for hints not about one length, or not raised). */
  bitsOf(hint: number): number {
    const r = this.#raised[hint] ?? 0;
    return r > 1 ? r - 1 : 0;
  }

  /** The hints in force at `nowMs` (same clock as the drops, in ms). */
  active(nowMs: number): WiegandHintView[] {
    const out: WiegandHintView[] = [];
    for (let h = 0; h < HINTS; h++) {
      const r = this.#raised[h]!;
      if (r === 0) continue;
      const ago = nowMs - this.#last[h]!;
      if (ago >= this.#quietMs) {
        this.#raised[h] = 0;
        continue;
      }
      const perLength = h === WiegandHint.parityOneLength || h === WiegandHint.unknownLength;
      const view: WiegandHintView = {
        code: WIEGAND_HINT_CODES[h]!,
        message: wiegandHintMessage(h, r - 1),
        count: this.#count[h]!,
        lastMsAgo: Math.max(0, Math.round(ago)),
      };
      if (perLength) view.bits = r - 1;
      out.push(view);
    }
    return out;
  }
}
