/**
 * `--redact`: card numbers are personal data, so a capture to be shared has
 * its card bits replaced by bits from a keyed hash (HMAC-SHA256 under a random
 * key that is never stored: not reversible, yet the same card stays the same
 * card within one file). Lengths are kept, and so are the checks: a frame
 * whose checksum or parity was valid still is, one that was wrong still is.
 *
 * - `ascii`: the 10 data digits of each frame, the XOR checksum recomputed.
 * - `line`: every digit of each line, by a digit of the same kind.
 * - `wiegand`: each frame's data bits (a pulse moves between D0 and D1),
 *   parity bits recomputed by the frame's built-in format.
 * - `osdp`: the card bits of `osdp_RAW` replies in clear (their parity too),
 *   the packet's CRC or checksum recomputed; the data of encrypted commands
 *   and replies is blanked and recorded session keys are removed
 *   (`osdp_keys.ts`), so secured card reads cannot be decrypted.
 * - `rc522`: the UID bits in anticollision frames and answers and in SELECT
 *   frames, by a prefix-preserving keyed permutation per cascade level, BCC
 *   and CRC_A recomputed (see `redact_rc522.ts`).
 *
 * @module
 */

import { CardRead } from "../card.ts";
import { hexDigitValue } from "../decoder.ts";
import { osdpChecksum, osdpCrc16 } from "../osdp/crc.ts";
import { OsdpReply } from "../osdp/constants.ts";
import { OsdpParser } from "../osdp/parser.ts";
import { DecodeStatus, decodeWiegandBits } from "../wiegand/decode.ts";
import { BUILTIN_FORMATS, type ParityRule } from "../wiegand/formats.ts";
import { redactOsdpSecrets } from "./osdp_keys.ts";
import { redactRc522 } from "./redact_rc522.ts";
import {
  type CaptureHeader,
  encodeHeader,
  type ParsedCapture,
  PAYLOAD_OFFSET,
  RECORD_SIZE,
  RecordFlag,
  RecordType,
  sealRecords,
} from "./format.ts";

/** A keyed hash stream: `bytes(label, n)` gives n bytes derived from the key and label. */
export class KeyedHash {
  readonly #key: Promise<CryptoKey>;

  /** A fresh random key (never stored), or `key` when given (tests). */
  constructor(key?: Uint8Array) {
    const k = key ?? crypto.getRandomValues(new Uint8Array(32));
    this.#key = crypto.subtle.importKey(
      "raw",
      k as Uint8Array<ArrayBuffer>,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
  }

  /** `n` bytes: HMAC(key, label ‖ counter) blocks. */
  async bytes(label: string, n: number): Promise<Uint8Array> {
    const key = await this.#key;
    const out = new Uint8Array(n);
    for (let i = 0, block = 0; i < n; block++) {
      const msg = new TextEncoder().encode(`${label}\u0000${block}`);
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, msg));
      for (let k = 0; k < mac.length && i < n; k++) out[i++] = mac[k]!;
    }
    return out;
  }
}

/** One payload byte of the records, by its position in one direction's stream. */
type StreamMap = number[];

/** The payload bytes of records of `type`, as one stream, with each byte's place in `records`. */
function stream(records: Uint8Array, count: number, type: number): [Uint8Array, StreamMap] {
  const where: StreamMap = [];
  for (let i = 0; i < count; i++) {
    const o = i * RECORD_SIZE;
    if (records[o + 8] !== type) continue;
    for (let k = 0; k < records[o + 10]!; k++) where.push(o + PAYLOAD_OFFSET + k);
  }
  return [Uint8Array.from(where, (at) => records[at]!), where];
}

function writeBack(records: Uint8Array, data: Uint8Array, where: StreamMap): void {
  for (let i = 0; i < where.length; i++) records[where[i]!] = data[i]!;
}

const HEX = "0123456789ABCDEF";

