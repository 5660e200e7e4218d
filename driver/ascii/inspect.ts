/**
 * One captured frame → a JSON-able description, for `cli decode ascii` and
 * `cli decode line`.
 *
 * @module
 */

import { CardRead } from "../card.ts";
import { formatTag, TAG_FORMATS } from "../tag.ts";
import { AsciiFrameDecoder } from "./frame.ts";
import { LineDecoder } from "./line.ts";

/** Every tag format of a read, for showing what iFlow would receive. */
export function allTags(read: CardRead): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of TAG_FORMATS) out[f] = formatTag(read, f);
  return out;
}

function parseHexBytes(hex: string): Uint8Array | null {
  const clean = hex.replace(/^0x/i, "").replace(/[\s:,-]/g, "");
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Decodes an ASCII reader capture. Accepts the raw bytes in hex
 * (`02 36 37 … 03`) or the 12 hex characters between STX and ETX
 * (`67003B51C6CB`).
 */
export function decodeAsciiCapture(input: string): Record<string, unknown> {
  const text = input.trim();
  let bytes: Uint8Array;
  const raw = parseHexBytes(text);
  if (raw && raw[0] === 0x02) {
    bytes = raw;
  } else if (/^[0-9a-fA-F]{12}$/.test(text)) {
    bytes = new Uint8Array(14);
    bytes[0] = 0x02;
    for (let i = 0; i < 12; i++) bytes[i + 1] = text.charCodeAt(i);
    bytes[13] = 0x03;
  } else {
    return {
      ok: false,
      error: "expected the raw frame as hex bytes starting with 02, or 12 hex characters",
    };
  }
  const dec = new AsciiFrameDecoder();
  let found = false;
  for (const b of bytes) if (dec.push(b)) found = true;
  if (!found) {
    return {
      ok: false,
      error: dec.counters.checksumErrors > 0
        ? "checksum mismatch (XOR of the 5 bytes)"
        : `not a complete frame (${dec.counters.lastError || "no ETX"})`,
    };
  }
  const r = dec.read;
  const low24 = (r.data[2]! << 16) | (r.data[3]! << 8) | r.data[4]!;
  return {
    ok: true,
    kind: "ascii",
    id: formatTag(r, "hex"),
    version: r.data[0],
    cardNumber: low24,
    facility: r.data[2],
    card: (r.data[3]! << 8) | r.data[4]!,
    tags: allTags(r),
  };
}

/** Decodes one line of a one-code-per-line reader. */
export function decodeLineCapture(
  input: string,
  base: "auto" | "dec" | "hex" = "auto",
): Record<string, unknown> {
  const dec = new LineDecoder(base);
  let found = false;
  for (const ch of new TextEncoder().encode(input.trim() + "\n")) if (dec.push(ch)) found = true;
  if (!found) return { ok: false, error: `not a card code (${dec.counters.lastError || "empty"})` };
  return { ok: true, kind: "line", id: formatTag(dec.read, "hex"), tags: allTags(dec.read) };
}
