/**
 * Interleaved tap-off / tap-on measurement for `bench/capture_bench.ts`: the
 * two sides take turns in rounds (who goes first alternates), each run keeps
 * the median per side, and three runs give a range. The on/off difference is
 * called "not measurable" only when it lies inside the run-to-run spread: the
 * ranges of the two sides overlap.
 *
 * @module
 */

/** One side's round: runs `frames` frames and resolves. */
export type Round = (tapOn: boolean) => Promise<void> | void;

/** What {@link interleaved} measured, per frame in nanoseconds. */
export interface TapOverhead {
  /** Median per run, tap off. */
  off: number[];
  /** Median per run, tap on. */
  on: number[];
  /** The line printed for it. */
  line: string;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const range = (a: number[]) => `${fmt(Math.min(...a))}–${fmt(Math.max(...a))}`;
const fmt = (ns: number) => ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`;

/**
 * Runs `round` with the tap off and on, `rounds` times each per run, over
 * `runs` runs; `frames` is how many frames one round handles.
 */
export async function interleaved(
  label: string,
  frames: number,
  round: Round,
  rounds = 21,
  runs = 3,
): Promise<TapOverhead> {
  const off: number[] = [];
  const on: number[] = [];
  for (let run = 0; run < runs; run++) {
    const t: [number[], number[]] = [[], []];
    for (let w = 0; w < 5; w++) await round((w & 1) === 1); // warm-up of both sides
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < 2; k++) {
        const side = (r + k) & 1;
        const t0 = performance.now();
        await round(side === 1);
        t[side]!.push(((performance.now() - t0) * 1e6) / frames);
      }
    }
    off.push(median(t[0]));
    on.push(median(t[1]));
  }
  const spread = Math.max(
    Math.max(...off) - Math.min(...off),
    Math.max(...on) - Math.min(...on),
  );
  const diff = median(on.map((v, i) => v - off[i]!));
  const overlap = Math.min(...on) <= Math.max(...off) && Math.min(...off) <= Math.max(...on);
  const verdict = overlap
    ? `not measurable (on − off ${fmt(diff)} per frame, inside the run-to-run spread ${
      fmt(spread)
    }; the ranges overlap)`
    : `overhead ${fmt(diff)} per frame (${((diff / median(off)) * 100).toFixed(0)}%; spread ${
      fmt(spread)
    })`;
  const line = `capture ${label}: off ${range(off)}, on ${
    range(on)
  } per frame over ${runs} runs; ${verdict}`;
  return { off, on, line };
}
