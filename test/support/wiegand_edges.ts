/**
 * The one random Wiegand edge-stream generator of the fuzz tests: streams of
 * D0/D1 edges whose timing hits every window of the assembler (glitches,
 * pulses, bit spacing, frame gaps, seconds, the same instant, a step back).
 *
 * @module
 */

import type { Prng } from "./prng.ts";

/** What takes edges: a `WiegandReader` (or its assembler). */
export interface EdgeSink {
  /** One edge on `line` (0 = D0, 1 = D1) at `sec`.`nsec`. */
  edge(line: number, rising: boolean, sec: number, nsec: number): void;
  /** Time passes to `sec`.`nsec` (ends a frame after its gap). */
  tick(sec: number, nsec: number): void;
}

/** A monotonic-ish clock the stream advances (seconds and nanoseconds). */
export interface EdgeClock {
  /** Seconds. */
  sec: number;
  /** Nanoseconds, kept in [0, 1e9). */
  nsec: number;
}

/** A random time step (ns) that lands in each timing window in turn. */
export function edgeStep(rng: Prng): number {
  switch (rng.int(6)) {
    case 0:
      return rng.int(25_000); // < 25 µs: a glitch
    case 1:
      return 15_000 + rng.int(200_000); // around the pulse window
    case 2:
      return 150_000 + rng.int(3_000_000); // bit spacing
    case 3:
      return 15_000_000 + rng.int(20_000_000); // around max spacing / frame gap
    case 4:
      return rng.int(1_000_000_000) * 5; // seconds
    default:
      return rng.int(3) - 1; // same instant, or 1 ns back
  }
}

/**
 * Feeds `edges` random edges to `sink`, advancing `clock`. With `shaped`,
 * nine in ten are well-formed pulses (so frames of every length occur);
 * otherwise every edge is random. With `tickOneIn` > 0, a tick follows about
 * one edge in that many.
 */
export function feedRandomEdges(
  rng: Prng,
  sink: EdgeSink,
  clock: EdgeClock,
  edges: number,
  shaped: boolean,
  tickOneIn = 0,
): void {
  for (let i = 0; i < edges; i++) {
    const line = rng.int(2);
    if (shaped && rng.int(10) !== 0) {
      sink.edge(line, false, clock.sec, clock.nsec);
      clock.nsec += 30_000 + rng.int(150_000);
      sink.edge(line, true, clock.sec, clock.nsec);
      clock.nsec += 500_000 + rng.int(2_000_000);
    } else {
      sink.edge(line, rng.int(2) === 0, clock.sec, clock.nsec);
      clock.nsec += edgeStep(rng);
    }
    if (clock.nsec >= 1_000_000_000 || clock.nsec < 0) {
      const carry = Math.floor(clock.nsec / 1_000_000_000);
      clock.sec += carry;
      clock.nsec -= carry * 1_000_000_000;
    }
    if (tickOneIn > 0 && rng.int(tickOneIn) === 0) sink.tick(clock.sec, clock.nsec);
  }
}
