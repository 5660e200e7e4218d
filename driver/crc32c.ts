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

/**
 * CRC32C of `data[start, end)`, continuing from `prev` (the CRC32C of the
 * bytes before, 0 to start fresh). Slice-by-8.
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 */
export function crc32c(data: Uint8Array, start = 0, end: number = data.length, prev = 0): number {
  const t = TABLES;
  let c = ~prev;
  let i = start | 0;
  const stop8 = end - 8;
  while (i <= stop8) {
    const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    const b = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    c = t[1792 + (a & 0xff)]! ^ t[1536 + ((a >>> 8) & 0xff)]! ^ t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^ t[768 + (b & 0xff)]! ^ t[512 + ((b >>> 8) & 0xff)]! ^
      t[256 + ((b >>> 16) & 0xff)]! ^ t[b >>> 24]!;
    i += 8;
  }
  while (i < end) {
    c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    i++;
  }
  return ~c >>> 0;
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
