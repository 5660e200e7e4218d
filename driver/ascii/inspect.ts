/**
 * One captured frame → a JSON-able description, for `cli decode ascii` and
 * `cli decode line`.
 *
 * @module
 */

import type { CaptureResult } from "../capture.ts";
import { CardRead } from "../card.ts";
import { parseHexBytes } from "../hex.ts";
import { formatTag, TAG_FORMATS } from "../tag.ts";
import { AsciiFrameDecoder } from "./frame.ts";
import { LineDecoder } from "./line.ts";

/** Every tag format of a read, for showing what iFlow would receive. */
export function allTags(read: CardRead): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of TAG_FORMATS) out[f] = formatTag(read, f);
  return out;
}

/** What {@link decodeAsciiCapture} found. */
export interface AsciiCaptureResult extends CaptureResult {
  /** `ascii` when decoded. */
  kind?: "ascii";
  /** The 5-byte id in hex. */
  id?: string;
  /** The version/customer byte. */
  version?: number;
  /** The low 24 bits of the id. */
  cardNumber?: number;
  /** Byte 3 of the id, as printed `FFF,CCCCC` cards read it. */
  facility?: number;
  /** The low 16 bits of the id. */
  card?: number;
  /** The id in every tag format. */
  tags?: Record<string, string>;
}

/** What {@link decodeLineCapture} found. */
export interface LineCaptureResult extends CaptureResult {
  /** `line` when decoded. */
  kind?: "line";
  /** The code as hex bytes. */
  id?: string;
  /** The code in every tag format. */
  tags?: Record<string, string>;
}

/**
 * Decodes an ASCII reader capture. Accepts the raw bytes in hex
 * (`02 36 37 … 03`) or the 12 hex characters between STX and ETX
 * (`67003B51C6CB`).
 */
export function decodeAsciiCapture(input: string): AsciiCaptureResult {
  const text = input.trim();
  let bytes: Uint8Array;
  let raw: Uint8Array | null = null;
  try {
    raw = parseHexBytes(text);
  } catch {
    // not raw bytes; maybe the 12 characters
  }
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
): LineCaptureResult {
  const dec = new LineDecoder(base);
  let found = false;
  for (const ch of new TextEncoder().encode(input.trim() + "\n")) if (dec.push(ch)) found = true;
  if (!found) return { ok: false, error: `not a card code (${dec.counters.lastError || "empty"})` };
  return { ok: true, kind: "line", id: formatTag(dec.read, "hex"), tags: allTags(dec.read) };
}
