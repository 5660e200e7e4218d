/**
 * The capture file format, version 1: one header, then fixed-layout 64-byte
 * records, each with its own CRC32C, so a file torn anywhere reads up to the
 * tear. Files on disk are gzip (one member per flush, so a torn file still
 * inflates up to its last complete member); {@link parseCapture} accepts both
 * gzip and raw bytes.
 *
 * Header (little-endian): `"PJCAPTUR"` (8 bytes), `version u16` (1),
 * `reserved u16`, `jsonLength u32`, the {@link CaptureHeader} as UTF-8 JSON,
 * `crc32c u32` over everything before it.
 *
 * Record (64 bytes): `sec u32` @0 and `nsec u32` @4 (CLOCK_MONOTONIC, the
 * clock of GPIO event timestamps), `type u8` @8 ({@link RecordType}),
 * `flags u8` @9 ({@link RecordFlag}), `length u8` @10 (payload bytes, 0–48),
 * `line u8` @11 (Wiegand: 0 = D0, 1 = D1), `payload` @12 (48 bytes, zero
 * padded), `crc32c u32` @60 over bytes 0–59. A chunk longer than 48 bytes
 * spans several records, all but the last flagged `more`.
 *
 * @module
 */

import { crc32c } from "../crc32c.ts";

/** Bytes per record. */
export const RECORD_SIZE = 64;
/** Payload bytes per record. */
export const PAYLOAD_MAX = 48;
/** Offset of the payload in a record. */
export const PAYLOAD_OFFSET = 12;
/** The format version this code writes and reads. */
export const CAPTURE_VERSION = 1;
/** The first 8 bytes of every (uncompressed) capture. */
export const CAPTURE_MAGIC: Uint8Array = new TextEncoder().encode("PJCAPTUR");
/** Largest header JSON accepted when reading (a bound on foreign input). */
export const HEADER_JSON_MAX = 64 * 1024;

/** What a record holds. */
export const RecordType = {
  /** Bytes the reader sent (read from the port), one kernel read per chunk. */
  rx: 1,
  /** Bytes written to the reader (OSDP commands). */
  tx: 2,
  /** One Wiegand edge with its kernel timestamp; `line` says D0 or D1. */
  edge: 3,
  /** One RC522 register batch: (reg | 0x80 for a read, value) pairs. */
  regs: 4,
  /**
   * UTF-8 JSON: the counters at the end, as {@link CaptureTrailer}, or an
   * event during the capture ({@link CaptureEvent}, with an `event` key).
   */
  meta: 5,
} as const;

/** Names of {@link RecordType} values. */
export const RECORD_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "rx",
  2: "tx",
  3: "edge",
  4: "regs",
  5: "meta",
};

/** Record flag bits. */
export const RecordFlag = {
  /** The chunk continues in the next record. */
  more: 1,
  /** Wiegand: a rising edge (else falling). */
  rising: 2,
} as const;

/** The header of a capture. */
export interface CaptureHeader {
  /** The reader kind (`ascii`, `line`, `wiegand`, `osdp`, `rc522`). */
  kind: string;
  /** The reader's config entry (name, kind, options). */
  reader: Record<string, unknown>;
  /** pontaj's version that wrote it. */
  pontajVersion: string;
  /** Wall-clock start, ISO 8601. */
  startedAt: string;
  /** The decoder's counters when the capture started. */
  counters: Record<string, unknown>;
  /** True when card bits were replaced by keyed-hash bits (`--redact`). */
  redacted?: boolean;
  /** Part number when a capture rotated into several files (1 = first). */
  part?: number;
}

/** The counters at the end, carried by `meta` records. */
export interface CaptureTrailer {
  /** The decoder's counters when the capture ended. */
  counters: Record<string, unknown>;
  /** Records the tap dropped because its buffer was full. */
  dropped: number;
}

