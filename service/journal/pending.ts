/**
 * Reading pending records from the index: the batch for the sync engine and
 * the read time of the oldest one (for `stats().oldestPendingMs`).
 *
 * @module
 */

import { toJournalError } from "./errors.ts";
import type { JournalFs } from "./fs.ts";
import { NO_OFFSET, type ScanIndex, type ScanSegment } from "./index.ts";
import { ST_PENDING } from "./outcome_codec.ts";
import { RecordReader } from "./reader.ts";
import { decodeScan, scanEpochMs } from "./scan_codec.ts";
import type { ScanRecord } from "./types.ts";

/**
 * Up to `limit` pending records, oldest first. A record that no longer reads
 * back intact is reported through `lost` (and skipped).
 */
export async function readPending(
  fs: JournalFs,
  dir: string,
  index: ScanIndex,
  limit: number,
  lost: (seg: ScanSegment, slot: number, what: string) => void,
): Promise<ScanRecord[]> {
  const out: ScanRecord[] = [];
  if (limit <= 0) return out;
  const reader = new RecordReader(fs, dir, 64 * 1024);
  try {
    for (const seg of index.segments.slice()) {
      if (seg.pending === 0) continue;
      try {
        await reader.open(seg.name);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) continue;
        throw toJournalError(err, `reading ${seg.name}`);
      }
      const n = seg.slots;
      // Skip the delivered head of the segment once, not on every call.
      let first = seg.firstPending;
      while (first < n && seg.states[first] !== ST_PENDING) first++;
      seg.firstPending = first;
      for (let i = first; i < n && out.length < limit; i++) {
        if (seg.states[i] !== ST_PENDING) continue;
        const seq = seg.firstSeq + i;
        const rec = (await reader.read(seg.offsets[i]!, seq))
          ? decodeScan(reader.buf, reader.start, reader.end, seq)
          : null;
        if (rec) out.push(rec);
        else lost(seg, i, `record ${seq} in ${seg.name} is unreadable (damaged after open)`);
      }
      if (out.length >= limit) break;
    }
  } finally {
    reader.close();
  }
  return out;
}

/** The oldest pending record's seq and read time (reads it only when it changed), or null. */
export async function oldestPending(
  fs: JournalFs,
  dir: string,
  index: ScanIndex,
  prev: { seq: number; epochMs: number } | null,
): Promise<{ seq: number; epochMs: number } | null> {
  for (const seg of index.segments) {
    if (seg.pending === 0) continue;
    const i = seg.states.indexOf(ST_PENDING);
    if (i < 0 || i >= seg.slots) continue;
    const seq = seg.firstSeq + i;
    if (prev?.seq === seq) return prev;
    const reader = new RecordReader(fs, dir, 4096);
    try {
      await reader.open(seg.name);
      if (await reader.read(seg.offsets[i]!, seq)) {
        const dv = new DataView(reader.buf.buffer, reader.buf.byteOffset);
        return { seq, epochMs: scanEpochMs(dv, reader.start, reader.end) };
      }
    } catch {
      // unreadable now: keep the previous value
    } finally {
      reader.close();
    }
    return prev;
  }
  return null;
}

/**
 * Read time of the newest record still on disk (for noticing a clock that
 * went backwards across a restart), or null when there is none.
 */
export async function newestEpochMs(
  fs: JournalFs,
  dir: string,
  index: ScanIndex,
): Promise<number | null> {
  for (let k = index.segments.length - 1; k >= 0; k--) {
    const seg = index.segments[k]!;
    for (let i = seg.slots - 1; i >= 0; i--) {
      const off = seg.offsets[i]!;
      if (off === NO_OFFSET) continue;
      const reader = new RecordReader(fs, dir, 4096);
      try {
        await reader.open(seg.name);
        if (await reader.read(off, seg.firstSeq + i)) {
          const dv = new DataView(reader.buf.buffer, reader.buf.byteOffset);
          return scanEpochMs(dv, reader.start, reader.end);
        }
      } catch {
        // unreadable: try the one before
      } finally {
        reader.close();
      }
    }
  }
  return null;
}
