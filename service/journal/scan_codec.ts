/**
 * Binary payload of a scan record (type byte 1) and of a gate event record
 * (type byte 3: an exit-button press or a remote open, journaled in the scan
 * log with its own seq but never sent to iFlow).
 *
 * ```
 * u8  type = 1 (scan) or 3 (gate event)
 * u8  flags (bit 0: clockUnsynced; bit 1: held until the passage is known;
 *           bits 4-5 of an event: its kind, 1 exit button, 2 remote open)
 * i16 utcOffsetMin (LE)
 * f64 epochMs (LE)
 * 6 × (u16 LE byte length + UTF-8): reader, rfidTag, date, time, bootId, errorMsg
 * ```
 *
 * An event keeps the gate's name in `reader`, an empty `rfidTag` and a short
 * note (who opened it) in `errorMsg`.
 *
 * @module
 */

import { JournalError } from "./errors.ts";
import type { GateEventKind, ScanInput, ScanRecord } from "./types.ts";

/** Payload type byte of a scan record. */
export const SCAN_TYPE = 1;
/** Payload type byte of a gate event record (exit button, remote open). */
export const EVENT_TYPE = 3;
/** Scan flag: held until its passage is known (`sendUnpassed: false`). */
export const FLAG_HELD = 2;
/** Event kinds by their code (flags bits 4-5). */
export const EVENT_KINDS: readonly (GateEventKind | "")[] = ["", "exit", "manual-open"];
const MAX_STR = 0xffff;
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: false });

let scratch = new Uint8Array(4096);
let scratchView = new DataView(scratch.buffer);

function bad(name: string, v: unknown): JournalError {
  return new JournalError("invalid", `journal: scan.${name} must be a string, got ${typeof v}`);
}

/** Writes `str` as u16 length + UTF-8 at `p`; returns the offset after it. */
function putString(buf: Uint8Array, p: number, str: string): number {
  const len = str.length;
  let n = 0;
  for (; n < len; n++) {
    const c = str.charCodeAt(n);
    if (c >= 0x80) break;
    buf[p + 2 + n] = c;
  }
  if (n < len) n = enc.encodeInto(str, buf.subarray(p + 2)).written; // non-ASCII: redo as UTF-8
  if (n > MAX_STR) {
    throw new JournalError("invalid", `journal: a scan string is longer than ${MAX_STR} bytes`);
  }
  buf[p] = n & 0xff;
  buf[p + 1] = n >> 8;
  return p + 2 + n;
}

/** Bytes kept per field for {@link putRepeated}. */
const CACHE_SLOT = 32;
/** Where the kept bytes of the last date, time, bootId and errorMsg start, and their limit. */
const TAIL_AT = 6 * CACHE_SLOT;
const TAIL_MAX = 128;
/** Kept encodings: field k's UTF-8 bytes at `k * CACHE_SLOT`, the last tail at {@link TAIL_AT}. */
const kept = new Uint8Array(TAIL_AT + TAIL_MAX);
const keptView = new DataView(kept.buffer);
/** The last string written per field (0 reader, 2 date, 3 time, 4 bootId, 5 errorMsg) and its byte count. */
const cachedStr: string[] = ["", "", "", "", "", ""];
const cachedLen = new Int32Array(6);
/** The strings of the kept tail (date, time, bootId, errorMsg) and its byte count (-1: none). */
const tailStr: string[] = ["", "", "", ""];
let tailLen = -1;

/** Copies `n` kept bytes from `kept[from]` to `buf[p]` (`dv` views `buf`), four at a time. */
function copyKept(buf: Uint8Array, dv: DataView, p: number, from: number, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) dv.setUint32(p + i, keptView.getUint32(from + i));
  for (; i < n; i++) buf[p + i] = kept[from + i]!;
}

/** Keeps `buf[p, p + n)` at `kept[to]`. */
function keep(buf: Uint8Array, p: number, to: number, n: number): void {
  for (let i = 0; i < n; i++) kept[to + i] = buf[p + i]!;
}

/**
 * {@link putString} for a field whose value usually repeats from one scan to
 * the next (the reader, the date, the boot id...): the same string as last
 * time is copied from its kept bytes instead of being encoded again.
 */
function putRepeated(buf: Uint8Array, dv: DataView, p: number, str: string, k: number): number {
  const q = p + 2;
  if (str === cachedStr[k]) {
    const n = cachedLen[k]!;
    copyKept(buf, dv, q, k * CACHE_SLOT, n);
    buf[p] = n;
    buf[p + 1] = 0;
    return q + n;
  }
  const end = putString(buf, p, str);
  const n = end - q;
  if (n <= CACHE_SLOT) {
    keep(buf, q, k * CACHE_SLOT, n);
    cachedStr[k] = str;
    cachedLen[k] = n;
  }
  return end;
}

