/**
 * A fault-injecting {@link JournalFs} over the real file system, for the
 * power-loss and disk-full tests.
 *
 * Power loss ({@link FaultFs.cutAtOp}): every write and fsync on a journal
 * file, and every directory fsync, is an "op". At the chosen op the power goes: a write puts a random
 * prefix of its bytes on disk (the torn last write), an fsync never happens;
 * then, for every file, the bytes written since its last fsync are torn at a
 * random byte (kept as written, zeroed, or replaced by stale garbage past the
 * tear), renames not yet made durable by a directory fsync are undone at
 * random, all descriptors are closed, and every later call fails with EIO
 * (the machine is gone). `onCut` runs last (a child process SIGKILLs itself
 * there). Bytes fsynced before the cut are never touched: that is the
 * promise the disk gives and the journal relies on.
 *
 * Disk full ({@link FaultFs.failWith} `ENOSPC`, or another errno): writes, fsyncs, creating files and
 * renames fail with ENOSPC; the first failing write may first put part of
 * its bytes on disk, as a filling disk does.
 *
 * @module
 */

import type { JournalDirEntry, JournalFile, JournalFs } from "../../service/journal/fs.ts";
import { Prng } from "../support/prng.ts";

/**
 * Environment variable naming the fault fs an agent child runs its journal on
 * (`fixtures/agent_entry.ts`): `tear:<seed>:<op>` or `enospc`.
 */
export const FAULT_FS_ENV = "PONTAJ_FAULT_FS";

/** An error shaped like Deno's for errno `code`. */
export function osError(code: "ENOSPC" | "EIO" | "EROFS"): Error {
  const text = {
    ENOSPC: "No space left on device (os error 28)",
    EIO: "Input/output error (os error 5)",
    EROFS: "Read-only file system (os error 30)",
  }[code];
  return Object.assign(new Error(text), { code });
}

/** How the unsynced tail of one file was left by a cut. */
export interface TornFile {
  /** File path. */
  path: string;
  /** Bytes fsynced before the cut (kept). */
  durable: number;
  /** Bytes the file had (written, unsynced included). */
  written: number;
  /** Bytes of real data kept past `durable`. */
  kept: number;
  /** Size after the cut. */
  sizeAfter: number;
  /** What lies past the kept data: nothing, zeros, or garbage. */
  mode: "prefix" | "zeroed" | "garbage";
}

/** What a cut did. */
export interface CutReport {
  /** The op number the power went at. */
  op: number;
  /** Whether it went during a write or before an fsync. */
  during: "write" | "fsync";
  /** The file of that op. */
  file: string;
  /** Files whose unsynced bytes were torn. */
  torn: TornFile[];
  /** Renames undone (not yet made durable by a directory fsync). */
  undoneRenames: number;
}

interface Track {
  path: string;
  durable: number;
  size: number;
}

/** Options of {@link FaultFs}. */
export interface FaultFsOptions {
  /** Seed for where writes tear and what tails become. */
  seed?: number;
  /** Op (1-based count of writes and fsyncs, directory fsyncs included) at which the power goes; null: never. */
  cutAtOp?: number | null;
  /** Directory fsync (1-based count) before which the power goes; null: never. */
  cutAtDirSync?: number | null;
  /** Called after a cut (synchronously, inside the failing call). */
  onCut?: (report: CutReport) => void;
}

/** The fault layer; see the module doc. */
export class FaultFs implements JournalFs {
  /** Write/fsync ops on journal files so far. */
  ops = 0;
  /** Op at which the power goes (null: never). */
  cutAtOp: number | null;
  /** Directory fsync before which the power goes (null: never). */
  cutAtDirSync: number | null;
  /** Directory fsyncs so far. */
  dirSyncs = 0;
  /** The cut, once it happened. */
  cut: CutReport | null = null;
  /** When set, writes, fsyncs, renames and creating files fail with this errno (ENOSPC: a full disk). */
  failWith: "ENOSPC" | "EIO" | "EROFS" | null = null;
  /** When true, the next failing write first writes half of its bytes (as a full disk does). */
  partialWrite = false;
  /** When true (with `failWith`), opening any file for writing fails too (a read-only mount). */
  failOpenForWrite = false;
  /** When set, every fsync waits for this promise before it goes on (or fails). */
  holdSyncs: Promise<void> | null = null;
  /** Calls failed by `failWith` so far. */
  failures = 0;
  /** Resolves with the cut report when the power goes. */
  readonly whenCut: Promise<CutReport>;
  readonly #rng: Prng;
  readonly #onCut?: (report: CutReport) => void;
  readonly #tracks = new Map<string, Track>();
  readonly #open = new Set<Deno.FsFile>();
  #renames: { from: string; to: string; dir: string }[] = [];
  #resolveCut!: (r: CutReport) => void;

