/**
 * Opening a journal directory: reads every segment of both logs, verifies
 * every frame, and builds the in-memory index.
 *
 * - Torn, short or zeroed tail of the last segment of a log: truncated to the
 *   last valid frame; the cut bytes are kept in `<segment>.broken`.
 * - Any other damage (bit rot in the middle, a bad header, a torn tail in an
 *   older segment): every valid frame before and after it is kept (resync on
 *   the next valid frame), the original file is kept as `<segment>.corrupt`
 *   (hard link, so no moment exists without the segment's name), and a
 *   cleaned copy replaces it (temp file, fsync, rename, directory fsync).
 * - With `repair: false` (read-only export while the agent writes) nothing is
 *   changed: damage is skipped and a partial tail is simply not read.
 *
 * Nothing here throws on damage; failures to repair are reported as problems
 * (the journal then reports itself degraded) and the records found are used.
 *
 * @module
 */

import { classify, errnoOf } from "./errors.ts";
import {
  FileWindow,
  FRAME_HEADER,
  isSegmentHeader,
  KIND_OUTCOME,
  KIND_SCAN,
  OUTCOME_PREFIX,
  parseSegmentName,
  SCAN_PREFIX,
  scanFrames,
  SEGMENT_HEADER,
  segmentHeader,
} from "./frame.ts";
import { type JournalFile, type JournalFs, readAt, writeAll } from "./fs.ts";
import { NO_OFFSET, ScanIndex, ScanSegment } from "./index.ts";
import { decodeEntries, RecState } from "./outcome_codec.ts";
import { payloadKind } from "./scan_codec.ts";
import type { JournalLogger } from "./types.ts";

/** A segment file found in the directory. */
export interface SegmentFile {
  /** File name. */
  name: string;
  /** First seq from the name. */
  firstSeq: number;
}

/** The journal directory's files, sorted. */
export interface Listing {
  /** Scan segments, oldest first. */
  scan: SegmentFile[];
  /** Outcome segments, oldest first. */
  outcome: SegmentFile[];
  /** Leftover `*.tmp` files (segments never renamed in). */
  temps: string[];
}

/** Lists a journal directory. */
export async function listDir(fs: JournalFs, dir: string): Promise<Listing> {
  const scan: SegmentFile[] = [];
  const outcome: SegmentFile[] = [];
  const temps: string[] = [];
  for await (const e of fs.readDir(dir)) {
    if (!e.isFile) continue;
    if (e.name.endsWith(".tmp")) temps.push(e.name);
    let n = parseSegmentName(SCAN_PREFIX, e.name);
    if (n >= 0) scan.push({ name: e.name, firstSeq: n });
    n = parseSegmentName(OUTCOME_PREFIX, e.name);
    if (n >= 0) outcome.push({ name: e.name, firstSeq: n });
  }
  scan.sort((a, b) => a.firstSeq - b.firstSeq);
  outcome.sort((a, b) => a.firstSeq - b.firstSeq);
  return { scan, outcome, temps };
}

/** What recovery found and did. */
export class RecoveryReport {
  /** Damaged regions found (not counting torn tails of a log's last segment). */
  corruptions = 0;
  /** Description of the last one. */
  lastCorruption: string | undefined;
  /** Torn tails truncated. */
  truncatedTails = 0;
  /** Bytes cut from torn tails. */
  truncatedBytes = 0;
  /** Repairs that could not be done (the journal reports itself degraded). */
  problems: string[] = [];
}

/** Shared state of one recovery run. */
export interface RecoveryContext {
  /** File layer. */
  fs: JournalFs;
  /** Journal directory. */
  dir: string;
  /** Scan window (reused across segments). */
  window: FileWindow;
  /** Log sink. */
  logger: JournalLogger;
  /** False: read-only, change nothing. */
  repair: boolean;
  /** Findings. */
  report: RecoveryReport;
}

