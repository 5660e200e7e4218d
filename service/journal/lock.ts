/**
 * The journal directory's exclusive lock: `LOCK` holds the writer's pid and
 * an advisory `flock` (Deno's `FsFile.tryLock`), so a second agent on the same
 * journal gets a clear error instead of interleaving writes. The lock dies
 * with the descriptor (also on SIGKILL).
 *
 * @module
 */

import { JournalError, toJournalError } from "./errors.ts";
import type { JournalFile, JournalFs } from "./fs.ts";

/** Takes the lock of `dir`; throws `JournalError("locked")` naming the holder's pid. */
export async function takeLock(fs: JournalFs, dir: string): Promise<JournalFile> {
  const path = `${dir}/LOCK`;
  let f: JournalFile;
  let writable = true;
  try {
    f = await fs.open(path, { read: true, write: true, create: true });
  } catch (first) {
    // A read-only disk may still hold a journal to read; otherwise the first error says why.
    writable = false;
    try {
      f = await fs.open(path, { read: true });
    } catch {
      throw toJournalError(first, `opening the lock file ${path}`, dir);
    }
  }
  if (!(await tryLockAwhile(f))) {
    let holder = "";
    try {
      const b = new Uint8Array(32);
      const n = (await f.read(b)) ?? 0;
      const pid = new TextDecoder().decode(b.subarray(0, n)).trim();
      if (/^[0-9]+$/.test(pid)) holder = ` (pid ${pid})`;
    } catch {
      // no pid to show
    }
    f.close();
    throw new JournalError(
      "locked",
      `journal: ${dir} is locked by another process${holder}; only one agent may write a journal`,
    );
  }
  if (writable) {
    try {
      await f.truncate(0);
      await f.write(new TextEncoder().encode(`${Deno.pid}\n`));
    } catch {
      // pid is informational only
    }
  }
  return f;
}

/**
 * Tries the lock a few times over about a second. A forked child holds a copy
 * of every descriptor until it execs, so a lock this process just released can
 * look taken for that moment while another thread spawns a process; a second
 * agent holds it for good and is still refused.
 */
async function tryLockAwhile(f: JournalFile): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    if (await f.tryLock(true)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
