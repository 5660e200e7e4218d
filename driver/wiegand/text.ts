/**
 * `deno task cli decode wiegand <bits|hex:N>`: decodes a frame typed by hand
 * and returns every field as a JSON-able object.
 *
 * Accepted input: a bit string (`00101101000000001010001000`, spaces and `_`
 * ignored), or a hex value with its bit count (`0x2020002:26`, `2020002:26`,
 * `hex:2020002:26`).
 *
 * @module
 */

import { CardRead } from "../card.ts";
import { formatTag, TAG_FORMATS } from "../tag.ts";
import {
  DECODE_STATUS_NAMES,
  DecodeStatus,
  decodeWiegandBits,
  type WiegandFormatOptions,
  WiegandFormatSet,
} from "./decode.ts";
import { bitsFromBigInt, bitsFromString, bitsToBigInt, bitsToString } from "./encode.ts";
import { MAX_WIEGAND_BITS } from "./formats.ts";
import type { CaptureResult } from "../capture.ts";
import { decodeKeypadBurst, keyLabel, KEYPAD_BAD_CHECK, type KeypadOptions } from "./keypad.ts";

/** One parity bit's check. */
export interface ParityCheckResult {
  /** Parity bit position (1-based). */
  bit: number;
  /** `even` or `odd`. */
  type: "even" | "odd";
  /** True when it holds. */
  ok: boolean;
}

/** What {@link decodeWiegandText} found. */
export interface WiegandTextResult extends CaptureResult {
  /** The input as given. */
  input: string;
  /** `card`, `key`, or `invalid` (unreadable input). */
  kind: "card" | "key" | "invalid";
  /** `ok`, `parity`, `unknown-length`, `bad-length`, `keypad-check`, or `invalid-input`. */
  status: string;
  /** Why the input could not be read (`invalid` only). */
  error?: string;
  /** The frame as bits. */
  bits?: string;
  /** Frame length. */
  bitCount?: number;
  /** The frame as hex (`0x…`). */
  hex?: string;
  /** Format used (cards). */
  format?: string;
  /** Facility code (cards with one). */
  facility?: number;
  /** Card number (cards). */
  card?: number;
  /** Each parity bit of the format (cards with a format). */
  parity?: ParityCheckResult[];
  /** The id (data bits without parity) as hex and decimal (decoded cards). */
  id?: { hex: string; dec: string; bits: number };
  /** The id in every tag format (decoded cards). */
  tags?: Record<string, string>;
  /** Key label (keypad bursts). */
  key?: string;
  /** Key code (keypad bursts). */
  code?: number;
}

/** Options for {@link decodeWiegandText}. */
export interface WiegandTextOptions {
  /** Format choice (default `auto`). */
  formats?: WiegandFormatOptions;
  /** Treat 4- and 8-bit frames as keys (default true). */
  keypad?: boolean | KeypadOptions;
}

/** Parses the input into one bit per byte; throws `Error` with a clear message. */
export function parseWiegandText(input: string): Uint8Array {
  const s = input.trim().replace(/^hex:/i, "");
  const m = /^(?:0x)?([0-9a-fA-F]+):(\d+)$/.exec(s);
  if (m) {
    const n = Number(m[2]);
    if (n < 1 || n > MAX_WIEGAND_BITS) {
      throw new Error(`bit count ${n} outside 1..${MAX_WIEGAND_BITS}`);
    }
    return bitsFromBigInt(BigInt("0x" + m[1]), n);
  }
  const bits = s.replace(/[\s_]/g, "");
  if (/^[01]+$/.test(bits)) return bitsFromString(bits);
  throw new Error(
    `expected a bit string (e.g. 00101101000000001010001000) or hex:N (e.g. 0x2020002:26), got "${input}"`,
  );
}

/** Decodes a typed frame (see the module doc); never throws. */
export function decodeWiegandText(
  input: string,
  options: WiegandTextOptions = {},
): WiegandTextResult {
  let bits: Uint8Array;
  try {
    bits = parseWiegandText(input);
  } catch (e) {
    return {
      ok: false,
      input,
      kind: "invalid",
      status: "invalid-input",
      error: (e as Error).message,
    };
  }
  let set: WiegandFormatSet;
  try {
    set = new WiegandFormatSet(options.formats);
  } catch (e) {
    return {
      ok: false,
      input,
      kind: "invalid",
      status: "invalid-input",
      error: (e as Error).message,
    };
  }
  const n = bits.length;
  const base: WiegandTextResult = {
    ok: true,
    input,
    kind: "card",
    status: "ok",
    bits: bitsToString(bits),
    bitCount: n,
    hex: "0x" + bitsToBigInt(bits).toString(16).toUpperCase(),
  };
  const keypad = options.keypad ?? true;
  if ((n === 4 || n === 8) && keypad !== false) {
    const code = decodeKeypadBurst(bits, n);
    if (code === KEYPAD_BAD_CHECK) {
      return { ...base, ok: false, kind: "key", status: "keypad-check" };
    }
    return {
      ...base,
      kind: "key",
      key: keyLabel(code, typeof keypad === "object" ? keypad : {}),
      code,
    };
  }
  const read = new CardRead();
  const st = decodeWiegandBits(bits, n, read, set);
  const out: WiegandTextResult = {
    ...base,
    ok: st === DecodeStatus.ok,
    status: DECODE_STATUS_NAMES[st] ?? "?",
  };
  if (read.format) out.format = read.format;
  const f = read.format ? set.formats.get(read.format) : undefined;
  if (f) {
    out.parity = f.def.parity.map((rule, r) => {
      let ones = 0;
      for (let p = 0; p < n; p++) {
        if (((f.masks[r * 4 + (p >>> 5)]! >>> (31 - (p & 31))) & 1) !== 0) ones += bits[p]!;
      }
      return { bit: rule.bit, type: rule.type, ok: (ones & 1) === f.expect[r] };
    });
  }
  if (st !== DecodeStatus.ok) return out;
  if (read.facility >= 0) out.facility = read.facility;
  if (read.card >= 0) out.card = read.card;
  const id = read.idBigInt();
  out.id = { hex: id.toString(16).toUpperCase(), dec: id.toString(10), bits: read.bitLength };
  out.tags = Object.fromEntries(TAG_FORMATS.map((t) => [t, formatTag(read, t)]));
  return out;
}
