/**
 * The allow file: one `rfidTag` per line as the reader's `tagFormat` prints
 * it, `!TAG` denies it, `#` starts a comment, blank lines are skipped.
 *
 * ```text
 * # contractors, spring 2027
 * 0003887558
 * !0001234567   # lost card
 * ```
 *
 * {@link AllowFile.refresh} re-reads it when its size, modification time or
 * inode changed (the agent calls it every few seconds); a lookup is a map
 * read. A file larger than {@link ALLOW_FILE_MAX_BYTES} or with more than
 * {@link ALLOW_FILE_MAX_ENTRIES} entries is refused and the list read before
 * stays in force; bad lines are skipped, counted and named with their line
 * number.
 *
 * @module
 */

import { clipForeign } from "../clip.ts";
import type { AllowVerdict } from "./decide.ts";

/** Largest allow file read (bytes). */
export const ALLOW_FILE_MAX_BYTES = 1024 * 1024;
/** Most entries kept from one allow file. */
export const ALLOW_FILE_MAX_ENTRIES = 100_000;

const TAG_RE = /^[\x21-\x7e]{1,64}$/;

/** An allow file parsed. */
export interface AllowList {
  /** Tag → true (allowed) or false (denied with `!`). */
  entries: Map<string, boolean>;
  /** Lines that were neither a tag, a comment nor blank: `line N: why`. */
  bad: string[];
  /** How many bad lines in all (`bad` keeps the first few). */
  badCount: number;
}

/**
 * Parses allow-file text. A tag listed twice keeps its last line (so a `!TAG`
 * after `TAG` denies). Throws only when there are more than `maxEntries` tags.
 */
export function parseAllowList(text: string, maxEntries = ALLOW_FILE_MAX_ENTRIES): AllowList {
  const entries = new Map<string, boolean>();
  const bad: string[] = [];
  let badCount = 0;
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (line === "") continue;
    const deny = line.startsWith("!");
    const tag = deny ? line.slice(1).trim() : line;
    if (!TAG_RE.test(tag)) {
      badCount++;
      if (bad.length < 5) {
        bad.push(
          `line ${n + 1}: expected one tag of 1-64 printable characters, got ${
            JSON.stringify(clipForeign(line, 40))
          }`,
        );
      }
      continue;
    }
    entries.set(tag, !deny);
    if (entries.size > maxEntries) {
      throw new Error(`more than ${maxEntries} tags (line ${n + 1})`);
    }
  }
  return { entries, bad, badCount };
}

/** Counters and health of an allow file, for status. */
export interface AllowFileStats {
  /** The path. */
  path: string;
  /** Tags allowed. */
  allowed: number;
  /** Tags denied with `!`. */
  denied: number;
  /** Times the file was read and put in force. */
  loads: number;
  /** Bad lines skipped in the last read. */
  badLines: number;
  /** Reads refused (too big, unreadable, missing). */
  errors: number;
  /** The last problem, or null. */
  lastError: string | null;
}

/** Reads at most `max + 1` bytes of `path` (so "too big" is seen without reading it all). */
async function readBounded(path: string, max: number): Promise<Uint8Array | null> {
  const f = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(max + 1);
    let n = 0;
    while (n < buf.length) {
      const r = await f.read(buf.subarray(n));
      if (r === null || r === 0) break;
      n += r;
    }
    return n > max ? null : buf.subarray(0, n);
  } finally {
    f.close();
  }
}

/** An allow file kept in memory and re-read when it changes. */
export class AllowFile {
  /** The path. */
  readonly path: string;
  readonly #maxBytes: number;
  readonly #warn: (msg: string) => void;
  #entries = new Map<string, boolean>();
  #stamp = "";
  #stats: AllowFileStats;

  /** An allow file at `path` (empty until {@link refresh}); problems go to `warn`. */
  constructor(
    path: string,
    warn: (msg: string) => void = () => {},
    maxBytes = ALLOW_FILE_MAX_BYTES,
  ) {
    this.path = path;
    this.#warn = warn;
    this.#maxBytes = maxBytes;
    this.#stats = {
      path,
      allowed: 0,
      denied: 0,
      loads: 0,
      badLines: 0,
      errors: 0,
      lastError: null,
    };
  }

  /** What the file says of `tag` (a map read). */
  verdict(tag: string): AllowVerdict {
    const v = this.#entries.get(tag);
    return v === undefined ? null : v ? "allow" : "deny";
  }

  /** Counters and the last problem. */
  stats(): AllowFileStats {
    return { ...this.#stats };
  }

  #fail(msg: string): void {
    const s = this.#stats;
    s.errors++;
    if (s.lastError !== msg) this.#warn(msg);
    s.lastError = msg;
  }

  /**
   * Re-reads the file if it changed since the last read; resolves true when a
   * new list is in force. A missing file empties the list; a file too big or
   * unreadable keeps the list in force.
   */
  async refresh(): Promise<boolean> {
    let st: Deno.FileInfo;
    try {
      st = await Deno.stat(this.path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        if (this.#stamp !== "missing") {
          this.#stamp = "missing";
          this.#put(new Map(), 0);
        }
        this.#fail(`allow file ${this.path} not found: no tag is listed`);
        return false;
      }
      this.#fail(`allow file ${this.path}: ${(err as Error).message}`);
      return false;
    }
    const stamp = `${st.ino}:${st.size}:${st.mtime?.getTime()}:${st.ctime?.getTime()}`;
    if (stamp === this.#stamp) return false;
    if (!st.isFile) return this.#refuse(stamp, "not a regular file");
    if (st.size > this.#maxBytes) {
      return this.#refuse(stamp, `${st.size} bytes, more than ${this.#maxBytes}`);
    }
    let bytes: Uint8Array | null;
    try {
      bytes = await readBounded(this.path, this.#maxBytes);
    } catch (err) {
      this.#fail(`allow file ${this.path}: ${(err as Error).message}`);
      return false;
    }
    if (bytes === null) return this.#refuse(stamp, `more than ${this.#maxBytes} bytes`);
    let list: AllowList;
    try {
      list = parseAllowList(new TextDecoder().decode(bytes));
    } catch (err) {
      return this.#refuse(stamp, (err as Error).message);
    }
    this.#stamp = stamp;
    this.#put(list.entries, list.badCount);
    for (const b of list.bad) this.#warn(`allow file ${this.path}: ${b} (skipped)`);
    this.#stats.lastError = list.badCount > 0
      ? `allow file ${this.path}: ${list.badCount} bad line(s), first: ${list.bad[0]}`
      : null;
    return true;
  }

  #refuse(stamp: string, why: string): boolean {
    this.#stamp = stamp;
    this.#fail(`allow file ${this.path} refused (${why}); the list read before stays in force`);
    return false;
  }

  #put(entries: Map<string, boolean>, badLines: number): void {
    this.#entries = entries;
    let allowed = 0;
    for (const v of entries.values()) if (v) allowed++;
    const s = this.#stats;
    s.allowed = allowed;
    s.denied = entries.size - allowed;
    s.badLines = badLines;
    s.loads++;
  }
}