async function redactAscii(s: Uint8Array, h: KeyedHash): Promise<void> {
  for (let i = 0; i + 13 < s.length; i++) {
    if (s[i] !== 0x02) continue;
    let ok = true;
    for (let k = 1; k <= 12; k++) ok &&= hexDigitValue(s[i + k]!) >= 0;
    if (!ok) continue;
    const orig = new TextDecoder().decode(s.subarray(i + 1, i + 11));
    const val = (k: number) => hexDigitValue(s[k]!) * 16 + hexDigitValue(s[k + 1]!);
    let x = 0;
    for (let b = 0; b < 5; b++) x ^= val(i + 1 + 2 * b);
    const wrong = x ^ val(i + 11); // 0 when the checksum was valid
    const fresh = await h.bytes(`ascii ${orig}`, 5);
    x = 0;
    for (let b = 0; b < 5; b++) {
      s[i + 1 + 2 * b] = HEX.charCodeAt(fresh[b]! >> 4);
      s[i + 2 + 2 * b] = HEX.charCodeAt(fresh[b]! & 15);
      x ^= fresh[b]!;
    }
    x ^= wrong;
    s[i + 11] = HEX.charCodeAt(x >> 4);
    s[i + 12] = HEX.charCodeAt(x & 15);
    i += 12;
  }
}

async function redactLines(s: Uint8Array, h: KeyedHash): Promise<void> {
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i < s.length && s[i] !== 0x0a && s[i] !== 0x0d) continue;
    if (i > start) {
      const orig = new TextDecoder().decode(s.subarray(start, i));
      const fresh = await h.bytes(`line ${orig}`, i - start);
      for (let k = start; k < i; k++) {
        const c = s[k]!;
        const r = fresh[k - start]!;
        if (c >= 0x30 && c <= 0x39) s[k] = 0x30 + (r % 10);
        else if (c >= 0x41 && c <= 0x46) s[k] = 0x41 + (r % 6);
        else if (c >= 0x61 && c <= 0x66) s[k] = 0x61 + (r % 6);
      }
    }
    start = i + 1;
  }
}

/** Positions (0-based) a parity rule covers, for a frame of `n` bits. */
function covered(rule: ParityRule, n: number): number[] {
  const out = new Set<number>();
  for (const r of rule.over ?? []) {
    if (typeof r === "number") out.add(r - 1);
    else for (let b = r[0]; b <= r[1]; b++) out.add(b - 1);
  }
  if (rule.mask) {
    const m = BigInt(`0x${rule.mask}`);
    for (let b = 0; b < n; b++) if ((m >> BigInt(n - 1 - b)) & 1n) out.add(b);
  }
  out.delete(rule.bit - 1);
  return [...out];
}

/**
 * Replaces the data bits of a Wiegand frame (one bit per byte) in place,
 * keeping its length and its parity (valid stays valid, wrong stays wrong).
 */
export async function redactWiegandBits(bits: Uint8Array, h: KeyedHash): Promise<void> {
  const n = bits.length;
  const read = new CardRead();
  const st = decodeWiegandBits(bits, n, read);
  const def = BUILTIN_FORMATS[read.format];
  const rules = def && def.bits === n ? def.parity : [];
  const parityAt = new Set(rules.map((r) => r.bit - 1));
  const fresh = await h.bytes(`wiegand ${bits.join("")}`, n);
  for (let b = 0; b < n; b++) if (!parityAt.has(b)) bits[b] = fresh[b]! & 1;
  for (const rule of rules) {
    let ones = 0;
    for (const b of covered(rule, n)) ones += bits[b]!;
    bits[rule.bit - 1] = (ones + (rule.type === "odd" ? 1 : 0)) & 1;
  }
  if (st === DecodeStatus.parity && rules.length > 0) bits[rules[0]!.bit - 1]! ^= 1;
}

async function redactWiegand(records: Uint8Array, count: number, h: KeyedHash, gapNs: number) {
  // Falling edges start pulses; a frame is the pulses closer than `gapNs` to the one before.
  let frame: number[] = []; // record offsets of the falling edges
  let lastNs = -Infinity;
  const flush = async () => {
    if (frame.length === 0) return;
    const bits = Uint8Array.from(frame, (o) => records[o + 11]! === 1 ? 1 : 0);
    await redactWiegandBits(bits, h);
    for (let i = 0; i < frame.length; i++) moveLine(records, count, frame[i]!, bits[i]!);
    frame = [];
  };
  for (let i = 0; i < count; i++) {
    const o = i * RECORD_SIZE;
    if (records[o + 8] !== RecordType.edge || (records[o + 9]! & RecordFlag.rising) !== 0) continue;
    const v = new DataView(records.buffer, records.byteOffset + o, 8);
    const ns = v.getUint32(0, true) * 1e9 + v.getUint32(4, true);
    if (ns - lastNs > gapNs) await flush();
    frame.push(o);
    lastNs = ns;
  }
  await flush();
}

