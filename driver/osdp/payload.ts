/**
 * OSDP command and reply payloads: builders for the commands the CP sends
 * (LED, BUZ, COMSET, KEEPACTIVE) and readers for the replies it gets (PDID,
 * PDCAP, LSTATR, COM, KEYPAD, FMT, RAW header). Readers take a buffer range
 * and return plain objects (they run once per reply, not per byte).
 *
 * @module
 */

import { OsdpCapFunction, OsdpLedColor, type OsdpLedColorName } from "./constants.ts";

/** One half (temporary or permanent) of an `osdp_LED` record. */
export interface LedState {
  /** Control code: temporary 0 NOP, 1 cancel, 2 set; permanent 0 NOP, 1 set. */
  control: number;
  /** On time in 100 ms units. */
  onTime: number;
  /** Off time in 100 ms units. */
  offTime: number;
  /** Colour during on time (see {@link OsdpLedColor}). */
  onColor: number;
  /** Colour during off time. */
  offColor: number;
  /** Temporary timer in 100 ms units (0 for the permanent half). */
  timer: number;
}

/** One 14-byte `osdp_LED` record. */
export interface LedRecord {
  /** Reader number on the PD (0 first). */
  reader: number;
  /** LED number (0 first). */
  led: number;
  /** Temporary state. */
  temporary: LedState;
  /** Permanent state. */
  permanent: LedState;
}

/** One 5-byte `osdp_BUZ` record. */
export interface BuzzerRecord {
  /** Reader number on the PD. */
  reader: number;
  /** Tone: 0 none, 1 off, 2 default tone. */
  tone: number;
  /** On time in 100 ms units. */
  onTime: number;
  /** Off time in 100 ms units. */
  offTime: number;
  /** Repetitions (0 = until stopped). */
  count: number;
}

/** Byte length of one `osdp_LED` record. */
export const LED_RECORD_LENGTH = 14;

/** Writes an `osdp_LED` record into `out` at `off`; returns the offset after it. */
export function writeLed(out: Uint8Array, off: number, r: LedRecord): number {
  const t = r.temporary;
  const p = r.permanent;
  out.set([
    r.reader,
    r.led,
    t.control,
    t.onTime,
    t.offTime,
    t.onColor,
    t.offColor,
    t.timer & 0xff,
    (t.timer >>> 8) & 0xff,
    p.control,
    p.onTime,
    p.offTime,
    p.onColor,
    p.offColor,
  ], off);
  return off + LED_RECORD_LENGTH;
}

/** Reads an `osdp_LED` record from `buf` at `off`. */
export function readLed(buf: Uint8Array, off: number): LedRecord {
  const b = (i: number) => buf[off + i] ?? 0;
  return {
    reader: b(0),
    led: b(1),
    temporary: {
      control: b(2),
      onTime: b(3),
      offTime: b(4),
      onColor: b(5),
      offColor: b(6),
      timer: b(7) | (b(8) << 8),
    },
    permanent: {
      control: b(9),
      onTime: b(10),
      offTime: b(11),
      onColor: b(12),
      offColor: b(13),
      timer: 0,
    },
  };
}

/** Encodes an `osdp_BUZ` record. */
export function buzzerBytes(r: BuzzerRecord): Uint8Array {
  return Uint8Array.of(r.reader, r.tone, r.onTime, r.offTime, r.count);
}

/** Reads an `osdp_BUZ` record. */
export function readBuzzer(buf: Uint8Array, off: number): BuzzerRecord {
  const b = (i: number) => buf[off + i] ?? 0;
  return { reader: b(0), tone: b(1), onTime: b(2), offTime: b(3), count: b(4) };
}

/** What the CP shows for a journaled or rejected card: one LED flash pattern and beeps. */
export interface FeedbackPattern {
  /** LED colour while the pattern runs. */
  color: OsdpLedColorName;
  /** How long the temporary LED state lasts, ms (rounded to 100 ms). */
  durationMs: number;
  /** LED on time per flash, ms (equal to `durationMs` for steady light). */
  flashOnMs: number;
  /** LED off time per flash, ms (0 for steady light). */
  flashOffMs: number;
  /** Number of beeps (0 for silence). */
  beeps: number;
  /** Beep length, ms. */
  beepOnMs: number;
  /** Pause between beeps, ms. */
  beepOffMs: number;
}

