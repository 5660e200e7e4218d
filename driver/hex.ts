/**
 * Hex text → bytes, for captures typed or pasted by a person (`cli decode`).
 *
 * @module
 */

/**
 * Parses hex bytes. Spaces, `:`, `,`, `.`, `-` and `0x` prefixes are allowed
 * between bytes. Throws a `RangeError` naming the problem when the text is
 * empty, has an odd number of digits, or holds a character that is not hex.
 *
 * @example
 * ```ts
 * import { parseHexBytes } from "./hex.ts";
 * parseHexBytes("53 65 08 00"); // Uint8Array [0x53, 0x65, 0x08, 0x00]
 * ```
 */
export function parseHexBytes(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, "").replace(/[\s:,.-]/g, "");
  if (clean.length === 0) throw new RangeError("expected hex bytes, got nothing");
  if (!/^[0-9a-fA-F]+$/.test(clean)) throw new RangeError("expected hex bytes (0-9, A-F)");
  if (clean.length % 2 !== 0) {
    throw new RangeError(`expected hex bytes, got an odd number of digits (${clean.length})`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** `b[off, off + len)` as spaced upper-case hex (`53 65 08`), as `parseHexBytes` reads it back. */
export function hexString(b: Uint8Array, off = 0, len: number = b.length - off): string {
  let s = "";
  for (let i = 0; i < len; i++) {
    s += (i ? " " : "") + b[off + i]!.toString(16).padStart(2, "0").toUpperCase();
  }
  return s;
}
