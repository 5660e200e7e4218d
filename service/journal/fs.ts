/**
 * The file layer the journal writes through. The default ({@link denoFs}) is
 * Deno's real file calls; tests inject a wrapper that fails with ENOSPC/EROFS
 * to exercise the disk-full paths on a real file system.
 *
 * Directory fsync: on Linux, Deno 2.9.6 opens a directory with
 * `Deno.open(dir, { read: true })` (plain `open(O_RDONLY)`), and `FsFile.sync()`
 * then runs `fsync(2)` on that descriptor (checked with strace: `openat(dir,
 * O_RDONLY)` then `fsync(fd)`), which is what makes a rename durable. No FFI
 * is needed for it.
 *
 * Modes: files the journal creates are `0640` and directories `0750`,
 * whatever the process umask ({@link FILE_MODE}, {@link DIR_MODE}).
 *
 * @module
 */

/** Mode of every file the journal creates (segments, logs, archives, the lock). */
export const FILE_MODE = 0o640;

/** Mode of every directory the journal creates (the journal directory, `archive/`). */
export const DIR_MODE = 0o750;

function creates(options: Deno.OpenOptions): boolean {
  return options.create === true || options.createNew === true;
}

/**
 * Brings a file the journal opened with `create` to {@link FILE_MODE}: the
 * umask may have taken group read away, or an older release left it 0644.
 * The file is never more open than 0640 in between (it was created with
 * that mode, less the umask).
 */
async function settleFileMode(path: string, mode: number | null): Promise<void> {
  if (mode !== null && (mode & 0o777) !== FILE_MODE) await Deno.chmod(path, FILE_MODE);
}

/**
 * Creates `path` and its missing parents as {@link DIR_MODE} whatever the
 * umask; existing directories are left as they are (the operator's choice).
 */
async function makeDir(path: string): Promise<void> {
  const missing: string[] = [];
  for (let p = path.replace(/\/+$/, ""); p !== "" && p !== "."; p = dirname(p)) {
    try {
      await Deno.stat(p);
      break; // exists (a file in the way is reported by mkdir below)
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      missing.push(p);
    }
  }
  if (missing.length === 0) {
    if (!(await Deno.stat(path)).isDirectory) await Deno.mkdir(path); // throws AlreadyExists
    return;
  }
  await Deno.mkdir(path, { recursive: true, mode: DIR_MODE });
  for (const p of missing) await Deno.chmod(p, DIR_MODE);
}

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "" : p.slice(0, i);
}

async function openFile(path: string, options: Deno.OpenOptions): Promise<Deno.FsFile> {
  if (!creates(options)) return await Deno.open(path, options);
  const f = await Deno.open(path, { mode: FILE_MODE, ...options });
  try {
    await settleFileMode(path, (await f.stat()).mode);
  } catch (err) {
    f.close();
    throw err;
  }
  return f;
}

function openFileSync(path: string, options: Deno.OpenOptions): Deno.FsFile {
  if (!creates(options)) return Deno.openSync(path, options);
  const f = Deno.openSync(path, { mode: FILE_MODE, ...options });
  try {
    const mode = f.statSync().mode;
    if (mode !== null && (mode & 0o777) !== FILE_MODE) Deno.chmodSync(path, FILE_MODE);
  } catch (err) {
    f.close();
    throw err;
  }
  return f;
}

/** An open file: the subset of `Deno.FsFile` the journal uses. */
export interface JournalFile {
  /** Reads into `p`; resolves with the byte count, or null at end of file. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes (part of) `p`; resolves with the byte count written. */
  write(p: Uint8Array): Promise<number>;
  /**
   * Writes (part of) `p` on the calling thread; returns the byte count. Optional:
   * {@link writeAll} prefers it for small writes (see there).
   */
  writeSync?(p: Uint8Array): number;
  /** Moves the file position. */
  seek(offset: number, whence: Deno.SeekMode): Promise<number>;
  /** `fdatasync(2)`. */
  syncData(): Promise<void>;
  /** `fsync(2)`. */
  sync(): Promise<void>;
  /** `ftruncate(2)`. */
  truncate(len?: number): Promise<void>;
  /** Size of the open file. */
  stat(): Promise<{ size: number }>;
  /** Non-blocking advisory lock (flock); false if someone else holds it. */
  tryLock(exclusive?: boolean): Promise<boolean>;
  /** Closes the descriptor. */
  close(): void;
}

/** Directory entries as the journal needs them. */
export interface JournalDirEntry {
  /** File name (no directory). */
  name: string;
  /** True for regular files. */
  isFile: boolean;
}

/** The file-system calls the journal makes; swap it to inject faults. */
export interface JournalFs {
  /** Opens a file (same options as `Deno.open`). */
  open(path: string, options: Deno.OpenOptions): Promise<JournalFile>;
  /** Lists a directory. */
  readDir(path: string): AsyncIterable<JournalDirEntry>;
  /** Size, modification time and (where known) inode change time of a path. */
  stat(path: string): Promise<{ size: number; mtime: Date | null; ctime?: Date | null }>;
  /** Creates a directory (and parents). */
  mkdir(path: string): Promise<void>;
  /** Atomic rename (replaces `to`). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file. */
  remove(path: string): Promise<void>;
  /** Hard link `to` -> `from`'s inode. */
  link(from: string, to: string): Promise<void>;
  /** Makes a directory's entries durable (fsync on the directory). */
  syncDir(path: string): Promise<void>;
}

