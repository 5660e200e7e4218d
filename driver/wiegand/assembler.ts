/**
 * Wiegand frame assembly from line edges: a zero-allocation state machine.
 *
 * D0 and D1 idle high; a bit is a low pulse on D0 (0) or D1 (1). The
 * assembler validates each pulse's width and the spacing between pulses,
 * rejects glitches (too-short pulses, pulses too close to the previous bit),
 * reports faults (both lines low together, a line held low), and ends the
 * frame after a silence — detected by the next edge or by {@link
 * WiegandAssembler.tick}.
 *
 * **Timestamps** are passed as two small integers, `sec` and `nsec`
 * (like a `timespec` of `CLOCK_MONOTONIC`, the GPIO event clock): both stay
 * V8 small integers (`nsec` < 2^30, `sec` < 2^30 ≈ 34 years of uptime), so a
 * call passes them without boxing a heap number, and the state keeps them in
 * an `Int32Array`. Differences are computed in local doubles, exact to the
 * nanosecond. {@link WiegandAssembler.edgeNs} takes a plain nanosecond number
 * for convenience outside hot loops.
 *
 * @module
 */

import { MAX_WIEGAND_BITS } from "./formats.ts";
import { WIEGAND_DROP_REASONS, WiegandDrop } from "./drops.ts";

/** Line faults (the `code` given to {@link FrameSink.fault}). */
export const WiegandFault = {
  /** No fault (the lines are back to normal). */
  none: 0,
  /** D0 and D1 low at the same time: reader fault, shorted or unpowered reader. */
  bothLow: 1,
  /** A line stayed low longer than the frame gap: shorted, unplugged with pull-downs, or dead reader. */
  stuckLow: 2,
} as const;

/** Names of {@link WiegandFault} values, by value. */
export const WIEGAND_FAULT_NAMES: readonly string[] = ["none", "both-low", "stuck-low"];

/** Timing windows, in microseconds (fractions allowed). */
export interface WiegandTiming {
  /** Shortest valid pulse (default 20 µs); shorter ones are glitches. */
  pulseMinUs?: number;
  /** Longest valid pulse (default 200 µs); longer ones spoil the frame. */
  pulseMaxUs?: number;
  /** Shortest start-to-start bit spacing (default 200 µs); a closer pulse spoils the frame. */
  spacingMinUs?: number;
  /** Longest start-to-start bit spacing inside a frame (default 20 ms); longer spoils the frame. */
  spacingMaxUs?: number;
  /** Silence after the last bit that ends the frame (default 25 ms). */
  frameGapUs?: number;
  /** Most bits per frame (default and at most 128); more spoil the frame. */
  maxBits?: number;
}

/** Where the assembler delivers frames and faults (called synchronously). */
export interface FrameSink {
  /** A clean frame ended: `bits[0 .. count)`, one bit per byte, first transmitted first. */
  frame(bits: Uint8Array, count: number): void;
  /** A line fault began (`WiegandFault.bothLow` / `stuckLow`) or ended (`none`). */
  fault(code: number): void;
  /**
   * A spoilt frame or a glitch was dropped ({@link WiegandDrop} reason, bits
   * assembled so far), at `sec` + `nsec` (the frame's last pulse, or the glitch).
   */
  dropped?(reason: number, bits: number, sec: number, nsec: number): void;
}

/** Indexes into {@link WiegandAssembler.counters}. */
export const AssemblerCounter = {
  /** Clean frames delivered. */
  frames: 0,
  /** Bits accepted. */
  bits: 1,
  /** Pulses rejected as glitches (shorter than the minimum width). */
  glitches: 2,
  /** Faults begun (both low, stuck low). */
  faults: 3,
  /** Pulses too long, bit spacing too short or too long, a frame cut off mid-bit. */
  timingErrors: 4,
  /** Frames longer than `maxBits`. */
  overflows: 5,
  /** Frames dropped because of a timing error, fault or overflow. */
  discarded: 6,
} as const;

// Int32Array state slots.
const LVL = 0; // LVL + line: 1 high, 0 low
const FALL_S = 2; // FALL_S + 2*line, FALL_N = FALL_S + 2*line + 1
const START_S = 6;
const START_N = 7;
const END_S = 8;
const END_N = 9;
const COUNT = 10;
const ACTIVE = 11; // a frame (possibly spoilt) is in progress
const BAD = 12; // the frame in progress is spoilt: 0, or 1 + its first WiegandDrop reason
const FAULT = 13; // fault in force (WiegandFault)
const INVALID = 14; // INVALID + line: the pulse under way is part of a fault, not a bit
const SLOTS = 16;