/** Moves the pulse whose falling edge is at `o` (and its rising edge) to `line`. */
function moveLine(records: Uint8Array, count: number, o: number, line: number): void {
  const from = records[o + 11]!;
  if (from === line) return;
  records[o + 11] = line;
  for (let p = o + RECORD_SIZE; p < count * RECORD_SIZE; p += RECORD_SIZE) {
    if (records[p + 8] !== RecordType.edge || records[p + 11] !== from) continue;
    if ((records[p + 9]! & RecordFlag.rising) !== 0) records[p + 11] = line;
    return;
  }
}

async function redactOsdp(s: Uint8Array, h: KeyedHash): Promise<[number, number]> {
  const p = new OsdpParser();
  let skipped = 0;
  let macs = 0;
  let i = 0;
  while (i < s.length) {
    i = p.feed(s, i, s.length);
    if (!p.ready) break;
    if (!p.reply || p.code !== OsdpReply.RAW) continue;
    if (p.scbType === 0x18) {
      skipped++;
      continue;
    }
    const start = i - p.length;
    const d = start + p.dataOffset;
    const count = s[d + 2]! | (s[d + 3]! << 8);
    if (p.dataLength < 4 + ((count + 7) >> 3) || count === 0) continue;
    const bits = new Uint8Array(count);
    for (let b = 0; b < count; b++) bits[b] = (s[d + 4 + (b >> 3)]! >> (7 - (b & 7))) & 1;
    await redactWiegandBits(bits, h);
    for (let b = 0; b < count; b++) {
      const at = d + 4 + (b >> 3);
      const mask = 1 << (7 - (b & 7));
      s[at] = bits[b] ? s[at]! | mask : s[at]! & ~mask;
    }
    const end = start + p.length;
    if (p.macOffset >= 0) macs++; // privacy first: its MAC no longer verifies
    if (p.crc) {
      const c = osdpCrc16(s, start, end - 2);
      s[end - 2] = c & 0xff;
      s[end - 1] = c >> 8;
    } else {
      s[end - 1] = osdpChecksum(s, start, end - 1);
    }
  }
  return [skipped, macs];
}

/** Why a capture cannot be redacted. */
export class RedactError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "RedactError";
  }
}

/**
 * A redacted copy of `cap` as an uncompressed capture (header marked
 * `redacted`); write it through `CaptureWriter` or gzip it.
 *
 * @throws {RedactError} for a kind it does not know.
 */
export async function redactCapture(
  cap: ParsedCapture,
  hash: KeyedHash = new KeyedHash(),
): Promise<{ header: CaptureHeader; records: Uint8Array; notes: string[] }> {
  let records = cap.records.slice();
  const notes: string[] = [];
  const kind = cap.header.kind;
  if (kind === "ascii" || kind === "line") {
    const [s, where] = stream(records, cap.count, RecordType.rx);
    await (kind === "ascii" ? redactAscii(s, hash) : redactLines(s, hash));
    writeBack(records, s, where);
  } else if (kind === "wiegand") {
    const spacing = Number(cap.header.reader["spacingMaxMs"] ?? 20);
    await redactWiegand(records, cap.count, hash, (Number.isFinite(spacing) ? spacing : 20) * 1e6);
  } else if (kind === "osdp") {
    const [s, where] = stream(records, cap.count, RecordType.rx);
    const [skipped, macs] = await redactOsdp(s, hash);
    writeBack(records, s, where);
    if (macs > 0) notes.push(`${macs} signed card replies redacted: their MACs no longer verify`);
    const sc = redactOsdpSecrets(records, cap.count);
    records = sc.records;
    if (sc.blanked > 0) {
      notes.push(
        `${sc.blanked} encrypted payloads blanked (${skipped} of them card replies): ` +
          "the replay cannot read them",
      );
    }
    if (sc.sessions > 0) notes.push(`${sc.sessions} recorded Secure Channel session keys removed`);
  } else if (kind === "rc522") {
    await redactRc522(records, cap.count, hash);
  } else {
    throw new RedactError(`--redact is not available for ${kind} captures`);
  }
  sealRecords(records, records.length / RECORD_SIZE);
  return { header: { ...cap.header, redacted: true }, records, notes };
}

/** A redacted capture as raw (uncompressed) file bytes. */
export function redactedBytes(r: { header: CaptureHeader; records: Uint8Array }): Uint8Array {
  const h = encodeHeader(r.header);
  const out = new Uint8Array(h.length + r.records.length);
  out.set(h);
  out.set(r.records, h.length);
  return out;
}
