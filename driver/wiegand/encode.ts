/**
 * Builds Wiegand frames from facility/card numbers (for the simulator, tests,
 * the demo and the CLI). Not a hot path: it allocates.
 *
 * @module
 */

import {
  BUILTIN_FORMATS,
  CompiledFormat,
  MAX_WIEGAND_BITS,
  type WiegandFormatDef,
} from "./formats.ts";

/** Looks a built-in format up by name, or compiles a definition. */
function compiled(format: string | WiegandFormatDef | CompiledFormat): CompiledFormat {
  if (format instanceof CompiledFormat) return format;
  if (typeof format === "string") {
    const def = BUILTIN_FORMATS[format];
    if (!def) throw new Error(`unknown wiegand format "${format}"`);
    return new CompiledFormat(def);
  }
  return new CompiledFormat(format);
}

function putField(bits: Uint8Array, start: number, len: number, value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** len) {
    throw new Error(`${what} ${value} does not fit in ${len} bits`);
  }
  let v = value;
  for (let i = len - 1; i >= 0; i--) {
    bits[start + i] = v % 2;
    v = Math.floor(v / 2);
  }
}

/**
 * The frame (one bit per byte, first transmitted first) that carries
 * `facility` and `card` in `format`, with every parity bit set.
 *
 * @example
 * ```ts
 * bitsToString(encodeWiegand("h10301", 90, 324)); // "00101101000000001010001000"
 * ```
 */
export function encodeWiegand(
  format: string | WiegandFormatDef | CompiledFormat,
  facility: number,
  card: number,
): Uint8Array {
  const f = compiled(format);
  const bits = new Uint8Array(f.bits);
  if (f.facLen > 0) putField(bits, f.facStart, f.facLen, facility, `${f.name} facility`);
  putField(bits, f.cardStart, f.cardLen, card, `${f.name} card`);
  for (let r = 0; r < f.ruleCount; r++) {
    const pb = f.parityBits[r]!;
    bits[pb] = 0;
    let ones = 0;
    for (let p = 0; p < f.bits; p++) {
      if (((f.masks[r * 4 + (p >>> 5)]! >>> (31 - (p & 31))) & 1) !== 0) ones += bits[p]!;
    }
    bits[pb] = (ones & 1) ^ f.expect[r]!;
  }
  return bits;
}

/** `"0101…"` for a one-bit-per-byte frame. */
export function bitsToString(bits: Uint8Array, count: number = bits.length): string {
  let s = "";
  for (let i = 0; i < count; i++) s += bits[i] ? "1" : "0";
  return s;
}

/** One bit per byte from a `"0101…"` string; throws on other characters or over 128 bits. */
export function bitsFromString(s: string): Uint8Array {
  if (!/^[01]+$/.test(s)) throw new Error(`not a bit string: "${s}" (only 0 and 1 allowed)`);
  if (s.length > MAX_WIEGAND_BITS) throw new Error(`${s.length} bits: at most ${MAX_WIEGAND_BITS}`);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) - 48;
  return out;
}

/** The frame's value as an unsigned big integer (first bit most significant). */
export function bitsToBigInt(bits: Uint8Array, count: number = bits.length): bigint {
  let v = 0n;
  for (let i = 0; i < count; i++) v = (v << 1n) | (bits[i] ? 1n : 0n);
  return v;
}

/** `count` bits of `value`, most significant first, one bit per byte. */
export function bitsFromBigInt(value: bigint, count: number): Uint8Array {
  if (count < 1 || count > MAX_WIEGAND_BITS) throw new Error(`bit count ${count} outside 1..128`);
  if (value < 0n || value >> BigInt(count) !== 0n) {
    throw new Error(`value 0x${value.toString(16)} does not fit in ${count} bits`);
  }
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = Number((value >> BigInt(count - 1 - i)) & 1n);
  return out;
}

/** Packs one-bit-per-byte into MSB-first left-justified bytes (the `osdp_RAW` layout). */
export function packBits(bits: Uint8Array, count: number = bits.length): Uint8Array {
  const out = new Uint8Array((count + 7) >>> 3);
  for (let i = 0; i < count; i++) if (bits[i]) out[i >>> 3]! |= 0x80 >>> (i & 7);
  return out;
}
