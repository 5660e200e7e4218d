/**
 * Wiegand bits → card read: picks the format by bit count (or a fixed one),
 * checks every parity bit and fills a caller-owned {@link CardRead}. Used by
 * the Wiegand reader and by OSDP for `osdp_RAW` card data.
 *
 * The id is the format's data bits without parity (facility then card,
 * concatenated) for known formats, so `dec10` of an H10301 read equals the
 * number an EM4100 card prints; for raw frames the id is all bits.
 *
 * Nothing here allocates per call: the set owns its scratch words.
 *
 * @example
 * ```ts
 * import { CardRead } from "@pontaj/pontaj/driver";
 * import { DecodeStatus, decodeWiegandPacked } from "./mod.ts";
 * const read = new CardRead();
 * // 0x2020002 as 26 bits, left-justified MSB-first: 1000 0000 1000 0000 0000 0000 10
 * const st = decodeWiegandPacked(new Uint8Array([0x80, 0x80, 0x00, 0x80]), 26, read);
 * st === DecodeStatus.ok; // read.facility === 1, read.card === 1, read.format === "h10301"
 * ```
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import {
  AUTO_FORMATS,
  BUILTIN_FORMATS,
  CompiledFormat,
  MAX_WIEGAND_BITS,
  RAW_FORMAT,
  type WiegandFormatDef,
} from "./formats.ts";
import { fitsShort, ShortFormat } from "./short_format.ts";
import { field, parity32, wideId, writeId, writeInt } from "./bit_fields.ts";

/** Outcome of a decode (a small integer; names in {@link DECODE_STATUS_NAMES}). */
export const DecodeStatus = {
  /** Decoded: `read` holds the card. */
  ok: 0,
  /** A parity bit is wrong: not a card (count it). `read.format` names the format tried. */
  parity: 1,
  /** No format for this bit count and raw frames are dropped. */
  unknownLength: 2,
  /** Bit count outside 1..128 (or more bits than the buffer holds). */
  badLength: 3,
} as const;

/** One of the {@link DecodeStatus} values. */
export type DecodeStatus = typeof DecodeStatus[keyof typeof DecodeStatus];

/** Names of {@link DecodeStatus} values, indexed by value. */
export const DECODE_STATUS_NAMES: readonly string[] = [
  "ok",
  "parity",
  "unknown-length",
  "bad-length",
];

/** How a {@link WiegandFormatSet} picks a format for a frame. */
export interface WiegandFormatOptions {
  /** `"auto"` (default: by bit count), a built-in or custom format name, or `"raw"`. */
  format?: string;
  /** Per-length overrides, e.g. `{ 37: "h10302", 32: "raw" }`. */
  lengthFormats?: Readonly<Record<string | number, string>>;
  /** Extra formats; in `auto` mode each one takes over its bit count. */
  customFormats?: readonly WiegandFormatDef[];
  /** Frames of a length with no format: decoded `raw` (default) or dropped (`unknownLength`). */
  unknownLengths?: "raw" | "drop";
  /** Lengths without a format that are decoded raw even when `unknownLengths` is `"drop"`. */
  rawLengths?: readonly number[];
  /**
   * Blanket raw (`format: "raw"`, `unknownLengths: "raw"`) only for frames of
   * at least this many bits (default 1); shorter ones are `unknownLength`.
   * Lengths named in `rawLengths` or `lengthFormats` are not limited.
   */
  minRawBits?: number;
}

const MODE_DROP = 0;
const MODE_FORMAT = 1;
const MODE_RAW = 2;

/**
 * A compiled choice of formats per bit count, plus the decoder's scratch
 * buffers. Build it once per reader (from config); decoding allocates nothing.
 */
export class WiegandFormatSet {
  /**
   * Formats by name (built-ins and custom ones).
   * @internal
   */
  readonly formats: ReadonlyMap<string, CompiledFormat>;
  readonly #byLength: (CompiledFormat | null)[] = [];
  readonly #mode = new Uint8Array(MAX_WIEGAND_BITS + 1);
  /** By bit count 0..32: the fast path's form of the format, or null (raw, dropped, too wide). */
  readonly #short: (ShortFormat | null)[] = [];
  /** Scratch: the frame as 4 × 32 bits, first transmitted bit most significant in word 0. */
  readonly words: Int32Array = new Int32Array(4);