/** Green LED for one second and one short beep. */
export const FEEDBACK_OK: FeedbackPattern = {
  color: "green",
  durationMs: 1000,
  flashOnMs: 1000,
  flashOffMs: 0,
  beeps: 1,
  beepOnMs: 100,
  beepOffMs: 0,
};

/** Red flashing LED for two seconds and three beeps. */
export const FEEDBACK_REJECTED: FeedbackPattern = {
  color: "red",
  durationMs: 2000,
  flashOnMs: 200,
  flashOffMs: 200,
  beeps: 3,
  beepOnMs: 100,
  beepOffMs: 100,
};

function ticks(ms: number, max: number): number {
  return Math.max(0, Math.min(max, Math.round(ms / 100)));
}

/** The `osdp_LED` record for a feedback pattern (LED 0 of reader 0). */
export function feedbackLed(p: FeedbackPattern): LedRecord {
  return {
    reader: 0,
    led: 0,
    temporary: {
      control: 2,
      onTime: Math.max(1, ticks(p.flashOnMs, 255)),
      offTime: ticks(p.flashOffMs, 255),
      onColor: OsdpLedColor[p.color],
      offColor: OsdpLedColor.black,
      timer: Math.max(1, ticks(p.durationMs, 0xffff)),
    },
    permanent: { control: 0, onTime: 0, offTime: 0, onColor: 0, offColor: 0, timer: 0 },
  };
}

/** The `osdp_BUZ` record for a feedback pattern, or null when it has no beeps. */
export function feedbackBuzzer(p: FeedbackPattern): BuzzerRecord | null {
  if (p.beeps <= 0) return null;
  return {
    reader: 0,
    tone: 2,
    onTime: Math.max(1, ticks(p.beepOnMs, 255)),
    offTime: ticks(p.beepOffMs, 255),
    count: Math.min(255, p.beeps),
  };
}

/** `osdp_PDID` contents. */
export interface PdId {
  /** IEEE OUI vendor code, 3 bytes as 6 hex digits. */
  vendor: string;
  /** Model number. */
  model: number;
  /** Model version. */
  version: number;
  /** Serial number. */
  serial: number;
  /** Firmware `major.minor.build`. */
  firmware: string;
}

function hexBytes(buf: Uint8Array, off: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += (buf[off + i] ?? 0).toString(16).padStart(2, "0");
  return s;
}

/** Reads `osdp_PDID` (12 bytes); null when too short. */
export function readPdId(buf: Uint8Array, off: number, len: number): PdId | null {
  if (len < 12) return null;
  const b = (i: number) => buf[off + i]!;
  return {
    vendor: hexBytes(buf, off, 3),
    model: b(3),
    version: b(4),
    serial: (b(5) | (b(6) << 8) | (b(7) << 16) | (b(8) << 24)) >>> 0,
    firmware: `${b(9)}.${b(10)}.${b(11)}`,
  };
}

/** One `osdp_PDCAP` entry. */
export interface Capability {
  /** Function code (see {@link OsdpCapFunction}). */
  function: number;
  /** Compliance level. */
  compliance: number;
  /** Number of objects. */
  count: number;
}

/** Reads `osdp_PDCAP` triples. */
export function readCapabilities(buf: Uint8Array, off: number, len: number): Capability[] {
  const out: Capability[] = [];
  for (let i = 0; i + 3 <= len; i += 3) {
    out.push({ function: buf[off + i]!, compliance: buf[off + i + 1]!, count: buf[off + i + 2]! });
  }
  return out;
}

/** True when the capabilities list AES-128 Secure Channel support. */
export function supportsSecureChannel(caps: readonly Capability[]): boolean {
  const c = caps.find((x) => x.function === OsdpCapFunction.COMMUNICATION_SECURITY);
  return c !== undefined && (c.compliance & 1) === 1;
}

/** True unless the capabilities say the PD can only do checksums. */
export function supportsCrc(caps: readonly Capability[]): boolean {
  const c = caps.find((x) => x.function === OsdpCapFunction.CHECK_CHARACTER);
  return c === undefined || c.compliance !== 0;
}

