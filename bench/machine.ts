/**
 * The machine a benchmark ran on, read from the system (never typed in):
 * CPU model and core count from /proc/cpuinfo, RAM from /proc/meminfo, the
 * kernel release, Deno's versions, the load average and the git commit.
 *
 * @module
 */

/** Where a report was measured. */
export interface Machine {
  /** CPU model name. */
  cpu: string;
  /** Logical processors. */
  cores: number;
  /** Total RAM, GiB (one decimal). */
  ramGiB: number;
  /** Kernel release. */
  kernel: string;
  /** Deno version. */
  deno: string;
  /** V8 version. */
  v8: string;
  /** TypeScript version. */
  typescript: string;
  /** 1, 5 and 15 minute load averages. */
  loadAverage: string;
  /** `git rev-parse --short HEAD` (plus "+changes" when the tree is dirty), or "unknown". */
  commit: string;
  /** ISO date of the run. */
  date: string;
}

async function git(args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command("git", {
      args,
      cwd: new URL("../", import.meta.url).pathname,
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

/** Reads the machine's description. */
export async function machine(): Promise<Machine> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || navigator.hardwareConcurrency;
  const memKiB = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "")).split(" ").slice(0, 3)
    .join(" ");
  const head = await git(["rev-parse", "--short", "HEAD"]);
  const dirty = await git(["status", "--porcelain", "--untracked-files=no"]);
  return {
    cpu,
    cores,
    ramGiB: Math.round((memKiB / 1048576) * 10) / 10,
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    loadAverage: load || "unknown",
    commit: head ? `${head}${dirty ? " (+ uncommitted changes in the tree)" : ""}` : "unknown",
    date: new Date().toISOString(),
  };
}