/** Deno's real, asynchronous file calls (I/O runs off the event loop). */
export const denoFs: JournalFs = {
  open: openFile,
  readDir: (path) => Deno.readDir(path),
  stat: async (path) => {
    const s = await Deno.stat(path);
    return { size: s.size, mtime: s.mtime, ctime: s.ctime };
  },
  mkdir: makeDir,
  rename: (from, to) => Deno.rename(from, to),
  remove: (path) => Deno.remove(path),
  link: (from, to) => Deno.link(from, to),
  syncDir: async (path) => {
    const d = await Deno.open(path, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  },
};

class BlockingFile implements JournalFile {
  #f: Deno.FsFile;
  constructor(f: Deno.FsFile) {
    this.#f = f;
  }
  read(p: Uint8Array): Promise<number | null> {
    return Promise.resolve(this.#f.readSync(p));
  }
  write(p: Uint8Array): Promise<number> {
    return Promise.resolve(this.#f.writeSync(p));
  }
  writeSync(p: Uint8Array): number {
    return this.#f.writeSync(p);
  }
  seek(offset: number, whence: Deno.SeekMode): Promise<number> {
    return Promise.resolve(this.#f.seekSync(offset, whence));
  }
  syncData(): Promise<void> {
    this.#f.syncDataSync();
    return Promise.resolve();
  }
  sync(): Promise<void> {
    this.#f.syncSync();
    return Promise.resolve();
  }
  truncate(len?: number): Promise<void> {
    this.#f.truncateSync(len);
    return Promise.resolve();
  }
  stat(): Promise<{ size: number }> {
    return Promise.resolve({ size: this.#f.statSync().size });
  }
  tryLock(exclusive?: boolean): Promise<boolean> {
    return Promise.resolve(this.#f.tryLockSync(exclusive));
  }
  close(): void {
    this.#f.close();
  }
}

/**
 * Deno's synchronous file calls behind the same interface: each write and
 * fdatasync blocks the event loop for its duration but skips the thread-pool
 * round trip of the async calls (about 150 µs per call on the test machine).
 * Group commit still batches the appends made while a batch is being built.
 * Choose it with `JournalOptions.fs` where fsync is fast and latency matters
 * more than a free event loop.
 */
export const blockingFs: JournalFs = {
  open: (path, options) => Promise.resolve(new BlockingFile(openFileSync(path, options))),
  readDir: (path) => Deno.readDir(path),
  stat: denoFs.stat,
  mkdir: denoFs.mkdir,
  rename: (from, to) => Promise.resolve(Deno.renameSync(from, to)),
  remove: (path) => Promise.resolve(Deno.removeSync(path)),
  link: (from, to) => Promise.resolve(Deno.linkSync(from, to)),
  syncDir: (path) => {
    const d = Deno.openSync(path, { read: true });
    try {
      d.syncSync();
    } finally {
      d.close();
    }
    return Promise.resolve();
  },
};

/**
 * Largest write {@link writeAll} makes on the calling thread. Copying a few KiB
 * into the page cache takes microseconds (5 KiB: 2.4 µs rewriting warm pages,
 * up to ~17 µs appending), while an asynchronous write's trip through Deno's
 * blocking-task pool takes about 75 µs (`deno bench -A bench/journal_bench.ts`,
 * group "write call"): for a group commit that hop cost more than the journal's
 * own work. The `fdatasync` that follows, which is what waits for the disk,
 * always stays off the event loop.
 */
export const SYNC_WRITE_MAX = 64 * 1024;

/**
 * Writes all of `p` (loops over short writes): on the calling thread when the
 * file offers `writeSync` and `p` is at most {@link SYNC_WRITE_MAX} bytes (then
 * it returns nothing and the bytes are written when it returns), through the
 * asynchronous call otherwise (then it returns the promise to await).
 */
export function writeAll(f: JournalFile, p: Uint8Array): Promise<void> | undefined {
  if (f.writeSync && p.length <= SYNC_WRITE_MAX) {
    for (let off = 0; off < p.length;) {
      const n = f.writeSync(off === 0 ? p : p.subarray(off));
      if (n <= 0) throw new Error("write returned 0");
      off += n;
    }
    return undefined;
  }
  return writeAllAsync(f, p);
}

async function writeAllAsync(f: JournalFile, p: Uint8Array): Promise<void> {
  for (let off = 0; off < p.length;) {
    const n = await f.write(off === 0 ? p : p.subarray(off));
    if (n <= 0) throw new Error("write returned 0");
    off += n;
  }
}

/** Reads up to `p.length` bytes at `offset`; resolves with how many were read (short at EOF). */
export async function readAt(f: JournalFile, offset: number, p: Uint8Array): Promise<number> {
  await f.seek(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < p.length) {
    const n = await f.read(got === 0 ? p : p.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  return got;
}
