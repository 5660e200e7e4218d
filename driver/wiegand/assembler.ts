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

/** The windows an assembler applies: {@link WiegandTiming} in nanoseconds, resolved. */
export interface AssemblerLimits {
  /** Shortest valid pulse, ns. */
  readonly pulseMin: number;
  /** Longest valid pulse, ns. */
  readonly pulseMax: number;
  /** Shortest start-to-start bit spacing, ns. */
  readonly spacingMin: number;
  /** Longest start-to-start bit spacing inside a frame, ns. */
  readonly spacingMax: number;
  /** Silence after the last bit that ends the frame, ns. */
  readonly gap: number;
  /** Most bits per frame. */
  readonly maxBits: number;
}

/** The assembler's counters: plain integer fields, updated in place. */
export class AssemblerCounters {
  /** Clean frames delivered. */
  frames = 0;
  /**
   * Bits accepted, added when their frame ends (or is dropped by a reset):
   * once per frame, not once per bit in the edge loop.
   */
  bits = 0;
  /** Pulses rejected as glitches (shorter than the minimum width). */
  glitches = 0;
  /** Faults begun (both low, stuck low). */
  faults = 0;
  /** Pulses too long, bit spacing too short or too long, a frame cut off mid-bit. */
  timingErrors = 0;
  /** Frames longer than `maxBits`. */
  overflows = 0;
  /** Frames dropped because of a timing error, fault or overflow. */
  discarded = 0;
}

// Int32Array state slots.
// LVL + line: the line's level and its pulse in one slot (a falling edge writes one value,
// a rising edge reads one): 0 low, HIGH, or INVALID (low, the pulse part of a fault, no bit).
const LVL = 0;
const HIGH = 1;
const INVALID = 2;
const FALL_S = 2; // FALL_S + 2*line, FALL_N = FALL_S + 2*line + 1
// START_S = 6, START_N = 7: the falling edge of the frame's last bit (only #rise uses them,
// as literals).
const END_S = 8;
const END_N = 9;
const COUNT = 10;
// The frame in progress, in one slot: 0 none, CLEAN, or SPOILT + its first WiegandDrop reason.
// (A rising edge reads one slot to know both that a frame runs and that it is clean.)
const ACTIVE = 11;
const CLEAN = 1;
const SPOILT = 2;
const FAULT = 13; // fault in force (WiegandFault)
const SLOTS = 14;

/** Edge stream → Wiegand frames. One instance per reader; never throws, never allocates after construction. */
export class WiegandAssembler {
  /** Bits of the frame in progress / just delivered, one per byte. */
  readonly bits: Uint8Array = new Uint8Array(MAX_WIEGAND_BITS);
  /** When the frame being delivered ended (its last bit's rising edge): `[sec, nsec]`. */
  readonly frameEnd: Int32Array = new Int32Array(2);
  /** Event counters. */
  readonly counters: AssemblerCounters = new AssemblerCounters();
  /**
   * Drops by {@link WiegandDrop} reason: spoilt frames by their first fault,
   * glitches by pulse. The decode reasons (unknown length, parity, keypad
   * check) are left to the reader, which counts them in the same array.
   */
  readonly drops: Float64Array = new Float64Array(WIEGAND_DROP_REASONS.length);
  readonly #st = new Int32Array(SLOTS);
  readonly #sink: FrameSink;
  /**
   * The windows in force (nanoseconds). Assigned once, in the constructor, and
   * declared without a class-field initialiser, so V8 sees a field that never
   * changes: where the assembler is a constant of the optimised code (a
   * reader's edge loop), each window compiles to an immediate operand instead
   * of a field load and an untagging.
   */
  declare readonly limits: AssemblerLimits;

  /** Creates an assembler delivering to `sink`, with `timing` windows (defaults in {@link WiegandTiming}). */
  constructor(sink: FrameSink, timing: WiegandTiming = {}) {
    this.#sink = sink;
    this.limits = Object.freeze({
      pulseMin: Math.round((timing.pulseMinUs ?? 20) * 1000),
      pulseMax: Math.round((timing.pulseMaxUs ?? 200) * 1000),
      spacingMin: Math.round((timing.spacingMinUs ?? 200) * 1000),
      spacingMax: Math.round((timing.spacingMaxUs ?? 20_000) * 1000),
      gap: Math.round((timing.frameGapUs ?? 25_000) * 1000),
      maxBits: Math.min(MAX_WIEGAND_BITS, Math.max(1, timing.maxBits ?? MAX_WIEGAND_BITS)),
    });
    this.reset();
  }