/**
 * A `meta` record written during the capture (told from the trailer by its
 * `event` key): `reopened` when the reader's device was reopened (after an
 * I/O error or an unplug) and the capture went on with the new device;
 * `osdp-session` with an OSDP Secure Channel session's keys (see
 * `replay_osdp.ts`).
 */
export interface CaptureEvent {
  /** What happened. */
  event: string;
  /** The rest of the event's fields. */
  [key: string]: unknown;
}

/** The `meta` events of a capture, in order, with their record times (sec, nsec). */
export function captureEvents(
  records: Uint8Array,
  count: number,
): { sec: number; nsec: number; event: CaptureEvent }[] {
  const out: { sec: number; nsec: number; event: CaptureEvent }[] = [];
  for (const c of chunks(records, count)) {
    if (c.type !== RecordType.meta) continue;
    const e = metaJson(c.data);
    if (e && typeof e["event"] === "string") {
      out.push({ sec: c.sec, nsec: c.nsec, event: e as CaptureEvent });
    }
  }
  return out;
}

/** A meta chunk's JSON object, or null when it is not one. */
export function metaJson(data: Uint8Array): Record<string, unknown> | null {
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? v as Record<string, unknown>
      : null;
  } catch {
    return null;
  }
}

/** Encodes a header (magic, version, JSON, CRC). */
export function encodeHeader(header: CaptureHeader): Uint8Array<ArrayBuffer> {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(16 + json.length + 4);
  const v = new DataView(out.buffer);
  out.set(CAPTURE_MAGIC, 0);
  v.setUint16(8, CAPTURE_VERSION, true);
  v.setUint32(12, json.length, true);
  out.set(json, 16);
  v.setUint32(16 + json.length, crc32c(out, 0, 16 + json.length), true);
  return out;
}

/** Fills in the CRC of each record in `buf[0, count * RECORD_SIZE)`. */
export function sealRecords(buf: Uint8Array, count: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < count; i++) {
    const o = i * RECORD_SIZE;
    v.setUint32(o + 60, crc32c(buf, o, o + 60), true);
  }
}

/** Encodes `text` as `meta` records (sealed). */
export function encodeMeta(text: string, sec: number, nsec: number): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(text);
  const n = Math.max(1, Math.ceil(bytes.length / PAYLOAD_MAX));
  const out = new Uint8Array(n * RECORD_SIZE);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const o = i * RECORD_SIZE;
    const part = bytes.subarray(i * PAYLOAD_MAX, (i + 1) * PAYLOAD_MAX);
    v.setUint32(o, sec >>> 0, true);
    v.setUint32(o + 4, nsec >>> 0, true);
    out[o + 8] = RecordType.meta;
    out[o + 9] = i < n - 1 ? RecordFlag.more : 0;
    out[o + 10] = part.length;
    out.set(part, o + PAYLOAD_OFFSET);
  }
  sealRecords(out, n);
  return out;
}

/** Where and why reading stopped before the end of the bytes. */
export interface CaptureTear {
  /** Byte offset (in the uncompressed stream) of the first unreadable byte. */
  offset: number;
  /** What was wrong there. */
  reason: string;
}

/** A capture read back: the header, the good records, and the tear if any. */
export interface ParsedCapture {
  /** The header. */
  header: CaptureHeader;
  /** The good records, back to back ({@link RECORD_SIZE} bytes each). */
  records: Uint8Array;
  /** Number of good records. */
  count: number;
  /** Set when the bytes ended in a partial or corrupt record (or a torn gzip stream). */
  tear: CaptureTear | null;
  /** The trailer's counters, when the capture was closed cleanly. */
  trailer: CaptureTrailer | null;
}

/** Why a capture could not be read at all (bad magic, version or header). */
export class CaptureFormatError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "CaptureFormatError";
  }
}

const GZIP_MAGIC0 = 0x1f;
const GZIP_MAGIC1 = 0x8b;

