/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven: every
 * journal record and every capture record carries one.
 *
 * Two implementations share one table set: {@link crc32c} processes eight
 * bytes per step ("slice-by-8", the default, measured faster in
 * `bench/journal_bench.ts`) and {@link crc32cBytewise} one byte per step (the
 * plain table method, kept as the reference and for the benchmark). Neither
 * allocates.
 *
 * @module
 */

/** Eight 256-entry tables laid out back to back: table k at [k*256, k*256+256). */
const TABLES: Uint32Array = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff]! ^ (c >>> 8)) >>> 0;
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/** The same tables as int32 (loads stay 32-bit integers in optimised code). */
const T32: Int32Array = new Int32Array(TABLES.buffer);
/** Where {@link crc32cInto} leaves its result, as a signed 32-bit integer. */
const RESULT: Int32Array = new Int32Array(1);

/**
 * CRC32C of `data[start, end)`, continuing from `prev` (the CRC32C of the
 * bytes before, 0 to start fresh). Slice-by-8.
 *
 * Small on purpose: the slice-by-8 loop lives in a helper that leaves its
 * result in an `Int32Array` slot, so this function inlines into its caller
 * and the unsigned result is never boxed as a heap number (an uninlined
 * function returning a uint32 above 2^30 would allocate one per call).
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 */
export function crc32c(data: Uint8Array, start = 0, end: number = data.length, prev = 0): number {
  crc32cInto(data, start, end, prev | 0);
  return RESULT[0]! >>> 0;
}

/**
 * The slice-by-8 loop. Each of the eight lookups indexes its table with one
 * byte: the first four with a data byte XOR a byte of the register, the last
 * four with the data byte itself (what a C compiler makes of the usual
 * "load two words, split them into bytes" form). Written for V8 (checked in
 * the machine code, see bench/native_vs_ts.ts):
 *
 * - the four lookups that need only data bytes are XORed first and the four
 *   that depend on the register last, as a tree: V8 keeps the source's
 *   grouping, so the register's dependency chain per step is one load and
 *   three XORs instead of a load and seven XORs;
 * - `data.length` is read once before the loops: that puts the map check of
 *   `data` in front of them, so V8 drops it (and the length load) from every
 *   step;
 * - the index starts as `start & 0x7fffffff` (a non-negative int32), so
 *   `i + k` needs no sign extension before the bounds check, and the loops
 *   run on the index against a precomputed limit (no second counter). An
 *   `end` beyond 2^31 is not supported.
 */
function crc32cInto(data: Uint8Array, start: number, end: number, prev: number): void {
  const t = T32;
  let c = ~prev;
  let i = start & 0x7fffffff;
  const stop = (end - start + i) | 0;
  const last = (stop - 8) | 0;
  if (data.length < 0) c = 0; // never taken: only moves the map check out of the loops
  while (i <= last) {
    const lo = t[768 + data[i + 4]!]! ^ t[512 + data[i + 5]!]! ^
      (t[256 + data[i + 6]!]! ^ t[data[i + 7]!]!);
    c = (t[1792 + ((c ^ data[i]!) & 0xff)]! ^ t[1536 + (((c >>> 8) ^ data[i + 1]!) & 0xff)]!) ^
      (t[1280 + (((c >>> 16) ^ data[i + 2]!) & 0xff)]! ^ t[1024 + ((c >>> 24) ^ data[i + 3]!)]!) ^
      lo;
    i = (i + 8) & 0x7fffffff;
  }
  while (i < stop) {
    c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    i = (i + 1) | 0;
  }
  RESULT[0] = ~c;
}

/**
 * CRC32C of `data[start, end)`, one table lookup per byte (reference
 * implementation; same results as {@link crc32c}).
 */
export function crc32cBytewise(
  data: Uint8Array,
  start = 0,
  end: number = data.length,
  prev = 0,
): number {
  const t = TABLES;
  let c = ~prev;
  for (let i = start; i < end; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
