/**
 * Test support: drives a {@link WiegandReader} the way its read loop does on
 * a real line. Pulses become `gpio_v2_line_event` records fed through the
 * reader's GPIO event parser, one record per wake-up, and while no edge
 * arrives the reader is ticked every 5 ms when it waits for a frame or a
 * line (500 ms otherwise), as `WiegandReader`'s loop polls.
 *
 * @module
 */

import {
  GPIO_V2_EVENT_FALLING,
  GPIO_V2_EVENT_RISING,
  GPIO_V2_LINE_EVENT_SIZE,
  setEventTimestamp,
  type WiegandReader,
} from "../../../driver/wiegand/mod.ts";

/** One low pulse: line (0 = D0, 1 = D1), start and width in ns. */
export interface Pulse {
  /** 0 = D0, 1 = D1. */
  line: number;
  /** Falling edge, ns. */
  at: number;
  /** Width, ns. */
  width: number;
}

const BUSY_WAIT_NS = 5_000_000;
const IDLE_WAIT_NS = 500_000_000;

/** Feeds pulses to a reader (lines at offsets 0 and 1) with loop-like ticks. */
export class LineDriver {
  readonly #reader: WiegandReader;
  readonly #rec = new Uint8Array(GPIO_V2_LINE_EVENT_SIZE);
  readonly #edges: number[] = [];
  #seq = 0;
  /** Time of the last edge or tick, ns. */
  clock = 1_000_000_000;

  /** Drives `reader` (configured with `d0: 0, d1: 1`). */
  constructor(reader: WiegandReader) {
    this.#reader = reader;
  }

  /** Ticks as the loop would until `t` (ns), without reaching it. */
  idleUntil(t: number): void {
    for (;;) {
      const wait = this.#reader.assembler.needsTick ? BUSY_WAIT_NS : IDLE_WAIT_NS;
      if (this.clock + wait >= t) return;
      this.clock += wait;
      this.#tick(this.clock);
    }
  }

  /** One edge at `t` ns (after the loop's ticks up to it). */
  edge(line: number, rising: boolean, t: number): void {
    this.idleUntil(t);
    const r = this.#rec;
    setEventTimestamp(r, 0, t);
    r[8] = rising ? GPIO_V2_EVENT_RISING : GPIO_V2_EVENT_FALLING;
    r[12] = line;
    const seq = ++this.#seq;
    r[16] = seq & 0xff;
    r[17] = (seq >>> 8) & 0xff;
    r[18] = (seq >>> 16) & 0xff;
    r[19] = (seq >>> 24) & 0xff;
    this.#reader.feedEvents(r, r.length);
    this.clock = t;
  }

  /** Plays `pulses` (any order; each line's pulses must not overlap) in time order. */
  play(pulses: readonly Pulse[]): void {
    const e = this.#edges;
    e.length = 0;
    for (const p of pulses) e.push(p.at * 4 + p.line * 2, (p.at + p.width) * 4 + p.line * 2 + 1);
    // Encoded as time·4 + line·2 + rising: sorting numbers keeps time order (exact below 2^51).
    e.sort((a, b) => a - b);
    for (const v of e) {
      const rising = (v & 1) === 1;
      const line = (v >>> 1) & 1;
      this.edge(line, rising, (v - (v % 4)) / 4);
    }
  }

  /** Lets `ms` of silence pass (ticks included). */
  idle(ms: number): void {
    const end = this.clock + ms * 1_000_000;
    this.idleUntil(end);
    this.clock = end;
    this.#tick(end);
  }

  #tick(t: number): void {
    const sec = Math.floor(t / 1e9);
    this.#reader.tick(sec, t - sec * 1e9);
  }
}
