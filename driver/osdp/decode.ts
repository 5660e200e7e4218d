/**
 * `deno task cli decode osdp <hex>`: one OSDP packet as JSON-able data, every
 * field named, the payload decoded per command or reply code. Encrypted data
 * (`SCS_17`/`SCS_18`) is shown as ciphertext.
 *
 * @example
 * ```ts
 * import { decodeOsdpHex } from "./decode.ts";
 * decodeOsdpHex("53 65 08 00 04 60 60 90").name; // "osdp_POLL"
 * ```
 *
 * @module
 */

import {
  capabilityName,
  commandName,
  nakName,
  OsdpCmd,
  OsdpReply,
  replyName,
  scsName,
} from "./constants.ts";
import { OsdpParser, ParseError } from "./parser.ts";
import { osdpChecksum, osdpCrc16 } from "./crc.ts";
import {
  readBuzzer,
  readCapabilities,
  readComSettings,
  readFormattedCard,
  readKeypad,
  readLed,
  readLocalStatus,
  readPdId,
  readRawHeader,
} from "./payload.ts";
import { OsdpCardDecoder } from "./card_data.ts";
import { formatTag } from "../tag.ts";
import type { CaptureResult } from "../capture.ts";
import { hexString, parseHexBytes } from "../hex.ts";

/** A decoded packet (or why it is not one). */
export interface DecodedOsdpPacket extends CaptureResult {
  /** Bytes given. */
  inputLength: number;
  /** Frame length from the header. */
  length?: number;
  /** Address without the reply bit. */
  address?: number;
  /** Direction. */
  direction?: "command" | "reply";
  /** Sequence number. */
  sequence?: number;
  /** Check character type. */
  check?: "crc16" | "checksum";
  /** Security block. */
  securityBlock?: { type: string; data: string };
  /** Code byte. */
  code?: number;
  /** Command or reply name. */
  name?: string;
  /** Data bytes as hex. */
  data?: string;
  /** True when the data is encrypted. */
  encrypted?: boolean;
  /** MAC bytes as hex. */
  mac?: string;
  /** Decoded payload fields. */
  fields?: Record<string, unknown>;
  /** For a packet failing its check: the CRC or checksum it should carry (hex). */
  expectedCheck?: string;
  /** Bytes before the packet that were skipped. */
  skippedBytes?: number;
  /** Bytes after the packet. */
  trailingBytes?: number;
}

const ERRORS = [
  "",
  "check character mismatch",
  "length out of range",
  "bad security block",
  "truncated",
];

/** Decodes the first OSDP packet in `hex`. Never throws: problems come back as `ok: false`. */
export function decodeOsdpHex(hex: string): DecodedOsdpPacket {
  let bytes: Uint8Array;
  try {
    bytes = parseHexBytes(hex);
  } catch (err) {
    return { ok: false, error: (err as Error).message, inputLength: 0 };
  }
  const p = new OsdpParser(0xffff);
  const end = p.feed(bytes, 0, bytes.length);
  if (!p.ready) {
    const why = p.lastError !== ParseError.NONE
      ? ERRORS[p.lastError]!
      : p.busy
      ? "incomplete packet (fewer bytes than its length field says)"
      : "no start of message (0x53) found";
    return { ok: false, error: why, inputLength: bytes.length, ...expected(bytes) };
  }
  const b = p.frame; // the frame where it lies: offsets from p.frameStart
  const o = p.frameStart;
  const out: DecodedOsdpPacket = {
    ok: true,
    inputLength: bytes.length,
    length: p.length,
    address: p.address,
    direction: p.reply ? "reply" : "command",
    sequence: p.seq,
    check: p.crc ? "crc16" : "checksum",
    code: p.code,
    name: p.reply ? replyName(p.code) : commandName(p.code),
    data: hexString(b, o + p.dataOffset, p.dataLength),
    skippedBytes: end - p.length,
    trailingBytes: bytes.length - end,
  };
  if (p.scbType !== 0) {
    out.securityBlock = {
      type: scsName(p.scbType),
      data: hexString(b, o + p.scbDataOffset, p.scbDataLength),
    };
  }
  if (p.macOffset >= 0) out.mac = hexString(b, o + p.macOffset, 4);
  if (p.scbType === 0x17 || p.scbType === 0x18) {
    out.encrypted = p.dataLength > 0;
    return out;
  }
  out.fields = fields(p.reply, p.code, b, o + p.dataOffset, p.dataLength);
  return out;
}