/** Smallest scan frame: header plus the fixed part of a scan payload. */
export const MIN_SCAN_FRAME = 16 + 24;

interface Damage {
  start: number;
  end: number;
  tail: boolean;
}

/** Loads the scan log into a new index. */
export async function loadScanLog(ctx: RecoveryContext, files: SegmentFile[]): Promise<ScanIndex> {
  const index = new ScanIndex();
  // One scratch index sized for the largest segment (a frame is at least
  // MIN_SCAN_FRAME bytes), reused for every segment, then copied to exact size:
  // growing arrays per segment left ~20 MB of freed-but-resident garbage at 1M records.
  let maxSize = 0;
  for (const f of files) {
    try {
      maxSize = Math.max(maxSize, (await ctx.fs.stat(`${ctx.dir}/${f.name}`)).size);
    } catch {
      // gone or unreadable: handled below
    }
  }
  const cap = Math.ceil(maxSize / MIN_SCAN_FRAME) + 16;
  const scratch = { offsets: new Uint32Array(cap), states: new Uint8Array(cap) };
  for (let k = 0; k < files.length; k++) {
    const f = files[k]!;
    const isLast = k === files.length - 1;
    const maxSeq = isLast ? Number.MAX_SAFE_INTEGER : files[k + 1]!.firstSeq - 1;
    const seg = new ScanSegment(f.name, f.firstSeq, 0, scratch);
    // Gate events are final as written; a scan still held when the agent stopped
    // (its passage never known) comes back pending and is sent.
    const offsets = {
      add: (seq: number, off: number, buf?: Uint8Array, s?: number) =>
        seg.add(seq, off, buf && payloadKind(buf, s!) > 0 ? RecState.EVENT : RecState.PENDING),
    };
    const ok = await loadSegment(ctx, f, KIND_SCAN, isLast, maxSeq, offsets, () => {
      const list: number[] = [];
      for (let i = 0; i < seg.slots; i++) {
        if (seg.offsets[i] !== NO_OFFSET) list.push(i);
      }
      return {
        count: list.length,
        offsetAt: (j) => seg.offsets[list[j]!]!,
        setOffset: (j, off) => void (seg.offsets[list[j]!] = off),
      };
    });
    if (ok === null) continue;
    seg.size = ok;
    seg.sealed = !isLast;
    seg.trim(isLast ? 4096 : 0);
    if (seg.offsets === scratch.offsets) seg.trim(1); // never keep the shared scratch
    index.segments.push(seg);
  }
  return index;
}

/** Result of loading the outcome log. */
export interface OutcomeLoad {
  /** Last outcome-log seq (0 when none). */
  lastSeq: number;
  /** Committed size of the last outcome segment (-1 when none). */
  lastSize: number;
  /** Outcome-log frames whose payload could not be decoded. */
  malformed: number;
  /** Listed outcome segments that were gone when opened (compacted meanwhile). */
  missing: number;
}

/** Replays the outcome log onto `index`. */
export async function loadOutcomeLog(
  ctx: RecoveryContext,
  files: SegmentFile[],
  index: ScanIndex,
): Promise<OutcomeLoad> {
  let lastSeq = 0;
  let lastSize = -1;
  let malformed = 0;
  let missing = 0;
  const apply = index.apply.bind(index);
  for (let k = 0; k < files.length; k++) {
    const f = files[k]!;
    const isLast = k === files.length - 1;
    const maxSeq = isLast ? Number.MAX_SAFE_INTEGER : files[k + 1]!.firstSeq - 1;
    const offs: number[] = [];
    const dv = ctx.window.dv;
    const sink = {
      add: (seq: number, off: number, buf?: Uint8Array, s?: number, e?: number) => {
        offs.push(off);
        lastSeq = seq;
        if (buf && !decodeEntries(buf, dv, s!, e!, apply)) malformed++;
      },
    };
    const size = await loadSegment(ctx, f, KIND_OUTCOME, isLast, maxSeq, sink, () => ({
      count: offs.length,
      offsetAt: (j) => offs[j]!,
      setOffset: (j, off) => void (offs[j] = off),
    }));
    if (size === null) missing++;
    else if (isLast) lastSize = size;
    if (lastSeq < f.firstSeq - 1) lastSeq = f.firstSeq - 1;
  }
  if (malformed > 0) {
    ctx.report.corruptions += malformed;
    ctx.report.lastCorruption =
      `${malformed} outcome frame(s) with a valid CRC but unreadable content`;
    ctx.logger("error", "journal: outcome log holds unreadable entries", { malformed });
  }
  return { lastSeq, lastSize, malformed, missing };
}