/** Edge stream → Wiegand frames. One instance per reader; never throws, never allocates after construction. */
export class WiegandAssembler {
  /** Bits of the frame in progress / just delivered, one per byte. */
  readonly bits: Uint8Array = new Uint8Array(MAX_WIEGAND_BITS);
  /** When the frame being delivered ended (its last bit's rising edge): `[sec, nsec]`. */
  readonly frameEnd: Int32Array = new Int32Array(2);
  /** Event counters, indexed by {@link AssemblerCounter}. */
  readonly counters: Float64Array = new Float64Array(7);
  /**
   * Drops by {@link WiegandDrop} reason: spoilt frames by their first fault,
   * glitches by pulse. The decode reasons (unknown length, parity, keypad
   * check) are left to the reader, which counts them in the same array.
   */
  readonly drops: Float64Array = new Float64Array(WIEGAND_DROP_REASONS.length);
  readonly #st = new Int32Array(SLOTS);
  readonly #sink: FrameSink;
  readonly #pulseMin: number;
  readonly #pulseMax: number;
  readonly #spacingMin: number;
  readonly #spacingMax: number;
  readonly #gap: number;
  readonly #maxBits: number;

  /** Creates an assembler delivering to `sink`, with `timing` windows (defaults in {@link WiegandTiming}). */
  constructor(sink: FrameSink, timing: WiegandTiming = {}) {
    this.#sink = sink;
    this.#pulseMin = Math.round((timing.pulseMinUs ?? 20) * 1000);
    this.#pulseMax = Math.round((timing.pulseMaxUs ?? 200) * 1000);
    this.#spacingMin = Math.round((timing.spacingMinUs ?? 200) * 1000);
    this.#spacingMax = Math.round((timing.spacingMaxUs ?? 20_000) * 1000);
    this.#gap = Math.round((timing.frameGapUs ?? 25_000) * 1000);
    this.#maxBits = Math.min(MAX_WIEGAND_BITS, Math.max(1, timing.maxBits ?? MAX_WIEGAND_BITS));
    this.reset();
  }

  /** Forgets any frame in progress and assumes both lines idle high. */
  reset(): void {
    this.#st.fill(0);
    this.#st[LVL] = 1;
    this.#st[LVL + 1] = 1;
  }

  /** True while a frame is in progress (the caller may poll sooner). */
  get busy(): boolean {
    return this.#st[ACTIVE] !== 0;
  }

  /** True while a frame is in progress or a line is low: the caller should {@link tick} soon. */
  get needsTick(): boolean {
    const st = this.#st;
    return st[ACTIVE] !== 0 ||
      (st[FAULT] === WiegandFault.none && (st[LVL] === 0 || st[LVL + 1] === 0));
  }

  /** The fault in force ({@link WiegandFault}). */
  get fault(): number {
    return this.#st[FAULT]!;
  }

