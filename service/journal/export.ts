/**
 * Streaming export of journal records with their state, and the read-only
 * {@link exportJournal} used by `cli export` while the agent is writing.
 *
 * Only the index (about 5 bytes per record) and one read window are in memory;
 * rows are decoded one at a time.
 *
 * @module
 */

import { FileWindow } from "./frame.ts";
import { denoFs, type JournalFs } from "./fs.ts";
import type { ScanIndex } from "./index.ts";
import {
  ST_ACCEPTED,
  ST_CLEARED,
  ST_DUPLICATE,
  ST_MISSING,
  ST_PENDING,
  ST_REJECTED,
} from "./outcome_codec.ts";
import { RecordReader } from "./reader.ts";
import { listDir, loadOutcomeLog, loadScanLog, RecoveryReport } from "./recovery.ts";
import { decodeScan } from "./scan_codec.ts";
import type { ExportOptions, ExportRow, Outcome, RecordState } from "./types.ts";

/** Public state name of a state code (null for missing). */
export function stateName(st: number): RecordState | null {
  if (st === ST_PENDING) return "pending";
  if (st === ST_ACCEPTED || st === ST_DUPLICATE) return "synced";
  if (st === ST_REJECTED || st === ST_CLEARED) return "rejected";
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
  try {
    for (const seg of index.segments.slice()) {
      if (want === "pending" && seg.pending === 0) continue;
      if (want === "rejected" && seg.rejected + seg.cleared === 0) continue;
      if (want === "synced" && seg.synced === 0) continue;
      try {
        await reader.open(seg.name);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) continue;
        throw err;
      }
      const n = seg.slots;
      for (let i = 0; i < n; i++) {
        const st = seg.states[i]!;
        if (st === ST_MISSING) continue;
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
        const rec = decodeScan(reader.buf, reader.start, reader.end, seq);
        if (!rec) {
          onDamaged?.(seq, `record ${seq} in ${seg.name} has an unknown payload`);
          continue;
        }
        if (since !== undefined && rec.epochMs < since) continue;
        const row = rec as ExportRow;
        row.state = state;
        const detail = seg.details?.get(seq);
        let outcome: Outcome | undefined;
        if (st === ST_ACCEPTED) outcome = { kind: "accepted" };
        else if (st === ST_DUPLICATE) outcome = detail ?? { kind: "duplicate" };
        else if (detail) outcome = detail;
        if (outcome) row.outcome = outcome;
        if (outcome?.kind === "rejected") {
          row.error = st === ST_CLEARED ? `${outcome.message} (cleared)` : outcome.message;
        }
        yield row;
      }
    }
  } finally {
    reader.close();
  }
}

/**
 * Read-only export of a journal directory another process may be writing
 * (for `cli export` while the agent runs). Takes no lock, changes no file,
 * tolerates a partially written tail and skips damaged records. Streams:
 * memory is the index (about 5 bytes per record) plus one read window.
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
  const logger = () => {};
  let index: ScanIndex | null = null;
  const window = new FileWindow();
  for (let attempt = 0; attempt < 5 && !index; attempt++) {
    const listing = await listDir(fs, dir);
    const ctx = { fs, dir, window, logger, repair: false, report: new RecoveryReport() };
    const idx = await loadScanLog(ctx, listing.scan);
    const out = await loadOutcomeLog(ctx, listing.outcome, idx);
    // A vanished outcome segment means the writer compacted meanwhile: list again.
    if (out.missing === 0 || attempt === 4) index = idx;
  }
  yield* exportRows(fs, dir, index!, opts);
}
