/**
 * Streaming export of journal records with their state, and the read-only
 * {@link exportJournal} used by `cli export` while the agent is writing.
 *
 * Only the index (about 5 bytes per record) and one read window are in memory;
 * rows are decoded one at a time.
 *
 * @module
 */

import { FileWindow, scanFrames, SEGMENT_HEADER } from "./frame.ts";
import { denoFs, type JournalFile, type JournalFs } from "./fs.ts";
import { ScanIndex, ScanSegment } from "./index.ts";
import { RecState } from "./outcome_codec.ts";
import { RecordReader } from "./reader.ts";
import {
  listDir,
  loadOutcomeLog,
  MIN_SCAN_FRAME,
  RecoveryReport,
  type SegmentFile,
} from "./recovery.ts";
import { EVENT_KINDS, payloadHeld, payloadKind, ScanDecoder } from "./scan_codec.ts";
import type {
  ExportOptions,
  ExportRow,
  GateNote,
  Outcome,
  RecordState,
  ScanRecord,
} from "./types.ts";

/** Public state name of a state code (null for missing). */
export function stateName(st: number): RecordState | null {
  if (st === RecState.PENDING) return "pending";
  if (st === RecState.ACCEPTED || st === RecState.DUPLICATE) return "synced";
  if (st === RecState.REJECTED || st === RecState.CLEARED) return "rejected";
  if (st === RecState.EVENT) return "event";
  if (st === RecState.HELD) return "held";
  if (st === RecState.NOT_PASSED) return "not-passed";
  return null;
}

/** Streams the rows of an index (see {@link exportJournal}); `onDamaged` hears of unreadable records. */
export async function* exportRows(
  fs: JournalFs,
  dir: string,
  index: ScanIndex,
  opts: ExportOptions = {},
  onDamaged?: (seq: number, why: string) => void,
): AsyncGenerator<ExportRow> {
  const want = opts.state;
  const since = opts.since;
  const reader = new RecordReader(fs, dir);
  const decoder = new ScanDecoder();
  try {
    for (const seg of index.segments.slice()) {
      if (want === "pending" && seg.pending === 0) continue;
      if (want === "rejected" && seg.rejected + seg.cleared === 0) continue;
      if (want === "synced" && seg.synced === 0) continue;
      if (want === "event" && seg.events === 0) continue;
      try {
        await reader.open(seg.name);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) continue;
        throw err;
      }
      const n = seg.slots;
      for (let i = 0; i < n; i++) {
        const st = seg.states[i]!;
        if (st === RecState.MISSING) continue;
        const state = stateName(st)!;
        if (want && state !== want) continue;
        const seq = seg.firstSeq + i;
        const off = seg.offsets[i]!;
        let ok = reader.tryRead(off, seq);
        if (ok < 0) ok = (await reader.read(off, seq)) ? 1 : 0;
        if (ok !== 1) {
          onDamaged?.(seq, `record ${seq} in ${seg.name} at offset ${off} is unreadable`);
          continue;
        }
        const rec = decoder.decode(reader.buf, reader.start, reader.end, seq);
        if (!rec) {
          onDamaged?.(seq, `record ${seq} in ${seg.name} has an unknown payload`);
          continue;
        }
        if (since !== undefined && rec.epochMs < since) continue;
        const kind = payloadKind(reader.buf, reader.start);
        yield toRow(rec, st, state, seg.details?.get(seq), seg.gates?.get(seq), kind);
      }
    }
  } finally {
    reader.close();
  }
}

/**
 * Read-only export of a journal directory another process may be writing
 * (for `cli export` while the agent runs). Takes no lock, changes no file,
 * tolerates a partially written tail and skips damaged records. Streams: the
 * outcome log is replayed into one state byte per record, then each scan
 * segment is read front to back through one window, about 1,000 rows at a time.
 *
 * @example
 * ```ts
 * for await (const row of exportJournal("/var/lib/pontaj/journal", { state: "rejected" })) {
 *   console.log(row.seq, row.rfidTag, row.error);
 * }
 * ```
 */
