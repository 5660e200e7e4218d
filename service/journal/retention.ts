/**
 * Retention of finished scan segments: delete, or gzip (the native
 * `CompressionStream`, streamed in 64 KiB chunks) into `archive/` and delete; archived files older than
 * `archiveDays` are removed. Damaged bytes that recovery set aside are removed
 * after `keepDamagedDays`.
 *
 * @module
 */

import type { JournalFile, JournalFs } from "./fs.ts";
import { writeAll } from "./fs.ts";
import type { ScanIndex } from "./index.ts";
import type { JournalLogger } from "./types.ts";

/** Name of the archive subdirectory. */
export const ARCHIVE_DIR = "archive";

/** Bytes read from a segment per step while archiving: the archiver's whole input buffer. */
export const ARCHIVE_CHUNK = 64 * 1024;

/** FLG.FNAME of a gzip header (RFC 1952 §2.3.1): a zero-terminated file name follows the 10 fixed bytes. */
const GZIP_FNAME = 0x08;

/**
 * Gzips `<dir>/<name>` into `<dir>/archive/<name>.gz` (temp file, fsync,
 * rename, directory fsync). Returns the archive's path.
 *
 * Compression is the runtime's native `CompressionStream("gzip")` (zlib,
 * level 6): it loads no module, and its state is freed when the stream ends.
 * The segment is read through one reused {@link ARCHIVE_CHUNK} buffer, and the
 * compressed chunks are written out as they come, so at most about one chunk
 * in and one out is held at a time. The header carries the segment's name
 * (FNAME), as the earlier fflate archives did.
 */
export async function archiveSegment(fs: JournalFs, dir: string, name: string): Promise<string> {
  const adir = `${dir}/${ARCHIVE_DIR}`;
  await fs.mkdir(adir);
  const final = `${adir}/${name}.gz`;
  const tmp = `${final}.tmp`;
  const src = await fs.open(`${dir}/${name}`, { read: true });
  const out = await fs.open(tmp, { write: true, create: true, truncate: true });
  const gz = new CompressionStream("gzip");
  const writer = gz.writable.getWriter();
  try {
    const drained = writeGzipOut(gz.readable, out, name);
    drained.catch(() => {}); // awaited below; a failure there also fails a pending write
    const buf = new Uint8Array(ARCHIVE_CHUNK);
    for (;;) {
      const n = await src.read(buf);
      if (n === null || n === 0) break;
      // the transform copies the chunk into zlib before this resolves: buf is free again
      await writer.write(buf.subarray(0, n));
    }
    await writer.close();
    await drained;
    await out.sync();
  } catch (err) {
    await writer.abort(err).catch(() => {});
    out.close();
    src.close();
    await fs.remove(tmp).catch(() => {});
    throw err;
  }
  out.close();
  src.close();
  await fs.rename(tmp, final);
  await fs.syncDir(adir);
  return final;
}

/** Writes the gzip stream `from` to `out`, the file name `name` added to its header. */
async function writeGzipOut(
  from: ReadableStream<Uint8Array>,
  out: JournalFile,
  name: string,
): Promise<void> {
  const head = new Uint8Array(10);
  let got = 0; // bytes of the fixed header seen so far
  for await (const chunk of from) {
    if (got === 10) {
      await writeAll(out, chunk);
      continue;
    }
    const take = Math.min(10 - got, chunk.length);
    head.set(chunk.subarray(0, take), got);
    got += take;
    if (got < 10) continue;
    // the native header has no optional fields (FLG 0): set FNAME, put the name after the 10 bytes
    head[3] = (head[3]! | GZIP_FNAME) & 0xff;
    await writeAll(out, head);
    await writeAll(out, latin1z(name));
    if (take < chunk.length) await writeAll(out, chunk.subarray(take));
  }
  if (got < 10) throw new Error("gzip stream ended inside its header");
}

/** `s` as ISO 8859-1 bytes with a terminating zero (gzip's FNAME); other characters become `?`. */
function latin1z(s: string): Uint8Array {
  const b = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[i] = c > 0 && c < 256 ? c : 0x3f;
  }
  return b;
}