interface FrameList {
  count: number;
  offsetAt(j: number): number;
  setOffset(j: number, off: number): void;
}

/**
 * Scans one segment, repairing it as described in the module doc. Returns its
 * committed size (bytes the index may read), or null if it cannot be read.
 */
async function loadSegment(
  ctx: RecoveryContext,
  f: SegmentFile,
  kind: number,
  isLast: boolean,
  maxSeq: number,
  sink: { add(seq: number, off: number, buf?: Uint8Array, s?: number, e?: number): void },
  frames: () => FrameList,
): Promise<number | null> {
  const { fs, dir, logger } = ctx;
  const path = `${dir}/${f.name}`;
  let file: JournalFile;
  let writable = ctx.repair;
  try {
    file = await fs.open(path, { read: true, write: ctx.repair });
  } catch (err) {
    if (errnoOf(err) === "ENOENT" || err instanceof Deno.errors.NotFound) return null;
    const code = classify(err);
    if (ctx.repair && (code === "read-only" || code === "permission")) {
      // Fine while the segment is clean; a needed repair is reported below.
      writable = false;
      file = await fs.open(path, { read: true });
    } else throw err;
  }
  try {
    const size = (await file.stat()).size;
    const head = new Uint8Array(SEGMENT_HEADER);
    const got = await readAt(file, 0, head);
    const headerOk = got === SEGMENT_HEADER && isSegmentHeader(head, 0, kind);
    const damage: Damage[] = [];
    const w = ctx.window;
    const end = await scanFrames(file, w, SEGMENT_HEADER, size, f.firstSeq, maxSeq, {
      record: (seq, off, buf, s, e) => sink.add(seq, off, buf, s, e),
      damaged: (start, e, tail) => void damage.push({ start, end: e, tail }),
    });
    if (headerOk && damage.length === 0) return size;
    if (ctx.repair && !writable) {
      const msg = `cannot repair ${
        describe(f.name, headerOk, damage)
      }: the disk is read-only or the file not writable`;
      ctx.report.problems.push(msg);
      logger("error", `journal: ${msg}`);
    }
    if (!writable) {
      // Read-only: a partial tail of the last segment is a write in progress; all else is skipped.
      return isLast && damage.length === 1 && damage[0]!.tail && headerOk ? end.validEnd : size;
    }
    if (headerOk && isLast && damage.length === 1 && damage[0]!.tail) {
      return await cutTail(ctx, file, path, f.name, damage[0]!.start, size);
    }
    const what = describe(f.name, headerOk, damage);
    ctx.report.corruptions += damage.length + (headerOk ? 0 : 1);
    ctx.report.lastCorruption = what;
    logger("error", `journal: corruption quarantined: ${what}`, { segment: f.name });
    try {
      return await rewriteClean(ctx, file, f.name, kind, frames());
    } catch (err) {
      const msg = `could not quarantine ${f.name}: ${(err as Error).message}`;
      ctx.report.problems.push(msg);
      logger("error", `journal: ${msg}`);
      return size;
    }
  } finally {
    file.close();
  }
}

