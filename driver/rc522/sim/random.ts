/**
 * The simulator's noise source: the project's seeded generator, whose
 * `int(n)` here is `next31() % n` (the draw the noise tests were recorded with).
 *
 * @module
 */

import { SeededRandom } from "../../random.ts";

/** A seeded generator for the simulated field's noise. */
export class SimRandom extends SeededRandom {
  /** Integer in [0, n) for n ≤ 2^31. */
  override int(n: number): number {
    return this.next31() % n;
  }
}
