/**
 * On-disk framing shared by the scan log and the outcome log.
 *
 * A segment file starts with an 8-byte header (`PJNL`, version 1, log kind,
 * two zero bytes) followed by frames:
 *
 * ```
 * offset 0  u32 LE  payload length (1 .. MAX_PAYLOAD)
 * offset 4  u32 LE  CRC32C over bytes [8, 16 + length): the seq and the payload
 * offset 8  u64 LE  sequence number (strictly increasing within a log)
 * offset 16 ...     payload
 * ```
 *
 * Segments are named `<prefix>-<first seq, 20 digits>.log`, so a directory
 * listing sorts them in log order and the name alone tells where a segment
 * starts even when its first record is damaged.
 *
 * {@link scanFrames} walks a segment through a sliding window (memory bounded
 * by the window, not the file), verifies every frame and resynchronises after
 * damage by searching byte by byte for the next frame whose length, sequence
 * number and CRC are all valid.
 *
 * @module
 */

import { crc32c } from "./crc32c.ts";
import { type JournalFile, readAt } from "./fs.ts";

/** Bytes before a frame's payload. */
export const FRAME_HEADER = 16;
/** Largest payload a frame may carry (1 MiB). */
export const MAX_PAYLOAD = 1 << 20;
/** Bytes of the segment header. */
export const SEGMENT_HEADER = 8;
/** Log kind byte of scan segments. */
export const KIND_SCAN = 1;
/** Log kind byte of outcome segments. */
export const KIND_OUTCOME = 2;
/** File-name prefix of scan segments. */
export const SCAN_PREFIX = "scan";
/** File-name prefix of outcome segments. */
export const OUTCOME_PREFIX = "outcome";

const TWO32 = 4294967296;

/** The 8 header bytes of a segment of `kind`. */
export function segmentHeader(kind: number): Uint8Array {
  return new Uint8Array([0x50, 0x4a, 0x4e, 0x4c, 1, kind, 0, 0]);
}

/** True when `buf[0..8)` is a valid header for `kind`. */
export function isSegmentHeader(buf: Uint8Array, at: number, kind: number): boolean {
  return buf[at] === 0x50 && buf[at + 1] === 0x4a && buf[at + 2] === 0x4e &&
    buf[at + 3] === 0x4c && buf[at + 4] === 1 && buf[at + 5] === kind &&
    buf[at + 6] === 0 && buf[at + 7] === 0;
}

/** File name of the segment of log `prefix` whose first seq is `firstSeq`. */
export function segmentName(prefix: string, firstSeq: number): string {
  return `${prefix}-${String(firstSeq).padStart(20, "0")}.log`;
}

/** First seq encoded in a segment file name of log `prefix`, or -1 if the name is not one. */
export function parseSegmentName(prefix: string, name: string): number {
  if (name.length !== prefix.length + 25 || !name.startsWith(prefix + "-")) return -1;
  if (!name.endsWith(".log")) return -1;
  const digits = name.slice(prefix.length + 1, prefix.length + 21);
  if (!/^[0-9]{20}$/.test(digits)) return -1;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : -1;
}

/** Size on disk of a frame carrying `payloadLength` bytes. */
export function frameSize(payloadLength: number): number {
  return FRAME_HEADER + payloadLength;
}

/**
 * Writes one frame (header, seq, payload, CRC) into `dst` at `off`; returns the
 * offset after it. `dst` must have room for {@link frameSize}(payload.length).
 */
export function putFrame(
  dst: Uint8Array,
  dv: DataView,
  off: number,
  seq: number,
  payload: Uint8Array,
): number {
  dv.setUint32(off, payload.length, true);
  dst.set(payload, off + FRAME_HEADER);
  return stampFrame(dst, dv, off, seq);
}

/**
 * Completes the frame at `off` whose length and payload are already in place:
 * writes its seq and CRC; returns the offset after it.
 */
export function stampFrame(dst: Uint8Array, dv: DataView, off: number, seq: number): number {
  const end = off + FRAME_HEADER + dv.getUint32(off, true);
  const low = seq >>> 0; // seq mod 2^32 (seqs are safe integers), without float division
  dv.setUint32(off + 8, low, true);
  dv.setUint32(off + 12, seq > 0xffffffff ? (seq - low) / TWO32 : 0, true);
  dv.setUint32(off + 4, crc32c(dst, off + 8, end), true);
  return end;
}

/** A reusable read window over one file (memory stays at its capacity). */
export class FileWindow {
  /** Window bytes. */
  readonly buf: Uint8Array;
  /** View over {@link buf}. */
  readonly dv: DataView;
  /** File offset of buf[0]. */
  start = 0;
  /** Valid bytes in buf. */
  len = 0;
  #file: JournalFile | null = null;