function describe(name: string, headerOk: boolean, damage: Damage[]): string {
  const parts = damage.map((d) =>
    `${d.end - d.start} bytes at offset ${d.start}${d.tail ? " (tail)" : ""}`
  );
  if (!headerOk) parts.unshift("bad segment header");
  return `${name}: ${parts.join(", ")}`;
}

async function freeName(fs: JournalFs, dir: string, base: string): Promise<string> {
  for (let n = 1;; n++) {
    const name = n === 1 ? base : `${base}.${n}`;
    try {
      await fs.stat(`${dir}/${name}`);
    } catch {
      return name;
    }
  }
}

/** Truncates a torn tail at `at`, keeping the cut bytes in `<name>.broken`. */
async function cutTail(
  ctx: RecoveryContext,
  file: JournalFile,
  path: string,
  name: string,
  at: number,
  size: number,
): Promise<number> {
  const { fs, dir, logger, report } = ctx;
  const cut = size - at;
  try {
    const bytes = new Uint8Array(cut);
    await readAt(file, at, bytes);
    const broken = await freeName(fs, dir, `${name}.broken`);
    const b = await fs.open(`${dir}/${broken}`, { write: true, createNew: true });
    try {
      await writeAll(b, bytes);
      await b.sync();
    } finally {
      b.close();
    }
    await file.truncate(at);
    await file.sync();
    await fs.syncDir(dir);
    report.truncatedTails++;
    report.truncatedBytes += cut;
    logger(
      "warn",
      `journal: torn tail of ${name} cut: ${cut} bytes at offset ${at} kept in ${broken}`,
      {
        segment: name,
        offset: at,
        bytes: cut,
        keptIn: broken,
      },
    );
  } catch (err) {
    const msg = `could not cut the torn tail of ${name} (${cut} bytes at ${at}): ${
      (err as Error).message
    }`;
    report.problems.push(msg);
    logger("error", `journal: ${msg}`, { path });
  }
  return at;
}

/**
 * Writes a copy of the segment holding only its valid frames, keeps the
 * original as `<name>.corrupt` and puts the copy in its place. Updates the
 * frame offsets to the new file; returns its size.
 */
async function rewriteClean(
  ctx: RecoveryContext,
  src: JournalFile,
  name: string,
  kind: number,
  frames: FrameList,
): Promise<number> {
  const { fs, dir } = ctx;
  const tmpPath = `${dir}/${name}.tmp`;
  const out = await fs.open(tmpPath, { write: true, create: true, truncate: true });
  const chunk = new Uint8Array(1 << 20);
  let fill = 0;
  let pos = 0;
  const head = new Uint8Array(FRAME_HEADER);
  try {
    chunk.set(segmentHeader(kind), 0);
    fill = SEGMENT_HEADER;
    pos = SEGMENT_HEADER;
    for (let j = 0; j < frames.count; j++) {
      const off = frames.offsetAt(j);
      await readAt(src, off, head);
      const len = FRAME_HEADER + new DataView(head.buffer).getUint32(0, true);
      if (fill + len > chunk.length) {
        await writeAll(out, chunk.subarray(0, fill));
        fill = 0;
      }
      const frame = len <= chunk.length ? chunk.subarray(fill, fill + len) : new Uint8Array(len);
      await readAt(src, off, frame);
      if (len > chunk.length) await writeAll(out, frame);
      else fill += len;
      frames.setOffset(j, pos);
      pos += len;
    }
    if (fill > 0) await writeAll(out, chunk.subarray(0, fill));
    await out.sync();
  } finally {
    out.close();
  }
  const corrupt = await freeName(fs, dir, `${name}.corrupt`);
  await fs.link(`${dir}/${name}`, `${dir}/${corrupt}`);
  await fs.rename(tmpPath, `${dir}/${name}`);
  await fs.syncDir(dir);
  ctx.logger(
    "warn",
    `journal: ${name} rewritten without its damaged bytes; original kept as ${corrupt}`,
  );
  return pos;
}