  /**
   * One edge: `line` 0 = D0, 1 = D1; `rising` true when the line went high
   * (end of a pulse). Time as `sec` + `nsec` (see the module doc).
   */
  edge(line: number, rising: boolean, sec: number, nsec: number): void {
    const st = this.#st;
    const l = line & 1;
    if (!rising) {
      if (st[ACTIVE] !== 0 && since(st, END_S, sec, nsec) >= this.#gap) this.#finish();
      st[LVL + l] = 0;
      st[FALL_S + 2 * l] = sec;
      st[FALL_S + 2 * l + 1] = nsec;
      st[INVALID + l] = 0;
      if (st[LVL + (l ^ 1)] === 0) {
        // Both low: a pulse cannot overlap another; the reader is faulty or unpowered.
        st[INVALID] = 1;
        st[INVALID + 1] = 1;
        this.#spoil(sec, nsec, WiegandDrop.bothLow);
        if (st[FAULT] !== WiegandFault.bothLow) {
          st[FAULT] = WiegandFault.bothLow;
          this.counters[AssemblerCounter.faults]!++;
          this.#sink.fault(WiegandFault.bothLow);
        }
      }
      return;
    }
    if (st[LVL + l] !== 0) return; // rising without a falling edge (start-up, lost event)
    st[LVL + l] = 1;
    if (st[FAULT] !== WiegandFault.none && st[LVL + (l ^ 1)] !== 0) {
      st[FAULT] = WiegandFault.none;
      this.#sink.fault(WiegandFault.none);
    }
    if (st[INVALID + l] !== 0) {
      st[INVALID + l] = 0;
      return;
    }
    const fs = st[FALL_S + 2 * l]!;
    const fn = st[FALL_S + 2 * l + 1]!;
    const width = (sec - fs) * 1e9 + (nsec - fn);
    if (width < this.#pulseMin) {
      this.counters[AssemblerCounter.glitches]!++;
      this.drops[WiegandDrop.glitch]!++;
      this.#sink.dropped?.(WiegandDrop.glitch, st[COUNT]!, sec, nsec);
      return;
    }
    if (width > this.#pulseMax) {
      this.counters[AssemblerCounter.timingErrors]!++;
      this.#spoil(sec, nsec, WiegandDrop.pulseTooLong);
      return;
    }
    const count = st[COUNT]!;
    if (st[ACTIVE] !== 0) {
      // The previous pulse of this frame (or the start of a spoilt one) is in START.
      const spacing = (fs - st[START_S]!) * 1e9 + (fn - st[START_N]!);
      if (spacing < this.#spacingMin) {
        if (st[BAD] === 0) {
          this.counters[AssemblerCounter.timingErrors]!++;
          st[BAD] = 1 + WiegandDrop.spacingTooShort;
        }
      } else if (spacing > this.#spacingMax && st[BAD] === 0) {
        this.counters[AssemblerCounter.timingErrors]!++;
        st[BAD] = 1 + WiegandDrop.spacingTooLong;
      }
    }
    st[ACTIVE] = 1;
    st[START_S] = fs;
    st[START_N] = fn;
    st[END_S] = sec;
    st[END_N] = nsec;
    if (count >= this.#maxBits) {
      if (st[BAD] === 0) {
        this.counters[AssemblerCounter.overflows]!++;
        st[BAD] = 1 + WiegandDrop.tooManyBits;
      }
      return;
    }
    this.bits[count] = l;
    st[COUNT] = count + 1;
    this.counters[AssemblerCounter.bits]!++;
  }

  /** Same as {@link edge} with the time as nanoseconds in a double (may box a number; not for hot loops). */
  edgeNs(line: number, rising: boolean, tNs: number): void {
    const sec = Math.floor(tNs / 1e9);
    this.edge(line, rising, sec, tNs - sec * 1e9);
  }

  /**
   * The clock moved to `sec` + `nsec` with no edge: ends a frame whose gap has
   * passed and reports a line held low. Call it when a wait for edges times out.
   */
  tick(sec: number, nsec: number): void {
    const st = this.#st;
    if (st[ACTIVE] !== 0 && since(st, END_S, sec, nsec) >= this.#gap) {
      // A pulse still under way after the gap is far too long: the frame is spoilt.
      if ((st[LVL] === 0 || st[LVL + 1] === 0) && st[BAD] === 0) {
        this.counters[AssemblerCounter.timingErrors]!++;
        st[BAD] = 1 + WiegandDrop.cutShort;
      }
      this.#finish();
    }
    if (st[FAULT] === WiegandFault.none) {
      for (let l = 0; l < 2; l++) {
        if (st[LVL + l] === 0 && since(st, FALL_S + 2 * l, sec, nsec) >= this.#gap) {
          st[FAULT] = WiegandFault.stuckLow;
          st[INVALID + l] = 1;
          this.counters[AssemblerCounter.faults]!++;
          this.#sink.fault(WiegandFault.stuckLow);
          break;
        }
      }
    }
  }

  /** Same as {@link tick} with the time as nanoseconds in a double. */
  tickNs(tNs: number): void {
    const sec = Math.floor(tNs / 1e9);
    this.tick(sec, tNs - sec * 1e9);
  }

  /** Ends the frame in progress now (e.g. on shutdown), delivering it when clean. */
  flush(): void {
    if (this.#st[ACTIVE] !== 0) this.#finish();
  }

  /**
   * Marks the frame in progress (or a new one) as spoilt by `reason` (the
   * first reason is kept); it ends after the usual gap.
   */
  #spoil(sec: number, nsec: number, reason: number): void {
    const st = this.#st;
    if (st[ACTIVE] === 0) st[COUNT] = 0;
    st[ACTIVE] = 1;
    if (st[BAD] === 0) st[BAD] = 1 + reason;
    st[END_S] = sec;
    st[END_N] = nsec;
  }

  #finish(): void {
    const st = this.#st;
    const count = st[COUNT]!;
    const bad = st[BAD]!;
    st[ACTIVE] = 0;
    st[BAD] = 0;
    st[COUNT] = 0;
    if (bad !== 0 || count === 0) {
      this.counters[AssemblerCounter.discarded]!++;
      if (bad !== 0) {
        this.drops[bad - 1]!++;
        this.#sink.dropped?.(bad - 1, count, st[END_S]!, st[END_N]!);
      }
      return;
    }
    this.counters[AssemblerCounter.frames]!++;
    this.frameEnd[0] = st[END_S]!;
    this.frameEnd[1] = st[END_N]!;
    this.#sink.frame(this.bits, count);
  }
}

/** Nanoseconds from the time stored at `st[at]`, `st[at+1]` to `sec` + `nsec`. */
function since(st: Int32Array, at: number, sec: number, nsec: number): number {
  return (sec - st[at]!) * 1e9 + (nsec - st[at + 1]!);
}