  /** Window of `capacity` bytes (at least one maximal frame). */
  constructor(capacity: number = MAX_PAYLOAD + (1 << 20)) {
    this.buf = new Uint8Array(Math.max(capacity, MAX_PAYLOAD + FRAME_HEADER));
    this.dv = new DataView(this.buf.buffer);
  }

  /** Points the window at a file (drops what it held). */
  attach(file: JournalFile): void {
    this.#file = file;
    this.start = 0;
    this.len = 0;
  }

  /** Reloads the window to start at `offset`, reading at most `limit - offset` bytes. */
  async fill(offset: number, limit: number): Promise<void> {
    const want = Math.min(this.buf.length, Math.max(0, limit - offset));
    this.start = offset;
    this.len = 0;
    if (want === 0 || !this.#file) return;
    this.len = await readAt(
      this.#file,
      offset,
      want === this.buf.length ? this.buf : this.buf.subarray(0, want),
    );
  }
}

/** Receives what {@link scanFrames} finds. */
export interface FrameSink {
  /** A valid frame: seq, its file offset, payload at `buf[start, end)` (valid during the call only). */
  record(seq: number, offset: number, buf: Uint8Array, start: number, end: number): void;
  /** Damaged bytes `[start, end)`; `tail` when no valid frame follows them. */
  damaged(start: number, end: number, tail: boolean): void;
}

/** Where a scan ended. */
export interface ScanEnd {
  /** Offset after the last valid frame. */
  validEnd: number;
  /** Seq of the last valid frame (or `minSeq - 1`). */
  lastSeq: number;
  /** Valid frames found. */
  frames: number;
}

/**
 * Verifies every frame of `file[from, size)`; frames must carry seqs in
 * `[minSeq, maxSeq]`, strictly increasing. Damage is reported to `sink` and
 * skipped by resynchronising on the next valid frame. Allocates nothing per
 * frame. With `limit`, stops after that many frames (resume at `validEnd`
 * with `minSeq = lastSeq + 1` and `keepWindow`).
 */
export async function scanFrames(
  file: JournalFile,
  w: FileWindow,
  from: number,
  size: number,
  minSeq: number,
  maxSeq: number,
  sink: FrameSink,
  limit: number = Infinity,
  keepWindow = false,
): Promise<ScanEnd> {
  if (!keepWindow) w.attach(file);
  let off = from;
  let prev = minSeq - 1;
  let validEnd = from;
  let frames = 0;
  const buf = w.buf;
  const dv = w.dv;
  // Returns the frame length at `p` if a valid frame starts there, else 0 (or -1 when the window must be refilled).
  const probe = (p: number): number => {
    const i = p - w.start;
    if (i < 0 || i + FRAME_HEADER > w.len) return -1;
    const len = dv.getUint32(i, true);
    if (len < 1 || len > MAX_PAYLOAD || p + FRAME_HEADER + len > size) return 0;
    const hi = dv.getUint32(i + 12, true);
    if (hi >= 0x200000) return 0;
    const seq = hi * TWO32 + dv.getUint32(i + 8, true);
    if (seq <= prev || seq > maxSeq) return 0;
    if (i + FRAME_HEADER + len > w.len) return -1;
    if (crc32c(buf, i + 8, i + FRAME_HEADER + len) !== dv.getUint32(i + 4, true)) return 0;
    return FRAME_HEADER + len;
  };
  const probeFill = async (p: number): Promise<number> => {
    let r = probe(p);
    if (r < 0) {
      await w.fill(p, size);
      r = probe(p);
      if (r < 0) r = 0;
    }
    return r;
  };
  while (off < size && frames < limit) {
    let r = probe(off);
    if (r < 0) r = await probeFill(off);
    if (r > 0) {
      const i = off - w.start;
      const seq = dv.getUint32(i + 12, true) * TWO32 + dv.getUint32(i + 8, true);
      sink.record(seq, off, buf, i + FRAME_HEADER, i + r);
      prev = seq;
      off += r;
      validEnd = off;
      frames++;
      continue;
    }
    // Damage at `off`: search for the next valid frame.
    let p = off + 1;
    let found = -1;
    while (p + FRAME_HEADER <= size) {
      let q = probe(p);
      if (q < 0) q = await probeFill(p);
      if (q > 0) {
        found = p;
        break;
      }
      p++;
    }
    if (found < 0) {
      sink.damaged(off, size, true);
      break;
    }
    sink.damaged(off, found, false);
    off = found;
  }
  return { validEnd, lastSeq: prev, frames };
}
