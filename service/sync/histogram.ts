/**
 * A fixed-bucket latency histogram (Prometheus style: cumulative counts per
 * upper bound, plus sum and count).
 *
 * @module
 */

/** Default upper bounds, ms. */
export const LATENCY_BUCKETS_MS: readonly number[] = Object.freeze([
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
  30000,
]);

/** A histogram snapshot: `counts[i]` observations ≤ `bounds[i]` (cumulative); `+Inf` is `count`. */
export interface HistogramSnapshot {
  /** Upper bounds, ms, ascending. */
  bounds: number[];
  /** Cumulative counts per bound. */
  counts: number[];
  /** Sum of all observations, ms. */
  sum: number;
  /** Number of observations (the `+Inf` bucket). */
  count: number;
}

/** Counts observations into fixed buckets. */
export class LatencyHistogram {
  readonly #bounds: readonly number[];
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  /** Creates an empty histogram with `bounds` (ascending, ms). */
  constructor(bounds: readonly number[] = LATENCY_BUCKETS_MS) {
    this.#bounds = bounds;
    this.#counts = new Float64Array(bounds.length);
  }

  /** Adds one observation, ms. */
  observe(ms: number): void {
    this.#sum += ms;
    this.#count++;
    for (let i = 0; i < this.#bounds.length; i++) {
      if (ms <= this.#bounds[i]!) {
        this.#counts[i]!++;
        return;
      }
    }
  }

  /** Cumulative snapshot. */
  snapshot(): HistogramSnapshot {
    const counts: number[] = [];
    let acc = 0;
    for (let i = 0; i < this.#bounds.length; i++) counts.push(acc += this.#counts[i]!);
    return { bounds: [...this.#bounds], counts, sum: this.#sum, count: this.#count };
  }
}
