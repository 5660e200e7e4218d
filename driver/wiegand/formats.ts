/**
 * Wiegand card formats as data: field bit ranges and parity rules, plus the
 * compiler that turns them into the masks {@link decodeWiegandBits} checks.
 *
 * Bit numbering in format definitions is 1-based from the first transmitted
 * bit (as in the HID format sheets): bit 1 is the leading parity bit of H10301.
 *
 * @module
 */

/** Most bits a Wiegand frame (or an OSDP raw card read) may carry. */
export const MAX_WIEGAND_BITS = 128;

/** An inclusive bit range `[from, to]`, 1-based from the first transmitted bit. */
export type BitRange = readonly [number, number];

/** One parity bit: its position, even/odd, and the bits it covers. */
export interface ParityRule {
  /** Position of the parity bit (1-based). */
  bit: number;
  /** `even`: the parity bit plus the covered bits hold an even number of ones; `odd`: odd. */
  type: "even" | "odd";
  /** Covered bits: ranges and single positions (1-based, the parity bit itself need not be listed). */
  over?: ReadonlyArray<BitRange | number>;
  /**
   * Covered bits as a hex mask of the frame's length, first transmitted bit
   * most significant (e.g. `"1FFE000"` for bits 2–13 of 26). Combined with `over`.
   */
  mask?: string;
}

/** A card format: its length, its data fields and its parity bits. */
export interface WiegandFormatDef {
  /** Name reported in `CardRead.format` (lowercase, e.g. `"h10301"`). */
  name: string;
  /** Frame length in bits. */
  bits: number;
  /** Facility code field, when the format has one. */
  facility?: BitRange;
  /** Card number field. */
  card: BitRange;
  /** Parity rules, checked all; listed so that a rule covering another parity bit comes after it. */
  parity: readonly ParityRule[];
}

function pairs(from: number, to: number, step: number): BitRange[] {
  const out: BitRange[] = [];
  for (let a = from; a + 1 <= to; a += step) out.push([a, a + 1]);
  return out;
}

/** HID H10301, 26-bit: facility 8 bits, card 16 bits. */
export const H10301: WiegandFormatDef = {
  name: "h10301",
  bits: 26,
  facility: [2, 9],
  card: [10, 25],
  parity: [
    { bit: 1, type: "even", over: [[2, 13]] },
    { bit: 26, type: "odd", over: [[14, 25]] },
  ],
};

/** HID H10306, 34-bit: facility 16 bits, card 16 bits. */
export const H10306: WiegandFormatDef = {
  name: "h10306",
  bits: 34,
  facility: [2, 17],
  card: [18, 33],
  parity: [
    { bit: 1, type: "even", over: [[2, 17]] },
    { bit: 34, type: "odd", over: [[18, 33]] },
  ],
};

/** HID H10304, 37-bit: facility 16 bits, card 19 bits. */
export const H10304: WiegandFormatDef = {
  name: "h10304",
  bits: 37,
  facility: [2, 17],
  card: [18, 36],
  parity: [
    { bit: 1, type: "even", over: [[2, 19]] },
    { bit: 37, type: "odd", over: [[19, 36]] },
  ],
};

/** HID H10302, 37-bit: card 35 bits, no facility. */
export const H10302: WiegandFormatDef = {
  name: "h10302",
  bits: 37,
  card: [2, 36],
  parity: [
    { bit: 1, type: "even", over: [[2, 19]] },
    { bit: 37, type: "odd", over: [[19, 36]] },
  ],
};

/** HID Corporate 1000, 35-bit: facility 12 bits, card 20 bits, three parity bits. */
export const C1000_35: WiegandFormatDef = {
  name: "c1000-35",
  bits: 35,
  facility: [3, 14],
  card: [15, 34],
  parity: [
    { bit: 2, type: "even", over: pairs(3, 34, 3) },
    { bit: 35, type: "odd", over: pairs(2, 33, 3) },
    { bit: 1, type: "odd", over: [[2, 35]] },
  ],
};

/** HID Corporate 1000, 48-bit: facility 22 bits, card 23 bits, three parity bits. */
export const C1000_48: WiegandFormatDef = {
  name: "c1000-48",
  bits: 48,
  facility: [3, 24],
  card: [25, 47],
  parity: [
    { bit: 2, type: "even", over: pairs(4, 47, 3) },
    { bit: 48, type: "odd", over: pairs(3, 46, 3) },
    { bit: 1, type: "odd", over: [[2, 48]] },
  ],
};

/** The built-in formats, by name. */
export const BUILTIN_FORMATS: Readonly<Record<string, WiegandFormatDef>> = {
  h10301: H10301,
  h10306: H10306,
  h10304: H10304,
  h10302: H10302,
  "c1000-35": C1000_35,
  "c1000-48": C1000_48,
};

