/**
 * Wiegand keypads: one key per burst, 4 bits (the key code) or 8 bits (the
 * high nibble is the complement of the low one: key 5 → `0xA5`), and PIN
 * entry assembled from the keys until `#` or a timeout.
 *
 * @module
 */

/** Keypad settings. */
export interface KeypadOptions {
  /** Code of the `*` key (default 10). */
  star?: number;
  /** Code of the `#` key (default 11). */
  hash?: number;
  /** A PIN in progress ends this long after its last key (default 5000 ms). */
  pinTimeoutMs?: number;
  /** What a timed-out PIN does: `"submit"` it (default) or `"discard"` it. */
  onTimeout?: "submit" | "discard";
  /** Longest PIN; further digits are ignored (default 12). */
  pinMaxLength?: number;
}

/** Burst is not 4 or 8 bits. */
export const KEYPAD_NOT_KEY: number = -2;
/** 8-bit burst whose high nibble is not the complement of the low one. */
export const KEYPAD_BAD_CHECK: number = -1;

/**
 * Key code (0..15) of a keypad burst given one bit per byte, or
 * {@link KEYPAD_NOT_KEY} / {@link KEYPAD_BAD_CHECK}. Allocates nothing.
 */
export function decodeKeypadBurst(bits: Uint8Array, count: number): number {
  if (count !== 4 && count !== 8) return KEYPAD_NOT_KEY;
  let v = 0;
  for (let i = 0; i < count; i++) v = (v << 1) | (bits[i]! & 1);
  if (count === 4) return v;
  const lo = v & 15;
  return (v >>> 4) === (lo ^ 15) ? lo : KEYPAD_BAD_CHECK;
}

/** The 8-bit burst value for key `code` (e.g. 5 → 0xA5). */
export function keypadByte(code: number): number {
  return (((code & 15) ^ 15) << 4) | (code & 15);
}

/** The key's label: `"0"`–`"9"`, `"*"`, `"#"`, or a hex letter for other codes. */
export function keyLabel(code: number, options: KeypadOptions = {}): string {
  if (code === (options.star ?? 10)) return "*";
  if (code === (options.hash ?? 11)) return "#";
  if (code >= 0 && code <= 9) return String(code);
  return (code & 15).toString(16).toUpperCase();
}

/** What {@link PinEntry.key} or {@link PinEntry.tick} did. */
export const PinStep = {
  /** Nothing to report. */
  none: 0,
  /** A digit was added. */
  digit: 1,
  /** `*` cleared the entry. */
  cleared: 2,
  /** `#` completed the PIN: take it with {@link PinEntry.take}. */
  entered: 3,
  /** The timeout completed the PIN (`onTimeout: "submit"`): take it. */
  timedOut: 4,
  /** The timeout dropped the PIN (`onTimeout: "discard"`). */
  discarded: 5,
  /** A digit past `pinMaxLength` was ignored. */
  tooLong: 6,
} as const;

/**
 * Assembles a PIN from key codes. Times are `sec` + `nsec` like the
 * assembler's. Digits are kept in a fixed buffer; only {@link take} allocates.
 */
export class PinEntry {
  readonly #digits: Uint8Array;
  #len = 0;
  readonly #time = new Int32Array(2);
  readonly #star: number;
  readonly #hash: number;
  readonly #timeoutNs: number;
  readonly #submit: boolean;

  /** Creates an empty entry with `options` (defaults in {@link KeypadOptions}). */
  constructor(options: KeypadOptions = {}) {
    this.#digits = new Uint8Array(Math.max(1, options.pinMaxLength ?? 12));
    this.#star = options.star ?? 10;
    this.#hash = options.hash ?? 11;
    this.#timeoutNs = (options.pinTimeoutMs ?? 5000) * 1e6;
    this.#submit = (options.onTimeout ?? "submit") === "submit";
  }

  /** Digits entered so far. */
  get length(): number {
    return this.#len;
  }

  /** True while digits wait for `#` or the timeout. */
  get pending(): boolean {
    return this.#len > 0;
  }

  /** One key pressed at `sec` + `nsec`; returns a {@link PinStep}. */
  key(code: number, sec: number, nsec: number): number {
    this.#time[0] = sec;
    this.#time[1] = nsec;
    if (code === this.#star) {
      this.#len = 0;
      return PinStep.cleared;
    }
    if (code === this.#hash) return this.#len > 0 ? PinStep.entered : PinStep.none;
    if (code < 0 || code > 9) return PinStep.none;
    if (this.#len >= this.#digits.length) return PinStep.tooLong;
    this.#digits[this.#len++] = code;
    return PinStep.digit;
  }

  /** The clock moved on: ends a PIN whose last key is older than the timeout. */
  tick(sec: number, nsec: number): number {
    if (this.#len === 0) return PinStep.none;
    const dt = (sec - this.#time[0]!) * 1e9 + (nsec - this.#time[1]!);
    if (dt < this.#timeoutNs) return PinStep.none;
    if (this.#submit) return PinStep.timedOut;
    this.#len = 0;
    return PinStep.discarded;
  }

  /** The PIN entered (after `entered`/`timedOut`), clearing the entry. Allocates the string. */
  take(): string {
    let s = "";
    for (let i = 0; i < this.#len; i++) s += String.fromCharCode(48 + this.#digits[i]!);
    this.#len = 0;
    return s;
  }

  /** Drops any digits entered. */
  clear(): void {
    this.#len = 0;
  }
}