/**
 * Inflates a gzip stream of one or more members, keeping everything that
 * inflated before a tear. Returns the bytes and whether the stream was torn.
 */
export async function inflateTolerant(
  gz: Uint8Array,
): Promise<{ bytes: Uint8Array; torn: boolean }> {
  const { Gunzip } = await import("fflate");
  const parts: Uint8Array[] = [];
  let total = 0;
  // Where the last member starts in `gz`, and how much had inflated before it.
  let lastStart = 0;
  let outBefore = 0;
  const g = new Gunzip((chunk) => {
    parts.push(chunk);
    total += chunk.length;
  });
  g.onmember = (offset) => {
    lastStart = offset;
    outBefore = total;
  };
  let torn = false;
  try {
    g.push(gz, false);
    g.push(new Uint8Array(0), true);
  } catch {
    torn = true;
  }
  // fflate does not notice a member cut inside its 8-byte trailer or its header: the
  // last member is whole only when the stream ends with its size (ISIZE).
  const n = gz.length;
  const isize = n >= 4
    ? (gz[n - 4]! | (gz[n - 3]! << 8) | (gz[n - 2]! << 16) | (gz[n - 1]! << 24)) >>> 0
    : -1;
  if (n - lastStart < 18 || isize !== (total - outBefore) >>> 0) torn = true;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, torn };
}

/**
 * Reads a capture (gzip or raw). Records are read up to the first short or
 * corrupt one; the rest is reported as {@link ParsedCapture.tear}.
 *
 * @throws {CaptureFormatError} when the header itself is unreadable.
 */
export async function parseCapture(input: Uint8Array): Promise<ParsedCapture> {
  let bytes = input;
  let gzTorn = false;
  if (input.length >= 2 && input[0] === GZIP_MAGIC0 && input[1] === GZIP_MAGIC1) {
    const r = await inflateTolerant(input);
    bytes = r.bytes;
    gzTorn = r.torn;
  }
  const header = decodeHeader(bytes);
  const start = 16 + header.jsonLength + 4;
  const avail = bytes.length - start;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  let tear: CaptureTear | null = null;
  const max = Math.floor(avail / RECORD_SIZE);
  for (; count < max; count++) {
    const o = start + count * RECORD_SIZE;
    if (crc32c(bytes, o, o + 60) !== v.getUint32(o + 60, true)) {
      tear = { offset: o, reason: `record ${count}: CRC mismatch` };
      break;
    }
    if (bytes[o + 10]! > PAYLOAD_MAX || !RECORD_TYPE_NAMES[bytes[o + 8]!]) {
      tear = { offset: o, reason: `record ${count}: bad type or length` };
      break;
    }
  }
  if (tear === null && avail % RECORD_SIZE !== 0) {
    const o = start + count * RECORD_SIZE;
    tear = { offset: o, reason: `record ${count}: ${avail % RECORD_SIZE} of 64 bytes` };
  }
  if (tear === null && gzTorn) {
    tear = { offset: bytes.length, reason: "gzip stream torn after this offset" };
  }
  const records = bytes.subarray(start, start + count * RECORD_SIZE);
  return { header: header.header, records, count, tear, trailer: readTrailer(records, count) };
}

