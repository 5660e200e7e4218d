/**
 * The learned table on disk: `gates-learned.json` in the journal directory,
 * replaced whole on every save (temporary file, fsync, rename, directory
 * fsync; mode 0640), so after a crash or a SIGKILL the file is the last save
 * or the one before, never a mix. Saves are coalesced: changes within
 * `delayMs` go out in one write, and one write runs at a time.
 *
 * A file that cannot be read as a table is set aside as
 * `gates-learned.json.broken` and the agent starts with an empty table (a
 * warning and a counter in status), never refusing to start.
 *
 * @module
 */

import { type LearnedCard, LearnedTable } from "./learned.ts";
import type { LearnedState } from "./decide.ts";
import { writeAll } from "../write_all.ts";

/** File name of the learned table in the journal directory. */
export const LEARNED_FILE = "gates-learned.json";
/** Largest learned-table file read (bytes). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A table entry as stored: `[tag, "k" | "r", learnedAt, lastSeen]`. */
type Row = [string, "k" | "r", number, number];

/** Options of {@link LearnedStore.open}. */
export interface LearnedStoreOptions {
  /** Bound of the table. */
  maxEntries?: number;
  /** Coalescing delay of saves (ms, default 200). */
  delayMs?: number;
  /** Problems (a broken file, a failed save). */
  warn?: (msg: string) => void;
}

/** Parses the file text into cards; throws on anything that is not a table. */
export function parseLearned(text: string): LearnedCard[] {
  const v = JSON.parse(text) as { version?: unknown; cards?: unknown };
  if (v?.version !== 1 || !Array.isArray(v.cards)) throw new Error("not a learned table");
  const out: LearnedCard[] = [];
  for (const r of v.cards as unknown[]) {
    if (
      !Array.isArray(r) || typeof r[0] !== "string" || r[0].length < 1 || r[0].length > 64 ||
      (r[1] !== "k" && r[1] !== "r") || !Number.isSafeInteger(r[2]) || !Number.isSafeInteger(r[3])
    ) throw new Error("bad entry");
    const state: LearnedState = r[1] === "k" ? "known" : "refused";
    out.push({ rfidTag: r[0], state, learnedAt: r[2], lastSeen: r[3] });
  }
  return out;
}

/** The text saved for `cards`. */
export function serializeLearned(cards: readonly LearnedCard[]): string {
  const rows: Row[] = cards.map((
    c,
  ) => [c.rfidTag, c.state === "known" ? "k" : "r", c.learnedAt, c.lastSeen]);
  return `{"version":1,"cards":[\n${rows.map((r) => JSON.stringify(r)).join(",\n")}\n]}\n`;
}

/** Writes `text` to `dir/name` crash-safely: temp file, fsync, rename, directory fsync. */
export async function replaceFile(dir: string, name: string, text: string): Promise<void> {
  const tmp = `${dir}/${name}.tmp`;
  const f = await Deno.open(tmp, { write: true, create: true, truncate: true, mode: 0o640 });
  try {
    await Deno.chmod(tmp, 0o640); // a temp file left by a crash keeps its old mode otherwise
    await writeAll(f, new TextEncoder().encode(text));
    await f.sync();
  } finally {
    f.close();
  }
  await Deno.rename(tmp, `${dir}/${name}`);
  const d = await Deno.open(dir, { read: true });
  try {
    await d.sync();
  } finally {
    d.close();
  }
}

/** The learned table and its file. */
export class LearnedStore {
  /** The table (read it freely; call {@link changed} after teaching). */
  readonly table: LearnedTable;
  /** The directory. */
  readonly dir: string;
  /** Saves that failed (the table stays in memory; the next change tries again). */
  saveErrors = 0;
  /** True when the file found at open could not be read (set aside). */
  brokenAtOpen = false;
  readonly #delayMs: number;
  readonly #warn: (msg: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #saving: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(dir: string, table: LearnedTable, o: LearnedStoreOptions) {
    this.dir = dir;
    this.table = table;
    this.#delayMs = o.delayMs ?? 200;
    this.#warn = o.warn ?? (() => {});
  }

  /** Loads the table from `dir` (empty when there is no file; a broken file is set aside). */
  static async open(dir: string, o: LearnedStoreOptions = {}): Promise<LearnedStore> {
    const table = new LearnedTable(o.maxEntries);
    const store = new LearnedStore(dir, table, o);
    const path = `${dir}/${LEARNED_FILE}`;
    let text: string | null = null;
    try {
      const st = await Deno.stat(path);
      if (st.size > MAX_FILE_BYTES) {
        throw new Error(`${st.size} bytes, more than ${MAX_FILE_BYTES}`);
      }
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) store.#setAside(path, err);
    }
    if (text !== null) {
      try {
        for (const c of parseLearned(text)) table.restore(c);
      } catch (err) {
        store.#setAside(path, err);
      }
    }
    table.changes = 0;
    return store;
  }

  #setAside(path: string, err: unknown): void {
    this.brokenAtOpen = true;
    try {
      Deno.renameSync(path, `${path}.broken`);
    } catch {
      // nothing to set aside
    }
    this.#warn(
      `learned cards file ${path} unreadable (${
        (err as Error).message
      }): set aside as ${LEARNED_FILE}.broken, starting with an empty table`,
    );
  }

  /** Schedules a save of the table (coalesced). */
  changed(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.save();
    }, this.#delayMs);
  }

  /** Saves now (after any save in progress); resolves once durable or failed (counted). */
  save(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      if (this.table.changes === 0) return;
      const changes = this.table.changes;
      const text = serializeLearned(this.table.cards());
      try {
        await replaceFile(this.dir, LEARNED_FILE, text);
        this.table.changes -= changes;
      } catch (err) {
        this.saveErrors++;
        this.#warn(`learned cards: saving ${LEARNED_FILE} failed: ${(err as Error).message}`);
      }
    });
    return this.#saving;
  }

  /** Saves what is pending and stops scheduling saves. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.save();
  }
}