  /** Compiles `options`; throws `Error` with a clear message on an unknown name or bad format. */
  constructor(options: WiegandFormatOptions = {}) {
    const formats = new Map<string, CompiledFormat>();
    for (const def of Object.values(BUILTIN_FORMATS)) {
      formats.set(def.name, new CompiledFormat(def));
    }
    const custom = options.customFormats ?? [];
    for (const def of custom) {
      if (def.name === RAW_FORMAT || def.name === "auto" || BUILTIN_FORMATS[def.name]) {
        throw new Error(`custom wiegand format "${def.name}": name taken by a built-in`);
      }
      if (formats.has(def.name)) {
        throw new Error(`custom wiegand format "${def.name}": declared twice`);
      }
      formats.set(def.name, new CompiledFormat(def));
    }
    this.formats = formats;
    const lookup = (name: string, what: string): CompiledFormat | null => {
      if (name === RAW_FORMAT) return null;
      const f = formats.get(name);
      if (!f) {
        throw new Error(
          `${what}: unknown wiegand format "${name}" (known: ${
            [...formats.keys(), RAW_FORMAT].join(", ")
          })`,
        );
      }
      return f;
    };
    const unknownMode = (options.unknownLengths ?? "raw") === "raw" ? MODE_RAW : MODE_DROP;
    const minRaw = options.minRawBits ?? 1;
    for (let n = 0; n <= MAX_WIEGAND_BITS; n++) {
      this.#byLength.push(null);
      this.#mode[n] = n === 0 || n < minRaw ? MODE_DROP : unknownMode;
    }
    const set = (n: number, f: CompiledFormat | null): void => {
      this.#byLength[n] = f;
      this.#mode[n] = f ? MODE_FORMAT : MODE_RAW;
    };
    const format = options.format ?? "auto";
    if (format === "auto") {
      for (const [n, name] of Object.entries(AUTO_FORMATS)) set(Number(n), lookup(name, "auto"));
      for (const def of custom) set(def.bits, formats.get(def.name)!);
    } else if (format === RAW_FORMAT) {
      for (let n = Math.max(1, minRaw); n <= MAX_WIEGAND_BITS; n++) set(n, null);
    } else {
      const f = lookup(format, "format");
      set(f!.bits, f);
    }
    for (const [k, name] of Object.entries(options.lengthFormats ?? {})) {
      const n = Number(k);
      if (!Number.isInteger(n) || n < 1 || n > MAX_WIEGAND_BITS) {
        throw new Error(`lengthFormats: "${k}" is not a bit count 1..${MAX_WIEGAND_BITS}`);
      }
      const f = lookup(name, `lengthFormats.${k}`);
      if (f && f.bits !== n) {
        throw new Error(`lengthFormats.${k}: format "${name}" has ${f.bits} bits, not ${n}`);
      }
      set(n, f);
    }
    for (const n of options.rawLengths ?? []) {
      if (!Number.isInteger(n) || n < 1 || n > MAX_WIEGAND_BITS) {
        throw new Error(`rawLengths: ${n} is not a bit count 1..${MAX_WIEGAND_BITS}`);
      }
      const f = this.#byLength[n];
      if (f) {
        throw new Error(
          `rawLengths: ${n}-bit frames already decode as "${f.name}" ` +
            `(to read them raw instead, use lengthFormats {"${n}": "raw"})`,
        );
      }
      set(n, null);
    }
    for (let n = 0; n <= 32; n++) {
      const f = this.#mode[n] === MODE_FORMAT ? this.#byLength[n]! : null;
      this.#short.push(f && fitsShort(f) ? new ShortFormat(f) : null);
    }
  }

  /** The format used for `bitCount` bits: a name, `"raw"`, or `null` when dropped. */
  formatFor(bitCount: number): string | null {
    if (!(bitCount >= 1 && bitCount <= MAX_WIEGAND_BITS)) return null;
    const mode = this.#mode[bitCount];
    if (mode === MODE_FORMAT) return this.#byLength[bitCount]!.name;
    return mode === MODE_RAW ? RAW_FORMAT : null;
  }