function decodeHeader(bytes: Uint8Array): { header: CaptureHeader; jsonLength: number } {
  if (bytes.length < 20) throw new CaptureFormatError("not a pontaj capture: too short");
  for (let i = 0; i < CAPTURE_MAGIC.length; i++) {
    if (bytes[i] !== CAPTURE_MAGIC[i]) {
      throw new CaptureFormatError("not a pontaj capture: the file does not start with PJCAPTUR");
    }
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = v.getUint16(8, true);
  if (version !== CAPTURE_VERSION) {
    throw new CaptureFormatError(
      `capture format version ${version} is not supported (this pontaj reads ${CAPTURE_VERSION})`,
    );
  }
  const len = v.getUint32(12, true);
  if (len > HEADER_JSON_MAX || 16 + len + 4 > bytes.length) {
    throw new CaptureFormatError(`capture header: bad length ${len}`);
  }
  if (crc32c(bytes, 0, 16 + len) !== v.getUint32(16 + len, true)) {
    throw new CaptureFormatError("capture header: CRC mismatch");
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + len)));
  } catch {
    throw new CaptureFormatError("capture header: not JSON");
  }
  const h = header as Partial<CaptureHeader>;
  if (
    typeof h !== "object" || h === null || typeof h.kind !== "string" ||
    typeof h.reader !== "object" || h.reader === null
  ) {
    throw new CaptureFormatError("capture header: kind or reader missing");
  }
  h.counters ??= {};
  h.pontajVersion = String(h.pontajVersion ?? "");
  h.startedAt = String(h.startedAt ?? "");
  return { header: h as CaptureHeader, jsonLength: len };
}

/** The record at index `i` of `records`, as fields (for replay; allocates). */
export interface CaptureRecord {
  /** Monotonic seconds. */
  sec: number;
  /** Nanoseconds within the second. */
  nsec: number;
  /** {@link RecordType}. */
  type: number;
  /** {@link RecordFlag} bits. */
  flags: number;
  /** Wiegand line. */
  line: number;
  /** Payload bytes (a view into the records). */
  payload: Uint8Array;
}

/** Reads record `i`. */
export function recordAt(records: Uint8Array, i: number): CaptureRecord {
  const o = i * RECORD_SIZE;
  const v = new DataView(records.buffer, records.byteOffset + o, RECORD_SIZE);
  return {
    sec: v.getUint32(0, true),
    nsec: v.getUint32(4, true),
    type: records[o + 8]!,
    flags: records[o + 9]!,
    line: records[o + 11]!,
    payload: records.subarray(o + PAYLOAD_OFFSET, o + PAYLOAD_OFFSET + records[o + 10]!),
  };
}

/** One chunk: consecutive records joined while flagged `more`. */
export interface CaptureChunk {
  /** Timestamp of its first record. */
  sec: number;
  /** Nanoseconds. */
  nsec: number;
  /** Record type. */
  type: number;
  /** Flags of its last record. */
  flags: number;
  /** Wiegand line. */
  line: number;
  /** The joined payload. */
  data: Uint8Array;
}

/** The records as chunks (a chunk cut by the tear is returned as far as it got). */
export function* chunks(records: Uint8Array, count: number): Generator<CaptureChunk> {
  let cur: CaptureChunk | null = null;
  let parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const r = recordAt(records, i);
    if (cur === null || cur.type !== r.type) {
      if (cur !== null) yield finish(cur, parts);
      cur = {
        sec: r.sec,
        nsec: r.nsec,
        type: r.type,
        flags: r.flags,
        line: r.line,
        data: r.payload,
      };
      parts = [];
    }
    parts.push(r.payload);
    cur.flags = r.flags;
    if ((r.flags & RecordFlag.more) === 0) {
      yield finish(cur, parts);
      cur = null;
    }
  }
  if (cur !== null) yield finish(cur, parts);
}

function finish(c: CaptureChunk, parts: Uint8Array[]): CaptureChunk {
  if (parts.length === 1) return { ...c, data: parts[0]! };
  const len = parts.reduce((n, p) => n + p.length, 0);
  const data = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { ...c, data };
}

function readTrailer(records: Uint8Array, count: number): CaptureTrailer | null {
  let found: CaptureTrailer | null = null;
  for (const c of chunks(records, count)) {
    if (c.type !== RecordType.meta) continue;
    // A meta chunk that is not a JSON object, or is an event, is not the trailer.
    const t = metaJson(c.data) as Partial<CaptureTrailer> | null;
    if (t && !("event" in t)) {
      found = { counters: t.counters ?? {}, dropped: Number(t.dropped ?? 0) };
    }
  }
  return found;
}