/**
 * Writes date, time, bootId and errorMsg (the last four fields, each a u16
 * length + UTF-8) at `p`; the same four strings as last time are one copy of
 * the bytes kept from then. Returns the offset after them.
 */
function putTail(buf: Uint8Array, dv: DataView, p: number, scan: ScanInput): number {
  const { date, time, bootId, errorMsg } = scan;
  if (
    tailLen >= 0 && date === tailStr[0] && time === tailStr[1] && bootId === tailStr[2] &&
    errorMsg === tailStr[3]
  ) {
    copyKept(buf, dv, p, TAIL_AT, tailLen);
    return p + tailLen;
  }
  let e = putRepeated(buf, dv, p, date, 2);
  e = putRepeated(buf, dv, e, time, 3);
  e = putRepeated(buf, dv, e, bootId, 4);
  e = putRepeated(buf, dv, e, errorMsg, 5);
  const n = e - p;
  if (n <= TAIL_MAX) {
    keep(buf, p, TAIL_AT, n);
    tailStr[0] = date;
    tailStr[1] = time;
    tailStr[2] = bootId;
    tailStr[3] = errorMsg;
    tailLen = n;
  }
  return e;
}

/**
 * Checks a scan's fields and returns the most bytes its payload can take;
 * throws `JournalError("invalid")` on malformed input. Pair it with
 * {@link putScan}, which writes without checking.
 */
export function scanMaxBytes(scan: ScanInput): number {
  if (scan === null || typeof scan !== "object") {
    throw new JournalError("invalid", "journal: scan must be an object");
  }
  const { reader, rfidTag, date, time, bootId, errorMsg, epochMs, utcOffsetMin: off } = scan;
  if (typeof reader !== "string") throw bad("reader", reader);
  if (typeof rfidTag !== "string") throw bad("rfidTag", rfidTag);
  if (typeof date !== "string") throw bad("date", date);
  if (typeof time !== "string") throw bad("time", time);
  if (typeof bootId !== "string") throw bad("bootId", bootId);
  if (typeof errorMsg !== "string") throw bad("errorMsg", errorMsg);
  if (typeof epochMs !== "number" || !Number.isFinite(epochMs)) {
    throw new JournalError("invalid", "journal: scan.epochMs must be a finite number");
  }
  if (!Number.isInteger(off) || off < -32768 || off > 32767) {
    throw new JournalError("invalid", "journal: scan.utcOffsetMin must be an integer of minutes");
  }
  return 24 + 3 *
      (reader.length + rfidTag.length + date.length + time.length + bootId.length +
        errorMsg.length);
}

/**
 * Writes the payload of a scan already checked by {@link scanMaxBytes} into
 * `buf` at `at` (room for that many bytes); returns the offset after it.
 * Throws `JournalError("invalid")` if a string exceeds 65,535 UTF-8 bytes.
 */
export function putScan(buf: Uint8Array, dv: DataView, at: number, scan: ScanInput): number {
  buf[at] = SCAN_TYPE;
  buf[at + 1] = (scan.clockUnsynced ? 1 : 0) | (scan.hold ? FLAG_HELD : 0);
  dv.setInt16(at + 2, scan.utcOffsetMin, true);
  dv.setFloat64(at + 4, scan.epochMs, true);
  const p = putRepeated(buf, dv, at + 12, scan.reader, 0);
  return putTail(buf, dv, putString(buf, p, scan.rfidTag), scan);
}

/** Like {@link scanMaxBytes} for a gate event; also throws on an unknown `event` kind. */
export function eventMaxBytes(ev: ScanInput & { event: GateEventKind }): number {
  const kind = (ev as { event?: unknown } | null)?.event;
  if (kind !== "exit" && kind !== "manual-open") {
    throw new JournalError("invalid", `journal: unknown gate event ${JSON.stringify(kind)}`);
  }
  return scanMaxBytes(ev);
}

/**
 * Writes a gate event as {@link putScan} does, then marks it as an event of
 * `kind` (the `event` field of the input). Returns the offset after it.
 */
export function putEvent(
  buf: Uint8Array,
  dv: DataView,
  at: number,
  ev: ScanInput & { event: GateEventKind },
): number {
  const end = putScan(buf, dv, at, ev);
  buf[at] = EVENT_TYPE;
  buf[at + 1] = (buf[at + 1]! & 1) | (EVENT_KINDS.indexOf(ev.event) << 4);
  return end;
}