export async function* exportJournal(
  dir: string,
  opts: ExportOptions = {},
): AsyncGenerator<ExportRow> {
  const fs = denoFs;
  const window = new FileWindow(0); // the smallest that holds a maximal frame (~1 MiB)
  let listing = await listDir(fs, dir);
  let index = new ScanIndex();
  for (let attempt = 0; attempt < 5; attempt++) {
    index = await stateIndex(fs, dir, listing.scan);
    const ctx = { fs, dir, window, logger: () => {}, repair: false, report: new RecoveryReport() };
    const out = await loadOutcomeLog(ctx, listing.outcome, index);
    // A vanished outcome segment means the writer compacted meanwhile: list again.
    if (out.missing === 0) break;
    listing = await listDir(fs, dir);
  }
  const want = opts.state;
  const since = opts.since;
  const decoder = new ScanDecoder();
  for (let k = 0; k < listing.scan.length; k++) {
    const seg = index.segments[k]!;
    if (want === "pending" && seg.pending === 0) continue;
    if (want === "rejected" && seg.rejected + seg.cleared === 0) continue;
    if (want === "synced" && seg.synced === 0) continue;
    let file: JournalFile;
    try {
      file = await fs.open(`${dir}/${seg.name}`, { read: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    try {
      const size = (await file.stat()).size;
      const next = listing.scan[k + 1];
      const maxSeq = next ? next.firstSeq - 1 : Number.MAX_SAFE_INTEGER;
      const batch: ExportRow[] = [];
      const sink = {
        record: (seq: number, _off: number, buf: Uint8Array, s: number, e: number) => {
          const i = seq - seg.firstSeq;
          // The state index knows outcomes only: an event is one by its payload.
          const kind = payloadKind(buf, s);
          let st = kind > 0 ? RecState.EVENT : i < seg.slots ? seg.states[i]! : RecState.PENDING;
          if (st === RecState.PENDING && payloadHeld(buf, s)) st = RecState.HELD;
          const state = stateName(st);
          if (!state || (want && state !== want)) return;
          const rec = decoder.decode(buf, s, e, seq);
          if (!rec || (since !== undefined && rec.epochMs < since)) return;
          batch.push(toRow(rec, st, state, seg.details?.get(seq), seg.gates?.get(seq), kind));
        },
        damaged: () => {},
      };
      let from = SEGMENT_HEADER;
      let minSeq = seg.firstSeq;
      let first = true;
      while (from < size) {
        const end = await scanFrames(file, window, from, size, minSeq, maxSeq, sink, 16, !first);
        first = false;
        for (const row of batch) yield row;
        batch.length = 0;
        if (end.frames === 0) break;
        from = end.validEnd;
        minSeq = end.lastSeq + 1;
      }
    } finally {
      file.close();
    }
  }
}

/** Segments with one state byte per possible seq (no offsets), all pending until outcomes apply. */
async function stateIndex(fs: JournalFs, dir: string, files: SegmentFile[]): Promise<ScanIndex> {
  const index = new ScanIndex();
  for (let k = 0; k < files.length; k++) {
    const f = files[k]!;
    let size = 0;
    try {
      size = (await fs.stat(`${dir}/${f.name}`)).size;
    } catch {
      // gone: an empty segment
    }
    const bound = Math.ceil(size / MIN_SCAN_FRAME) + 1;
    const next = files[k + 1];
    const slots = next ? Math.min(next.firstSeq - f.firstSeq, bound) : bound;
    const seg = new ScanSegment(f.name, f.firstSeq, 0, {
      offsets: new Uint32Array(0),
      states: new Uint8Array(slots),
    });
    seg.states.fill(RecState.PENDING);
    seg.slots = slots;
    seg.pending = slots;
    index.segments.push(seg);
  }
  return index;
}

function toRow(
  rec: ScanRecord,
  st: number,
  state: RecordState,
  detail: Outcome | undefined,
  gate: GateNote | undefined,
  kind: number,
): ExportRow {
  const row = rec as ExportRow;
  row.state = state;
  const event = kind > 0 ? EVENT_KINDS[kind] : "";
  if (event) row.event = event;
  if (gate) row.gate = gate;
  let outcome: Outcome | undefined;
  if (st === RecState.ACCEPTED) outcome = { kind: "accepted" };
  else if (st === RecState.DUPLICATE) outcome = detail ?? { kind: "duplicate" };
  else if (detail) outcome = detail;
  if (outcome) row.outcome = outcome;
  if (outcome?.kind === "rejected") {
    row.error = st === RecState.CLEARED ? `${outcome.message} (cleared)` : outcome.message;
  }
  return row;
}