  /** A fault layer; nothing fails until told to. */
  constructor(opts: FaultFsOptions = {}) {
    this.#rng = new Prng(opts.seed ?? 1);
    this.cutAtOp = opts.cutAtOp ?? null;
    this.cutAtDirSync = opts.cutAtDirSync ?? null;
    this.#onCut = opts.onCut;
    this.whenCut = new Promise((r) => (this.#resolveCut = r));
  }

  #dead(): void {
    if (this.cut) throw osError("EIO");
  }

  #full(): void {
    if (this.failWith) {
      this.failures++;
      throw osError(this.failWith);
    }
  }

  /** Counts an op on a journal file; true when the power goes now. */
  #op(t: Track): boolean {
    if (t.path.endsWith("/LOCK")) return false;
    this.ops++;
    return this.cutAtOp !== null && this.ops >= this.cutAtOp;
  }

  #track(path: string, size: number, durable: number): Track {
    let t = this.#tracks.get(path);
    if (!t) this.#tracks.set(path, t = { path, size, durable });
    t.size = size;
    t.durable = Math.min(durable, size);
    return t;
  }

  /** The power goes now (synchronous: nothing else runs until it returns). */
  powerCut(during: "write" | "fsync", file: string): CutReport {
    const rng = this.#rng;
    const torn: TornFile[] = [];
    for (const t of this.#tracks.values()) {
      if (t.size <= t.durable) continue;
      let size: number;
      try {
        size = Deno.statSync(t.path).size;
      } catch {
        continue; // removed
      }
      const written = Math.max(size, t.durable);
      const kept = rng.int(written - t.durable + 1);
      const keepTo = t.durable + kept;
      const r = rng.int(4);
      const mode: TornFile["mode"] = r < 2 ? "prefix" : r === 2 ? "zeroed" : "garbage";
      let sizeAfter = keepTo;
      Deno.truncateSync(t.path, keepTo);
      if (mode !== "prefix" && written > keepTo) {
        // The size reached the disk, (some of) the data did not.
        sizeAfter = keepTo + 1 + rng.int(written - keepTo);
        const tail = new Uint8Array(sizeAfter - keepTo);
        if (mode === "garbage") rng.bytes(tail);
        const f = Deno.openSync(t.path, { write: true });
        f.seekSync(keepTo, Deno.SeekMode.Start);
        f.writeSync(tail);
        f.close();
      }
      torn.push({ path: t.path, durable: t.durable, written, kept, sizeAfter, mode });
    }
    let undoneRenames = 0;
    for (const r of this.#renames.reverse()) {
      if (rng.int(2) === 0) continue;
      try {
        Deno.renameSync(r.to, r.from);
        undoneRenames++;
      } catch {
        // gone since
      }
    }
    this.#renames = [];
    for (const f of this.#open) {
      try {
        f.close();
      } catch {
        // closed
      }
    }
    this.#open.clear();
    const report: CutReport = { op: this.ops, during, file, torn, undoneRenames };
    this.cut = report;
    this.#resolveCut(report);
    this.#onCut?.(report);
    return report;
  }

  /**
   * The faults a write can meet before it reaches the file: a dead disk, a
   * full one (optionally writing half first: that count is returned), or a
   * power cut now (a random prefix lands, then EIO). Null: write normally.
   */
  #beforeWrite(f: Deno.FsFile, t: Track, p: Uint8Array): number | null {
    this.#dead();
    if (this.failWith) {
      if (this.partialWrite && p.length > 1) {
        this.partialWrite = false;
        const n = f.writeSync(p.subarray(0, p.length >> 1));
        t.size = f.statSync().size;
        return n;
      }
      this.#full();
    }
    if (this.#op(t)) {
      const n = this.#rng.int(p.length + 1);
      if (n > 0) f.writeSync(p.subarray(0, n));
      t.size = f.statSync().size;
      this.powerCut("write", t.path);
      throw osError("EIO");
    }
    return null;
  }

  #wrap(f: Deno.FsFile, t: Track): JournalFile {
    // deno-lint-ignore no-this-alias
    const fs = this;
    this.#open.add(f);
    let closed = false;
    return {
      read(p) {
        fs.#dead();
        return f.read(p);
      },
      async write(p) {
        const n = fs.#beforeWrite(f, t, p);
        if (n !== null) return n;
        const wrote = await f.write(p);
        fs.#dead(); // the power went while this call was in flight: it never returns
        t.size = (await f.stat()).size;
        return wrote;
      },
      writeSync(p) {
        const n = fs.#beforeWrite(f, t, p);
        if (n !== null) return n;
        const wrote = f.writeSync(p);
        t.size = f.statSync().size;
        return wrote;
      },
      seek(o, w) {
        fs.#dead();
        return f.seek(o, w);
      },
      async syncData() {
        if (fs.holdSyncs) await fs.holdSyncs;
        fs.#dead();
        fs.#full();
        if (fs.#op(t)) {
          fs.powerCut("fsync", t.path);
          throw osError("EIO");
        }
        await f.syncData();
        fs.#dead();
        t.durable = t.size;
      },
      async sync() {
        fs.#dead();
        fs.#full();
        if (fs.#op(t)) {
          fs.powerCut("fsync", t.path);
          throw osError("EIO");
        }
        await f.sync();
        fs.#dead();
        t.durable = t.size;
      },
      async truncate(len) {
        fs.#dead();
        await f.truncate(len);
        fs.#dead();
        t.size = len ?? 0;
        t.durable = Math.min(t.durable, t.size);
      },
      stat() {
        fs.#dead();
        return f.stat();
      },
      tryLock(e) {
        fs.#dead();
        return f.tryLock(e);
      },
      close() {
        if (closed) return;
        closed = true;
        fs.#open.delete(f);
        if (!fs.cut) f.close();
      },
    };
  }

  /** Opens a real file (creating one, or any write open with `failOpenForWrite`, fails while faulty). */
  async open(path: string, options: Deno.OpenOptions): Promise<JournalFile> {
    this.#dead();
    const creates = options.create || options.createNew;
    if (creates) {
      let exists = true;
      try {
        await Deno.stat(path);
      } catch {
        exists = false;
      }
      if (!exists) this.#full();
    }
    if (this.failOpenForWrite && (options.write || options.append)) this.#full();
    const f = await Deno.open(path, options);
    if (options.write || options.append) {
      const size = (await f.stat()).size;
      // What was on disk before this open is durable; a truncating open is not until fsync.
      const prior = this.#tracks.get(path);
      const durable = options.truncate ? 0 : prior ? Math.min(prior.durable, size) : size;
      return this.#wrap(f, this.#track(path, size, durable));
    }
    this.#open.add(f);
    let closed = false;
    return {
      read: (p) => (this.#dead(), f.read(p)),
      write: () => Promise.reject(osError("EIO")),
      seek: (o, w) => (this.#dead(), f.seek(o, w)),
      syncData: () => (this.#dead(), f.syncData()),
      sync: () => (this.#dead(), f.sync()),
      truncate: (len) => (this.#dead(), f.truncate(len)),
      stat: () => (this.#dead(), f.stat()),
      tryLock: (e) => (this.#dead(), f.tryLock(e)),
      close: () => {
        if (closed) return;
        closed = true;
        this.#open.delete(f);
        if (!this.cut) f.close();
      },
    };
  }

  /** Real readDir. */
  async *readDir(path: string): AsyncIterable<JournalDirEntry> {
    this.#dead();
    for await (const e of Deno.readDir(path)) yield { name: e.name, isFile: e.isFile };
  }

  /** Real stat. */
  async stat(path: string): Promise<{ size: number; mtime: Date | null; ctime: Date | null }> {
    this.#dead();
    const s = await Deno.stat(path);
    return { size: s.size, mtime: s.mtime, ctime: s.ctime };
  }

  /** Real mkdir. */
  async mkdir(path: string): Promise<void> {
    this.#dead();
    await Deno.mkdir(path, { recursive: true });
  }

  /** Rename (undone at a cut until the directory is fsynced); fails while the disk is full. */
  async rename(from: string, to: string): Promise<void> {
    this.#dead();
    this.#full();
    await Deno.rename(from, to);
    this.#dead();
    const t = this.#tracks.get(from);
    if (t) {
      this.#tracks.delete(from);
      t.path = to;
      this.#tracks.set(to, t);
    }
    this.#renames.push({ from, to, dir: to.slice(0, to.lastIndexOf("/")) });
  }

  /** Real remove. */
  async remove(path: string): Promise<void> {
    this.#dead();
    await Deno.remove(path);
    this.#tracks.delete(path);
  }

  /** Real link. */
  async link(from: string, to: string): Promise<void> {
    this.#dead();
    this.#full();
    await Deno.link(from, to);
  }

  /** Directory fsync: makes the renames into `path` durable (an op: the power may go first). */
  async syncDir(path: string): Promise<void> {
    this.#dead();
    this.ops++;
    this.dirSyncs++;
    if (
      (this.cutAtOp !== null && this.ops >= this.cutAtOp) ||
      (this.cutAtDirSync !== null && this.dirSyncs >= this.cutAtDirSync)
    ) {
      this.powerCut("fsync", path);
      throw osError("EIO");
    }
    const d = await Deno.open(path, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
    this.#dead();
    this.#renames = this.#renames.filter((r) => r.dir !== path);
  }
}
