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
 * "load two words, split them into bytes" form). Written for V8: it loads each
 * byte once with no word assembly, counts the bytes left down, and sums
 * indices with `| 0` (int32 adds without overflow checks; the bounds check
 * catches anything out of range, so an `end` beyond 2^31 is not supported).
 */
function crc32cInto(data: Uint8Array, start: number, end: number, prev: number): void {
  const t = T32;
  let c = ~prev;
  let i = start | 0;
  let n = (end - start) | 0;
  while (n >= 8) {
    c = t[1792 + ((c ^ data[i]!) & 0xff)]! ^
      t[1536 + (((c >>> 8) ^ data[(i + 1) | 0]!) & 0xff)]! ^
      t[1280 + (((c >>> 16) ^ data[(i + 2) | 0]!) & 0xff)]! ^
      t[1024 + ((c >>> 24) ^ data[(i + 3) | 0]!)]! ^
      t[768 + data[(i + 4) | 0]!]! ^ t[512 + data[(i + 5) | 0]!]! ^
      t[256 + data[(i + 6) | 0]!]! ^ t[data[(i + 7) | 0]!]!;
    i = (i + 8) | 0;
    n = (n - 8) | 0;
  }
  while (n > 0) {
    c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    i = (i + 1) | 0;
    n = (n - 1) | 0;
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
