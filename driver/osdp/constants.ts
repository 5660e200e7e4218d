/**
 * OSDP (SIA OSDP v2.2) constants: framing bytes, command and reply codes,
 * NAK codes, security block types and capability function codes, with the
 * names the decoder prints.
 *
 * @module
 */

/** Start of message. */
export const SOM = 0x53;
/** Optional mark byte sent before SOM on some buses; skipped by the parser. */
export const MARK = 0xff;
/** Broadcast address. */
export const BROADCAST = 0x7f;
/** Bit set in the address byte of every reply. */
export const REPLY_BIT = 0x80;

/** Control byte: sequence number mask (bits 0–1). */
export const CTRL_SEQ = 0x03;
/** Control byte: set when the check is a CRC-16, clear for the 8-bit checksum. */
export const CTRL_CRC = 0x04;
/** Control byte: set when a security control block follows. */
export const CTRL_SCB = 0x08;

/** Command codes the control panel sends (CP → PD). */
export const OsdpCmd = {
  POLL: 0x60,
  ID: 0x61,
  CAP: 0x62,
  LSTAT: 0x64,
  ISTAT: 0x65,
  OSTAT: 0x66,
  RSTAT: 0x67,
  OUT: 0x68,
  LED: 0x69,
  BUZ: 0x6a,
  TEXT: 0x6b,
  COMSET: 0x6e,
  KEYSET: 0x75,
  CHLNG: 0x76,
  SCRYPT: 0x77,
  ACURXSIZE: 0x7b,
  MFG: 0x80,
  KEEPACTIVE: 0xa7,
} as const;

/** Reply codes a reader sends (PD → CP). */
export const OsdpReply = {
  ACK: 0x40,
  NAK: 0x41,
  PDID: 0x45,
  PDCAP: 0x46,
  LSTATR: 0x48,
  ISTATR: 0x49,
  OSTATR: 0x4a,
  RSTATR: 0x4b,
  RAW: 0x50,
  FMT: 0x51,
  KEYPAD: 0x53,
  COM: 0x54,
  CCRYPT: 0x76,
  RMAC_I: 0x78,
  BUSY: 0x79,
  MFGREP: 0x90,
} as const;

/** NAK error codes (first data byte of `osdp_NAK`). */
export const OsdpNak = {
  NONE: 0,
  CHECK: 1,
  LENGTH: 2,
  UNKNOWN_COMMAND: 3,
  SEQUENCE: 4,
  SECURITY_UNSUPPORTED: 5,
  ENCRYPTION_REQUIRED: 6,
  BIO_TYPE: 7,
  BIO_FORMAT: 8,
  UNABLE: 9,
} as const;

/** Security control block types. */
export const OsdpScs = {
  /** CP → PD `osdp_CHLNG`. */
  S11: 0x11,
  /** PD → CP `osdp_CCRYPT`. */
  S12: 0x12,
  /** CP → PD `osdp_SCRYPT`. */
  S13: 0x13,
  /** PD → CP `osdp_RMAC_I`. */
  S14: 0x14,
  /** CP → PD, MAC, data in clear. */
  S15: 0x15,
  /** PD → CP, MAC, data in clear. */
  S16: 0x16,
  /** CP → PD, MAC, data encrypted. */
  S17: 0x17,
  /** PD → CP, MAC, data encrypted. */
  S18: 0x18,
} as const;

/** Capability function codes in `osdp_PDCAP`. */
export const OsdpCapFunction = {
  CONTACT_STATUS: 1,
  OUTPUT_CONTROL: 2,
  CARD_DATA_FORMAT: 3,
  LED_CONTROL: 4,
  AUDIBLE_OUTPUT: 5,
  TEXT_OUTPUT: 6,
  TIME_KEEPING: 7,
  CHECK_CHARACTER: 8,
  COMMUNICATION_SECURITY: 9,
  RECEIVE_BUFFER: 10,
  COMBINED_MESSAGE: 11,
  SMART_CARD: 12,
  READERS: 13,
  BIOMETRICS: 14,
} as const;

/** LED colours of `osdp_LED`. */
export const OsdpLedColor = {
  black: 0,
  red: 1,
  green: 2,
  amber: 3,
  blue: 4,
  magenta: 5,
  cyan: 6,
  white: 7,
} as const;

/** Name of an LED colour (a key of {@link OsdpLedColor}). */
export type OsdpLedColorName =
  | "black"
  | "red"
  | "green"
  | "amber"
  | "blue"
  | "magenta"
  | "cyan"
  | "white";
const _colors: Record<OsdpLedColorName, number> = OsdpLedColor; // the names and the table agree
void _colors;

function invert(o: Record<string, number>, prefix: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const [k, v] of Object.entries(o)) m.set(v, prefix + k);
  return m;
}

const CMD_NAMES = invert(OsdpCmd, "osdp_");
const REPLY_NAMES = invert(OsdpReply, "osdp_");
const NAK_NAMES = new Map<number, string>([
  [0, "no error"],
  [1, "message check character error"],
  [2, "command length error"],
  [3, "unknown command code"],
  [4, "unexpected sequence number"],
  [5, "unsupported security block or security conditions not met"],
  [6, "encrypted communication required"],
  [7, "biometric type not supported"],
  [8, "biometric format not supported"],
  [9, "unable to process command record"],
]);
const CAP_NAMES = invert(OsdpCapFunction, "");

function hex2(n: number): string {
  return "0x" + n.toString(16).padStart(2, "0");
}

/** Name of a command code (`osdp_POLL`), or `unknown 0x..`. */
export function commandName(code: number): string {
  return CMD_NAMES.get(code) ?? `unknown ${hex2(code)}`;
}

/** Name of a reply code (`osdp_ACK`), or `unknown 0x..`. */
export function replyName(code: number): string {
  return REPLY_NAMES.get(code) ?? `unknown ${hex2(code)}`;
}

/** Meaning of a NAK error code. */
export function nakName(code: number): string {
  return NAK_NAMES.get(code) ?? `unknown NAK ${hex2(code)}`;
}

/** Name of a capability function code (`COMMUNICATION_SECURITY`). */
export function capabilityName(code: number): string {
  return CAP_NAMES.get(code) ?? `unknown ${hex2(code)}`;
}

/** Name of a security block type (`SCS_15`). */
export function scsName(type: number): string {
  return type >= 0x11 && type <= 0x18 ? `SCS_${type.toString(16)}` : `unknown ${hex2(type)}`;
}