  /**
   * Decodes the frame held in {@link words} (`bitCount` bits) into `read`.
   * Bits past `bitCount` are ignored.
   */
  decodeWords(bitCount: number, read: CardRead): DecodeStatus {
    // Outcomes and modes as literals (named in comments): in a hot path a module constant
    // costs a load and an initialisation check per use, a literal nothing. The common case
    // (a format, an id of up to 31 bits) stays small enough for V8 to inline; raw frames,
    // dropped lengths and wider ids go to helpers.
    read.reset();
    if (!(bitCount >= 1 && bitCount <= 128)) return 3; // MAX_WIEGAND_BITS; badLength
    const n = bitCount | 0;
    const mode = this.#mode[n];
    if (mode !== 1) return this.#notFormat(n, mode!, read); // MODE_FORMAT
    const w = this.words;
    const f = this.#byLength[n]!;
    read.format = f.name;
    const masks = f.masks;
    const expect = f.expect;
    for (let r = 0; r < f.ruleCount; r++) {
      const m = r << 2;
      const x = (w[0]! & masks[m]!) ^ (w[1]! & masks[m + 1]!) ^ (w[2]! & masks[m + 2]!) ^
        (w[3]! & masks[m + 3]!);
      if (parity32(x) !== expect[r]) return 1; // parity
    }
    const idBits = f.facLen + f.cardLen;
    if (idBits > 31) {
      wideId(f, w, read);
      return 0; // ok
    }
    const card = field(w, f.cardStart, f.cardLen);
    read.card = card;
    let id = card;
    if (f.facLen > 0) {
      const fac = field(w, f.facStart, f.facLen);
      read.facility = fac;
      id |= fac << f.cardLen;
    }
    writeInt(read.data, id, idBits);
    read.bitLength = idBits;
    read.byteLength = (idBits + 7) >>> 3;
    return 0; // ok
  }

  /**
   * Decodes a frame of `bitCount` bits held in one 32-bit word, first bit
   * most significant (left-justified), into `read`: the same result as
   * {@link decodeWords} with `word` in `words[0]`. Bits past `bitCount` are
   * ignored. Formats of up to 32 bits with up to 3 parity rules and an id of
   * up to 31 bits take a path of small-integer shifts; the rest (raw frames,
   * dropped lengths, wider formats) go through {@link decodeWords}.
   */
  decodeWord(word: number, bitCount: number, read: CardRead): DecodeStatus {
    const f = bitCount >= 1 && bitCount <= 32 ? this.#short[bitCount]! : null;
    if (f === null) return this.#viaWords(word, bitCount, read);
    read.reset();
    read.format = f.name;
    // All rules at once, no loop: each masked word folded to a byte, the three bytes side
    // by side, then each byte folded to its bit 0 (a missing rule has mask 0: parity 0).
    let a = word & f.m0;
    let b = word & f.m1;
    let c = word & f.m2;
    a ^= a >>> 16;
    b ^= b >>> 16;
    c ^= c >>> 16;
    let t = ((a ^ (a >>> 8)) & 0xff) | (((b ^ (b >>> 8)) & 0xff) << 8) |
      (((c ^ (c >>> 8)) & 0xff) << 16);
    t ^= t >>> 4;
    t ^= t >>> 2;
    t ^= t >>> 1;
    if ((t & 0x10101) !== f.expect) return 1; // parity
    // `| 0`: int32 like the rest (a uint32 phi with an int32 one would make id a double).
    const card = ((word << f.cardStart) >>> f.cardShift) | 0;
    read.card = card;
    let id = card;
    if (f.facLen !== 0) {
      const fac = ((word << f.facStart) >>> f.facShift) | 0;
      read.facility = fac;
      id |= fac << f.cardLen;
    }
    writeInt(read.data, id, f.idBits);
    read.bitLength = f.idBits;
    read.byteLength = f.idBytes;
    return 0; // ok
  }

  /** {@link decodeWord} for a frame without a fast path: through {@link words}. */
  #viaWords(word: number, bitCount: number, read: CardRead): DecodeStatus {
    const w = this.words;
    w[0] = word;
    w[1] = 0;
    w[2] = 0;
    w[3] = 0;
    return this.decodeWords(bitCount, read);
  }

  /** {@link decodeWords} for a length without a format: raw, or dropped (`unknownLength`). */
  #notFormat(n: number, mode: number, read: CardRead): DecodeStatus {
    if (mode === MODE_RAW) {
      read.format = RAW_FORMAT;
      writeId(this.words, 0, n, read.data, 0, n);
      read.bitLength = n;
      read.byteLength = (n + 7) >>> 3;
      return DecodeStatus.ok;
    }
    read.bitLength = n;
    return DecodeStatus.unknownLength;
  }
}