/**
 * Kind of the record payload starting at `buf[start]`: 0 a scan, 1 an exit
 * button event, 2 a remote open, -1 anything else.
 */
export function payloadKind(buf: Uint8Array, start: number): number {
  const t = buf[start];
  if (t === SCAN_TYPE) return 0;
  if (t !== EVENT_TYPE) return -1;
  const k = (buf[start + 1]! >> 4) & 3;
  return k === 1 || k === 2 ? k : -1;
}

/** True when the scan payload at `buf[start]` is held until its passage is known. */
export function payloadHeld(buf: Uint8Array, start: number): boolean {
  return buf[start] === SCAN_TYPE && (buf[start + 1]! & FLAG_HELD) !== 0;
}

/** Encodes a scan into a fresh payload; throws `JournalError("invalid")` on malformed input. */
export function encodeScan(scan: ScanInput): Uint8Array {
  const worst = scanMaxBytes(scan);
  if (scratch.length < worst) {
    scratch = new Uint8Array(worst * 2);
    scratchView = new DataView(scratch.buffer);
  }
  return scratch.slice(0, putScan(scratch, scratchView, 0, scan));
}

/** Reads `epochMs` of the scan payload at `buf[start, end)`, or NaN if it is not one. */
export function scanEpochMs(dv: DataView, start: number, end: number): number {
  const t = end - start < 12 ? 0 : dv.getUint8(start);
  if (t !== SCAN_TYPE && t !== EVENT_TYPE) return NaN;
  return dv.getFloat64(start + 4, true);
}

/**
 * Decodes scan payloads, reusing the previous string of a field when its bytes
 * repeat (reader, date, bootId... rarely change between records), so a long
 * export allocates little more than the row and its tag.
 */
export class ScanDecoder {
  #prevBytes: Uint8Array[] = Array.from({ length: 6 }, () => new Uint8Array(64));
  #prevLen = new Int32Array(6).fill(-1);
  #prevStr: string[] = ["", "", "", "", "", ""];
  #strs: string[] = ["", "", "", "", "", ""];
  /** Reused char-code arrays by length (0..64). */
  #codes: number[][] = Array.from({ length: 65 }, (_, n) => new Array<number>(n).fill(0));
  #dv: DataView | null = null;

  #field(k: number, buf: Uint8Array, p: number, n: number): string {
    const prev = this.#prevBytes[k]!;
    if (this.#prevLen[k] === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (prev[i] !== buf[p + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.#prevStr[k]!;
    }
    let s: string;
    let ascii = n <= 64;
    for (let i = 0; ascii && i < n; i++) if (buf[p + i]! >= 0x80) ascii = false;
    if (ascii) {
      // One string from a reused array of char codes: no intermediate strings.
      const codes = this.#codes[n]!;
      for (let i = 0; i < n; i++) codes[i] = buf[p + i]!;
      s = String.fromCharCode.apply(null, codes);
    } else s = dec.decode(buf.subarray(p, p + n));
    if (n <= 64) {
      prev.set(buf.subarray(p, p + n));
      this.#prevLen[k] = n;
      this.#prevStr[k] = s;
    }
    return s;
  }

  /**
   * Decodes the scan (or gate event) payload at `buf[start, end)` into a
   * record with `seq`; null if malformed. Tell the two apart with {@link payloadKind}.
   */
  decode(buf: Uint8Array, start: number, end: number, seq: number): ScanRecord | null {
    if (end - start < 24 || payloadKind(buf, start) < 0) return null;
    let dv = this.#dv;
    if (dv === null || dv.buffer !== buf.buffer || dv.byteOffset !== buf.byteOffset) {
      dv = this.#dv = new DataView(buf.buffer, buf.byteOffset);
    }
    const strs = this.#strs;
    let p = start + 12;
    for (let k = 0; k < 6; k++) {
      if (p + 2 > end) return null;
      const n = buf[p]! | (buf[p + 1]! << 8);
      if (p + 2 + n > end) return null;
      strs[k] = this.#field(k, buf, p + 2, n);
      p += 2 + n;
    }
    return {
      seq,
      reader: strs[0]!,
      rfidTag: strs[1]!,
      epochMs: dv.getFloat64(start + 4, true),
      date: strs[2]!,
      time: strs[3]!,
      utcOffsetMin: dv.getInt16(start + 2, true),
      bootId: strs[4]!,
      clockUnsynced: (buf[start + 1]! & 1) === 1,
      errorMsg: strs[5]!,
    };
  }
}
