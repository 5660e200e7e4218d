/**
 * Heap growth across a hot segment delimited by forced GCs: collect, read
 * `heapUsed`, run the segment, read `heapUsed` again, and subtract what the
 * two reads cost on their own (measured the same way around nothing). With a
 * 1 MiB semi-space and a segment that allocates less than that, no scavenge
 * can hide an allocation: a loop allocating 16 bytes per unit grows the heap
 * by about 16 bytes per unit, a zero-allocation loop by 0.
 *
 * Needs `--expose-gc` (`--v8-flags=--expose-gc,--max-semi-space-size=1`).
 *
 * @module
 */

/**
 * Bytes the heap grew while `segment` ran, between forced GCs: the least
 * growth over `repeats` runs, less the least cost of the two reads alone. The
 * runtime allocates a little now and then on its own (a few kB at random
 * moments); an allocation made by the segment shows in every run. Throws
 * without `--expose-gc`.
 */
export function heapGrowth(segment: () => unknown, repeats = 5): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") throw new Error("heapGrowth needs --v8-flags=--expose-gc");
  let base = Infinity;
  let growth = Infinity;
  for (let i = 0; i < repeats; i++) {
    gc();
    const a = Deno.memoryUsage().heapUsed;
    const b = Deno.memoryUsage().heapUsed;
    base = Math.min(base, b - a);
    gc();
    const h0 = Deno.memoryUsage().heapUsed;
    segment();
    const h1 = Deno.memoryUsage().heapUsed;
    growth = Math.min(growth, h1 - h0);
  }
  return growth - base;
}