/** For a packet that failed its check: what the CRC/checksum should have been. */
function expected(bytes: Uint8Array): { length?: number; expectedCheck?: string } {
  const som = bytes.indexOf(0x53);
  if (som < 0 || bytes.length < som + 5) return {};
  const len = bytes[som + 2]! | (bytes[som + 3]! << 8);
  if (len < 7 || som + len > bytes.length) return { length: len };
  const crc = (bytes[som + 4]! & 4) !== 0;
  const f = bytes.subarray(som, som + len);
  if (crc) {
    const c = osdpCrc16(f, 0, len - 2);
    return { length: len, expectedCheck: hexString(Uint8Array.of(c & 0xff, c >> 8), 0, 2) };
  }
  return {
    length: len,
    expectedCheck: hexString(Uint8Array.of(osdpChecksum(f, 0, len - 1)), 0, 1),
  };
}

function fields(
  reply: boolean,
  code: number,
  b: Uint8Array,
  off: number,
  len: number,
): Record<string, unknown> {
  if (!reply) {
    switch (code) {
      case OsdpCmd.ID:
      case OsdpCmd.CAP:
        return { replyType: len > 0 ? b[off] : null };
      case OsdpCmd.LED: {
        const records = [];
        for (let i = 0; i + 14 <= len; i += 14) records.push(readLed(b, off + i));
        return { records };
      }
      case OsdpCmd.BUZ:
        return len >= 5 ? { ...readBuzzer(b, off) } : {};
      case OsdpCmd.COMSET:
        return { ...readComSettings(b, off, len) };
      case OsdpCmd.KEEPACTIVE:
        return len >= 2 ? { keepActiveMs: b[off]! | (b[off + 1]! << 8) } : {};
      case OsdpCmd.CHLNG:
        return { rndA: hexString(b, off, Math.min(8, len)) };
      case OsdpCmd.SCRYPT:
        return { serverCryptogram: hexString(b, off, Math.min(16, len)) };
      default:
        return {};
    }
  }
  switch (code) {
    case OsdpReply.NAK:
      return len > 0 ? { error: b[off], reason: nakName(b[off]!) } : {};
    case OsdpReply.PDID:
      return { ...readPdId(b, off, len) };
    case OsdpReply.PDCAP:
      return {
        capabilities: readCapabilities(b, off, len).map((c) => ({
          ...c,
          name: capabilityName(c.function),
        })),
      };
    case OsdpReply.LSTATR:
      return { ...readLocalStatus(b, off, len) };
    case OsdpReply.COM:
      return { ...readComSettings(b, off, len) };
    case OsdpReply.KEYPAD:
      return { ...readKeypad(b, off, len) };
    case OsdpReply.FMT:
      return { ...readFormattedCard(b, off, len) };
    case OsdpReply.RAW: {
      const h = readRawHeader(b, off, len);
      if (!h) return {};
      const bits: string[] = [];
      for (let i = 0; i < h.bitCount; i++) {
        bits.push((b[h.bitsOffset + (i >> 3)]! >> (7 - (i & 7))) & 1 ? "1" : "0");
      }
      const dec = new OsdpCardDecoder();
      const card = dec.decodeRaw(b, off, len)
        ? {
          format: dec.read.format,
          facility: dec.read.facility,
          card: dec.read.card,
          dec10: formatTag(dec.read, "dec10"),
          hex: formatTag(dec.read, "hex"),
        }
        : { error: dec.lastError };
      return {
        reader: h.reader,
        format: h.format,
        bitCount: h.bitCount,
        bits: bits.join(""),
        card,
      };
    }
    case OsdpReply.CCRYPT:
      return {
        clientUid: hexString(b, off, Math.min(8, len)),
        rndB: hexString(b, off + 8, Math.max(0, Math.min(8, len - 8))),
        clientCryptogram: hexString(b, off + 16, Math.max(0, Math.min(16, len - 16))),
      };
    case OsdpReply.RMAC_I:
      return { rmacI: hexString(b, off, Math.min(16, len)) };
    default:
      return {};
  }
}