/** Removes archived segments last modified more than `days` days before `nowMs`; returns how many. */
export async function expireArchive(
  fs: JournalFs,
  dir: string,
  days: number,
  nowMs: number,
): Promise<number> {
  const adir = `${dir}/${ARCHIVE_DIR}`;
  const cutoff = nowMs - days * 86_400_000;
  let removed = 0;
  try {
    for await (const e of fs.readDir(adir)) {
      if (e.isFile && e.name.endsWith(".gz.tmp")) {
        // left by a crash while archiving; the segment itself was not deleted
        await fs.remove(`${adir}/${e.name}`).catch(() => {});
        continue;
      }
      if (!e.isFile || !e.name.endsWith(".gz")) continue;
      const st = await fs.stat(`${adir}/${e.name}`);
      if (st.mtime && st.mtime.getTime() < cutoff) {
        await fs.remove(`${adir}/${e.name}`);
        removed++;
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
  if (removed > 0) await fs.syncDir(adir);
  return removed;
}

/** What recovery sets aside: `<segment>.broken` / `.corrupt`, with `.N` when the name was taken. */
const DAMAGED_RE = /\.(broken|corrupt)(\.\d+)?$/;

/**
 * Removes the files recovery set aside (`*.broken`, `*.corrupt`) more than
 * `days` days before `nowMs`, counted from the inode change time (when the
 * file was created or linked there: a `.corrupt` keeps the old segment's
 * modification time). Returns the names removed.
 */
export async function expireDamaged(
  fs: JournalFs,
  dir: string,
  days: number,
  nowMs: number,
): Promise<string[]> {
  const cutoff = nowMs - days * 86_400_000;
  const removed: string[] = [];
  for await (const e of fs.readDir(dir)) {
    if (!e.isFile || !DAMAGED_RE.test(e.name)) continue;
    const st = await fs.stat(`${dir}/${e.name}`);
    const since = st.ctime ?? st.mtime;
    if (since && since.getTime() < cutoff) {
      await fs.remove(`${dir}/${e.name}`);
      removed.push(e.name);
    }
  }
  if (removed.length > 0) await fs.syncDir(dir);
  return removed;
}

/**
 * Deletes (or archives, then deletes) every sealed scan segment whose records
 * all have a final outcome, fsyncs the directory, and with `expire` removes
 * archives older than `archiveDays`. Failures are logged and retried next time.
 */
export async function retireFinished(
  fs: JournalFs,
  dir: string,
  index: ScanIndex,
  log: JournalLogger,
  o: { archive: boolean; archiveDays: number; expire: boolean; nowMs: number },
): Promise<void> {
  let removed = 0;
  for (const seg of index.segments.slice()) {
    if (!seg.sealed || seg.open > 0) continue;
    try {
      if (o.archive) await archiveSegment(fs, dir, seg.name);
      await fs.remove(`${dir}/${seg.name}`);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        log("warn", `journal: could not retire ${seg.name}: ${(err as Error).message}`);
        break;
      }
    }
    index.drop(seg);
    removed++;
    log("info", `journal: ${o.archive ? "archived" : "deleted"} finished segment ${seg.name}`, {
      records: seg.records,
    });
  }
  if (removed > 0) await fs.syncDir(dir).catch(() => {});
  if (!o.expire) return;
  try {
    const n = await expireArchive(fs, dir, o.archiveDays, o.nowMs);
    if (n > 0) {
      log("info", `journal: removed ${n} archived segment(s) older than ${o.archiveDays} days`);
    }
  } catch (err) {
    log("warn", `journal: archive cleanup failed: ${(err as Error).message}`);
  }
}

/** {@link expireDamaged}, logging each file removed (and a failure as a warning). */
export async function expireDamagedLogged(
  fs: JournalFs,
  dir: string,
  days: number,
  nowMs: number,
  log: JournalLogger,
): Promise<void> {
  try {
    for (const name of await expireDamaged(fs, dir, days, nowMs)) {
      log("info", `journal: removed ${name}, set aside by recovery more than ${days} days ago`);
    }
  } catch (err) {
    log("warn", `journal: could not clean up damaged files: ${(err as Error).message}`);
  }
}

/** Deletes the outcome segments `names` except `active` (a compaction made them obsolete), then fsyncs `dir`. */
export async function dropOutcomeSegments(
  fs: JournalFs,
  dir: string,
  names: readonly string[],
  active: string | null | undefined,
  log: JournalLogger,
): Promise<void> {
  for (const n of names) {
    if (n === active) continue;
    await fs.remove(`${dir}/${n}`).catch((err) => {
      log("warn", `journal: could not delete old outcome segment ${n}: ${err.message}`);
    });
  }
  await fs.syncDir(dir).catch(() => {});
}