let defaultSet: WiegandFormatSet | undefined;

/** The set used when none is given: `auto` with built-in formats, unknown lengths raw. */
export function defaultWiegandFormats(): WiegandFormatSet {
  return defaultSet ??= new WiegandFormatSet();
}

/**
 * Decodes `bitCount` bits given one per byte (`bits[i]` is 0 or non-zero; bit
 * 0 first transmitted) into `read`. Allocates nothing; returns a
 * {@link DecodeStatus}. Parity failures leave no id (`read.byteLength` 0).
 */
export function decodeWiegandBits(
  bits: Uint8Array,
  bitCount: number,
  read: CardRead,
  formats: WiegandFormatSet = defaultWiegandFormats(),
): DecodeStatus {
  // Frames of up to 32 bits (26-bit H10301 and the other short formats) pack into one
  // word in a local; the rest (and bad lengths) go to decodeLongBits. Kept small so that
  // V8 inlines it, with its callees, into the caller's loop.
  if (!(bitCount >= 1 && bitCount <= 32 && bitCount <= bits.length)) {
    return decodeLongBits(bits, bitCount, read, formats);
  }
  // First bit most significant, without a branch per bit: random cards would defeat the
  // branch predictor. (b + 255) >> 8 is 1 for any non-zero byte, 0 for 0.
  let v = 0;
  for (let i = 0; i < bitCount; i++) v = (v << 1) | ((bits[i]! + 255) >> 8);
  return formats.decodeWord(v << (32 - bitCount), bitCount, read);
}

/** {@link decodeWiegandBits} for more than 32 bits (4 words) or a bad length. */
function decodeLongBits(
  bits: Uint8Array,
  bitCount: number,
  read: CardRead,
  formats: WiegandFormatSet,
): DecodeStatus {
  if (!(bitCount >= 1 && bitCount <= 128 && bitCount <= bits.length)) { // MAX_WIEGAND_BITS
    read.reset();
    return 3; // DecodeStatus.badLength (literals: cheaper than module constants in a hot path)
  }
  const w = formats.words;
  let i = 0;
  for (let k = 0; k < 4; k++) {
    const stop = bitCount - i > 32 ? i + 32 : bitCount;
    const n = stop - i;
    let v = 0;
    for (; i < stop; i++) {
      const b = bits[i]!;
      v = (v << 1) | ((b | -b) >>> 31);
    }
    w[k] = v << (32 - n); // left-justified; n = 0 leaves 0
  }
  return formats.decodeWords(bitCount, read);
}

/**
 * Decodes `bitCount` bits packed MSB-first and left-justified (the first bit
 * is bit 7 of `bytes[0]`, as OSDP `osdp_RAW` delivers them) into `read`.
 * Bits after `bitCount` in the last byte are ignored. Allocates nothing.
 */
export function decodeWiegandPacked(
  bytes: Uint8Array,
  bitCount: number,
  read: CardRead,
  formats: WiegandFormatSet = defaultWiegandFormats(),
): DecodeStatus {
  const byteLen = (bitCount + 7) >>> 3;
  if (!(bitCount >= 1 && bitCount <= MAX_WIEGAND_BITS && byteLen <= bytes.length)) {
    read.reset();
    return DecodeStatus.badLength;
  }
  if (bitCount <= 32) { // at most 4 bytes: one word (see decodeWord)
    let v = 0;
    for (let b = 0; b < 4; b++) v = (v << 8) | (b < byteLen ? bytes[b]! : 0);
    return formats.decodeWord(v, bitCount, read);
  }
  const w = formats.words;
  for (let k = 0; k < 4; k++) {
    const b = k << 2;
    w[k] = ((b < byteLen ? bytes[b]! : 0) << 24) | ((b + 1 < byteLen ? bytes[b + 1]! : 0) << 16) |
      ((b + 2 < byteLen ? bytes[b + 2]! : 0) << 8) | (b + 3 < byteLen ? bytes[b + 3]! : 0);
  }
  return formats.decodeWords(bitCount, read);
}
