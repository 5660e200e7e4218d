/**
 * A process's memory as the kernel counts it: resident set (`VmRSS`), its
 * peak (`VmHWM`), and the resident set split into anonymous pages (heaps,
 * stacks: the process's own) and file-backed pages (the Deno binary's text
 * and read-only data, shared libraries: clean, shared with every other Deno
 * process, dropped by the kernel under pressure), from `/proc/<pid>/status`
 * and `/proc/<pid>/smaps_rollup`.
 *
 * @module
 */

/** One reading, MiB. */
export interface ProcMem {
  /** Resident set now (`VmRSS`). */
  rssMiB: number;
  /** Peak resident set so far (`VmHWM`). */
  hwmMiB: number;
  /** Anonymous resident pages (`Anonymous` in smaps_rollup). */
  anonMiB: number;
  /** File-backed resident pages (`Rss - Anonymous` in smaps_rollup). */
  fileMiB: number;
}

const kib = (re: RegExp, text: string) => Number(re.exec(text)?.[1] ?? NaN);
const mib = (k: number) => Math.round(k / 102.4) / 10;

/** Reads `pid`'s memory; null when the process is gone. */
export function procMem(pid: number): ProcMem | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const rollup = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
    const rss = kib(/Rss:\s+(\d+) kB/, rollup);
    const anon = kib(/Anonymous:\s+(\d+) kB/, rollup);
    const out = {
      rssMiB: mib(kib(/VmRSS:\s+(\d+) kB/, status)),
      hwmMiB: mib(kib(/VmHWM:\s+(\d+) kB/, status)),
      anonMiB: mib(anon),
      fileMiB: mib(rss - anon),
    };
    return Number.isNaN(out.rssMiB + out.hwmMiB + out.anonMiB + out.fileMiB) ? null : out;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `pid`'s memory once start-up has settled: waits `settleMs`, then takes
 * `samples` readings `everyMs` apart and returns the one with the median RSS
 * (a timer or a GC mid-reading moves a single reading by a few hundred KiB).
 * Throws when the process is gone.
 */
export async function settledMem(
  pid: number,
  settleMs = 3000,
  samples = 5,
  everyMs = 500,
): Promise<ProcMem> {
  await sleep(settleMs);
  const seen: ProcMem[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(everyMs);
    const m = procMem(pid);
    if (m === null) throw new Error(`process ${pid} is gone`);
    seen.push(m);
  }
  seen.sort((a, b) => a.rssMiB - b.rssMiB);
  return seen[samples >> 1]!;
}
