/**
 * Runs a command as a child process and reports its exit code, output and
 * peak resident set size. Under `/usr/bin/time -v` when it exists (the
 * kernel's own `ru_maxrss` of the child); otherwise `VmHWM` from
 * `/proc/<pid>/status`, read every 10 ms while the child runs (VmHWM is the
 * high-water mark, so each read covers everything before it).
 *
 * @module
 */

const TIME = "/usr/bin/time";

/** What a child run came to. */
export interface ChildRun {
  /** Exit code (137 or similar when it was killed). */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error (without `/usr/bin/time`'s report). */
  stderr: string;
  /** Peak resident set size, KiB. */
  peakKiB: number;
  /** True when the child outlived `timeoutMs` and was killed. */
  timedOut: boolean;
}

function hasTime(): boolean {
  try {
    return Deno.statSync(TIME).isFile;
  } catch {
    return false;
  }
}

function vmHwmKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // already gone
  }
}

/** The pids of `pid`'s children (`/usr/bin/time`'s child is the command). */
function childrenOf(pid: number): number[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/)
      .filter((s) => s !== "").map(Number);
  } catch {
    return [];
  }
}

/** Runs `cmd args` with a kill timer of `timeoutMs`; see the module doc for how RSS is read. */
export async function runMeasured(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<ChildRun> {
  const timed = hasTime();
  const child = new Deno.Command(timed ? TIME : cmd, {
    args: timed ? ["-v", cmd, ...args] : args,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let timedOut = false;
  let peakKiB = 0;
  const timer = setTimeout(() => {
    timedOut = true;
    for (const pid of childrenOf(child.pid)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, timeoutMs);
  const poll = timed ? undefined : setInterval(() => {
    peakKiB = Math.max(peakKiB, vmHwmKiB(child.pid));
  }, 10);
  try {
    const out = await child.output();
    let stderr = new TextDecoder().decode(out.stderr);
    if (timed) {
      const at = stderr.lastIndexOf("\tCommand being timed:");
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr.slice(at));
      if (at < 0 || !m) throw new Error(`no /usr/bin/time report in: ${stderr.slice(-500)}`);
      peakKiB = Number(m[1]);
      const note = /Command (exited with non-zero status|terminated by signal) \d+\n$/.exec(
        stderr.slice(0, at),
      );
      stderr = stderr.slice(0, note ? note.index : at);
    }
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr,
      peakKiB,
      timedOut,
    };
  } finally {
    clearTimeout(timer);
    if (poll !== undefined) clearInterval(poll);
  }
}