  /** Forgets any frame in progress and assumes both lines idle high. */
  reset(): void {
    this.counters.bits += this.#st[COUNT]!; // the bits of a frame in progress
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
      (st[FAULT] === WiegandFault.none && (st[LVL] !== HIGH || st[LVL + 1] !== HIGH));
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
    // Small so that it inlines into the caller's loop; the common steps are in #fall and
    // #rise, the rare ones (faults, glitches, spoilt frames) in methods of their own.
    if (rising) this.#rise(line & 1, sec, nsec);
    else this.#fall(line & 1, sec, nsec);
  }

  // #fall and #rise write the state slots and constants as literals, named in comments:
  // a module constant costs a load and an initialisation check per use, and their bytecode
  // must stay under V8's inlining limit.

  /** A falling edge: a pulse starts on line `l`. */
  #fall(l: number, sec: number, nsec: number): void {
    const st = this.#st;
    // The line's slots first, the (rare) end of the previous frame after: #finish only
    // reads the frame slots, and V8 then need not keep this edge's values across its call.
    const ended = st[11 /* ACTIVE */] !== 0 &&
      since(st, /* END_S */ 8, sec, nsec) >= this.limits.gap;
    const f = 2 /* FALL_S */ + 2 * l; // FALL_N at f + 1
    st[l] = 0; // LVL + l: low, a valid pulse so far
    st[f] = sec;
    st[f + 1] = nsec;
    if (ended) this.#finish();
    if (st[l ^ 1] !== 1) this.#bothLow(sec, nsec); // HIGH: the other line is low too
  }

  /** Both lines low: a pulse cannot overlap another; the reader is faulty or unpowered. */
  #bothLow(sec: number, nsec: number): void {
    const st = this.#st;
    st[LVL] = INVALID;
    st[LVL + 1] = INVALID;
    this.#spoil(sec, nsec, WiegandDrop.bothLow);
    if (st[FAULT] !== WiegandFault.bothLow) {
      st[FAULT] = WiegandFault.bothLow;
      this.counters.faults++;
      this.#sink.fault(WiegandFault.bothLow);
    }
  }

  /** A rising edge: the pulse on line `l` ends; a bit when its width and spacing are right. */
  #rise(l: number, sec: number, nsec: number): void {
    const st = this.#st;
    const level = st[l]!; // LVL + l
    if (level === 1) return; // HIGH: rising without a falling edge (start-up, lost event)
    st[l] = 1; // HIGH
    if (st[13 /* FAULT */] !== 0 /* none */ && st[l ^ 1] === 1 /* HIGH */) this.#faultEnds();
    if (level !== 0) return; // INVALID: the pulse was part of a fault
    const f = 2 /* FALL_S */ + 2 * l; // FALL_N at f + 1
    const fs = st[f]!;
    const fn = st[f + 1]!;
    const width = nsBetween(fs, fn, sec, nsec);
    if (width < this.limits.pulseMin || width > this.limits.pulseMax) {
      this.#badPulse(width, sec, nsec);
      return;
    }
    const count = st[10 /* COUNT */]!;
    const frame = st[11 /* ACTIVE */]!;
    if (frame === 1 /* CLEAN */) {
      // The previous pulse of this frame is in START.
      const spacing = nsBetween(st[6 /* START_S */]!, st[7 /* START_N */]!, fs, fn);
      if (spacing < this.limits.spacingMin || spacing > this.limits.spacingMax) {
        this.#badSpacing(spacing);
      }
    } else if (frame === 0) st[11 /* ACTIVE */] = 1; // CLEAN: a new frame
    st[6 /* START_S */] = fs;
    st[7 /* START_N */] = fn;
    st[8 /* END_S */] = sec;
    st[9 /* END_N */] = nsec;
    if (count >= this.limits.maxBits) {
      this.#overflow();
      return;
    }
    this.bits[count] = l;
    st[10 /* COUNT */] = count + 1; // counters.bits gets the frame's count when it ends
  }

  /** The lines are back to normal after a fault. */
  #faultEnds(): void {
    this.#st[FAULT] = WiegandFault.none;
    this.#sink.fault(WiegandFault.none);
  }

  /** A pulse `width` ns wide, outside the window: a glitch (too short) or a spoilt frame. */
  #badPulse(width: number, sec: number, nsec: number): void {
    if (width < this.limits.pulseMin) {
      this.counters.glitches++;
      this.drops[WiegandDrop.glitch]!++;
      this.#sink.dropped?.(WiegandDrop.glitch, this.#st[COUNT]!, sec, nsec);
      return;
    }
    this.counters.timingErrors++;
    this.#spoil(sec, nsec, WiegandDrop.pulseTooLong);
  }

  /** Bit spacing `spacing` ns outside the window in a clean frame: the frame is spoilt. */
  #badSpacing(spacing: number): void {
    this.counters.timingErrors++;
    this.#st[ACTIVE] = SPOILT +
      (spacing < this.limits.spacingMin ? WiegandDrop.spacingTooShort : WiegandDrop.spacingTooLong);
  }

  /** More bits than `maxBits`: the frame is spoilt (counted once). */
  #overflow(): void {
    const st = this.#st;
    if (st[ACTIVE] === CLEAN) {
      this.counters.overflows++;
      st[ACTIVE] = SPOILT + WiegandDrop.tooManyBits;
    }
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
    if (st[ACTIVE] !== 0 && since(st, END_S, sec, nsec) >= this.limits.gap) {
      // A pulse still under way after the gap is far too long: the frame is spoilt.
      if ((st[LVL] !== HIGH || st[LVL + 1] !== HIGH) && st[ACTIVE] === CLEAN) {
        this.counters.timingErrors++;
        st[ACTIVE] = SPOILT + WiegandDrop.cutShort;
      }
      this.#finish();
    }
    if (st[FAULT] === WiegandFault.none) {
      for (let l = 0; l < 2; l++) {
        if (st[LVL + l] !== HIGH && since(st, FALL_S + 2 * l, sec, nsec) >= this.limits.gap) {
          st[FAULT] = WiegandFault.stuckLow;
          st[LVL + l] = INVALID;
          this.counters.faults++;
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
    const frame = st[ACTIVE]!;
    if (frame === 0) st[COUNT] = 0;
    if (frame < SPOILT) st[ACTIVE] = SPOILT + reason;
    st[END_S] = sec;
    st[END_N] = nsec;
  }

  #finish(): void {
    // Literal slots (COUNT 10, ACTIVE 11, END 8/9) and the dropped-frame path in
    // #discard: small enough for V8 to inline it with the sink into the edge loop.
    const st = this.#st;
    const count = st[10]!;
    const frame = st[11]!;
    const bad = frame >= 2 ? frame - 1 : 0; // SPOILT + reason -> 1 + reason
    st[11] = 0;
    st[10] = 0;
    this.counters.bits += count;
    if (bad !== 0 || count === 0) {
      this.#discard(bad, count);
      return;
    }
    this.counters.frames++;
    this.frameEnd[0] = st[8]!;
    this.frameEnd[1] = st[9]!;
    this.#sink.frame(this.bits, count);
  }

  /** A frame ended spoilt (`bad`: 1 + its WiegandDrop reason) or empty: counted, not delivered. */
  #discard(bad: number, count: number): void {
    this.counters.discarded++;
    if (bad !== 0) {
      this.drops[bad - 1]!++;
      this.#sink.dropped?.(bad - 1, count, this.#st[END_S]!, this.#st[END_N]!);
    }
  }
}

/** Nanoseconds from the time stored at `st[at]`, `st[at+1]` to `sec` + `nsec`. */
function since(st: Int32Array, at: number, sec: number, nsec: number): number {
  return nsBetween(st[at]!, st[at + 1]!, sec, nsec);
}

/**
 * Nanoseconds from `s0` + `n0` to `s1` + `n1` (seconds below 2^30, nanoseconds
 * below 10^9, so both differences fit 32 bits: `| 0` tells V8 so, and it
 * subtracts without overflow checks). Inside one second, the common case
 * between the edges of a frame, that is the whole answer; across seconds the
 * seconds are scaled, exact to the nanosecond as before.
 */
function nsBetween(s0: number, n0: number, s1: number, n1: number): number {
  const ds = (s1 - s0) | 0;
  const dn = (n1 - n0) | 0;
  return ds === 0 ? dn : ds * 1e9 + dn;
}