/** Format picked for each bit count when a reader's format is `auto`. */
export const AUTO_FORMATS: Readonly<Record<number, string>> = {
  26: "h10301",
  34: "h10306",
  35: "c1000-35",
  37: "h10304",
  48: "c1000-48",
};

/** Name reported for frames decoded raw (all bits are the id, no parity). */
export const RAW_FORMAT = "raw";

/**
 * A format compiled for the decoder: parity masks as 4 × 32-bit words per
 * rule (bit 1 is the most significant bit of word 0), field offsets 0-based.
 */
export class CompiledFormat {
  /** Format name. */
  readonly name: string;
  /** Frame length in bits. */
  readonly bits: number;
  /** Facility field start (0-based) or -1. */
  readonly facStart: number;
  /** Facility field length (0 when none). */
  readonly facLen: number;
  /** Card field start (0-based). */
  readonly cardStart: number;
  /** Card field length. */
  readonly cardLen: number;
  /** Number of parity rules. */
  readonly ruleCount: number;
  /** Parity masks, 4 words per rule, each including its parity bit. */
  readonly masks: Uint32Array;
  /** Expected parity of each masked set: 0 even, 1 odd. */
  readonly expect: Uint8Array;
  /** Parity bit position (0-based) of each rule. */
  readonly parityBits: Uint8Array;
  /** The definition this was compiled from. */
  readonly def: WiegandFormatDef;

  /** Compiles and validates `def`; throws `Error` with a clear message when it is inconsistent. */
  constructor(def: WiegandFormatDef) {
    const where = `wiegand format "${def.name}"`;
    if (!Number.isInteger(def.bits) || def.bits < 1 || def.bits > MAX_WIEGAND_BITS) {
      throw new Error(`${where}: bits must be an integer 1..${MAX_WIEGAND_BITS}, got ${def.bits}`);
    }
    const checkRange = (r: BitRange, what: string): void => {
      if (
        !Number.isInteger(r[0]) || !Number.isInteger(r[1]) || r[0] < 1 || r[1] > def.bits ||
        r[0] > r[1]
      ) {
        throw new Error(
          `${where}: ${what} range [${r[0]}, ${r[1]}] must lie within 1..${def.bits}`,
        );
      }
    };
    checkRange(def.card, "card");
    if (def.card[1] - def.card[0] + 1 > 53) throw new Error(`${where}: card field over 53 bits`);
    this.name = def.name;
    this.bits = def.bits;
    this.def = def;
    this.cardStart = def.card[0] - 1;
    this.cardLen = def.card[1] - def.card[0] + 1;
    if (def.facility) {
      checkRange(def.facility, "facility");
      if (def.facility[1] - def.facility[0] + 1 > 53) {
        throw new Error(`${where}: facility field over 53 bits`);
      }
      this.facStart = def.facility[0] - 1;
      this.facLen = def.facility[1] - def.facility[0] + 1;
    } else {
      this.facStart = -1;
      this.facLen = 0;
    }
    this.ruleCount = def.parity.length;
    this.masks = new Uint32Array(4 * Math.max(1, this.ruleCount));
    this.expect = new Uint8Array(Math.max(1, this.ruleCount));
    this.parityBits = new Uint8Array(Math.max(1, this.ruleCount));
    def.parity.forEach((rule, i) => {
      const setBit = (pos: number): void => {
        if (!Number.isInteger(pos) || pos < 1 || pos > def.bits) {
          throw new Error(`${where}: parity bit position ${pos} outside 1..${def.bits}`);
        }
        const z = pos - 1;
        this.masks[i * 4 + (z >>> 5)]! |= 0x80000000 >>> (z & 31);
      };
      setBit(rule.bit);
      for (const o of rule.over ?? []) {
        if (typeof o === "number") setBit(o);
        else {
          checkRange(o, `parity bit ${rule.bit}`);
          for (let p = o[0]; p <= o[1]; p++) setBit(p);
        }
      }
      if (rule.mask !== undefined) {
        const hex = rule.mask.replace(/^0x/i, "");
        if (!/^[0-9a-fA-F]+$/.test(hex)) {
          throw new Error(`${where}: parity mask "${rule.mask}" is not hex`);
        }
        const v = BigInt("0x" + hex);
        if (v >> BigInt(def.bits) !== 0n) {
          throw new Error(`${where}: parity mask "${rule.mask}" is wider than ${def.bits} bits`);
        }
        for (let p = 1; p <= def.bits; p++) {
          if ((v >> BigInt(def.bits - p)) & 1n) setBit(p);
        }
      }
      if (rule.type !== "even" && rule.type !== "odd") {
        throw new Error(`${where}: parity type must be "even" or "odd"`);
      }
      this.expect[i] = rule.type === "odd" ? 1 : 0;
      this.parityBits[i] = rule.bit - 1;
    });
  }

  /** Number of id bits (facility and card fields concatenated). */
  get idBits(): number {
    return this.facLen + this.cardLen;
  }
}