/** `osdp_LSTATR`: tamper and power-failure flags. */
export interface LocalStatus {
  /** True when the PD reports tamper. */
  tamper: boolean;
  /** True when the PD reports a power failure. */
  powerFailure: boolean;
}

/** Reads `osdp_LSTATR`; null when too short. */
export function readLocalStatus(buf: Uint8Array, off: number, len: number): LocalStatus | null {
  if (len < 2) return null;
  return { tamper: buf[off] !== 0, powerFailure: buf[off + 1] !== 0 };
}

/** `osdp_COMSET` / `osdp_COM` contents. */
export interface ComSettings {
  /** PD address. */
  address: number;
  /** Baud rate. */
  baudRate: number;
}

/** Reads `osdp_COMSET` or `osdp_COM` (5 bytes); null when too short. */
export function readComSettings(buf: Uint8Array, off: number, len: number): ComSettings | null {
  if (len < 5) return null;
  const b = (i: number) => buf[off + i]!;
  return { address: b(0), baudRate: (b(1) | (b(2) << 8) | (b(3) << 16) | (b(4) << 24)) >>> 0 };
}

/** Keys of `osdp_KEYPAD` as text: `7F` → `*`, `0D` → `#`, other bytes as ASCII. */
export function keypadText(buf: Uint8Array, off: number, count: number): string {
  let s = "";
  for (let i = 0; i < count; i++) {
    const k = buf[off + i]!;
    s += k === 0x7f ? "*" : k === 0x0d ? "#" : String.fromCharCode(k);
  }
  return s;
}

/** Encodes keypad text for `osdp_KEYPAD`: `*` → `7F`, `#` → `0D`. */
export function keypadBytes(keys: string): Uint8Array {
  const out = new Uint8Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const c = keys[i]!;
    out[i] = c === "*" ? 0x7f : c === "#" ? 0x0d : c.charCodeAt(0) & 0xff;
  }
  return out;
}

/** `osdp_KEYPAD` contents. */
export interface KeypadData {
  /** Reader number on the PD. */
  reader: number;
  /** Keys pressed, `*` and `#` as characters. */
  keys: string;
}

/** Reads `osdp_KEYPAD`; null when too short or the count overruns. */
export function readKeypad(buf: Uint8Array, off: number, len: number): KeypadData | null {
  if (len < 2) return null;
  const n = buf[off + 1]!;
  if (2 + n > len) return null;
  return { reader: buf[off]!, keys: keypadText(buf, off + 2, n) };
}

/** `osdp_FMT` contents. */
export interface FormattedCard {
  /** Reader number on the PD. */
  reader: number;
  /** Read direction: 0 forward, 1 reverse. */
  direction: number;
  /** The card number as the reader printed it. */
  text: string;
}

/** Reads `osdp_FMT`; null when too short or the count overruns. */
export function readFormattedCard(buf: Uint8Array, off: number, len: number): FormattedCard | null {
  if (len < 3) return null;
  const n = buf[off + 2]!;
  if (3 + n > len) return null;
  let text = "";
  for (let i = 0; i < n; i++) text += String.fromCharCode(buf[off + 3 + i]!);
  return { reader: buf[off]!, direction: buf[off + 1]!, text };
}

/** Header of `osdp_RAW`. */
export interface RawCardHeader {
  /** Reader number on the PD. */
  reader: number;
  /** Format code: 0 raw bits, 1 Wiegand (P/data/P). */
  format: number;
  /** Number of bits. */
  bitCount: number;
  /** Offset of the bit data (MSB first, left justified). */
  bitsOffset: number;
}

/** Reads the `osdp_RAW` header; null when too short or the bits overrun the data. */
export function readRawHeader(buf: Uint8Array, off: number, len: number): RawCardHeader | null {
  if (len < 4) return null;
  const bitCount = buf[off + 2]! | (buf[off + 3]! << 8);
  if (4 + ((bitCount + 7) >> 3) > len) return null;
  return { reader: buf[off]!, format: buf[off + 1]!, bitCount, bitsOffset: off + 4 };
}
