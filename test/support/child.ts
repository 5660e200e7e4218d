/**
 * Child Deno processes for crash tests: run a script and SIGKILL it after a
 * while (a real kill, as a power cut or the OOM killer would).
 *
 * @module
 */

/** Options of {@link runKilledAfter}. */
export interface KilledRunOptions {
  /** Where the child's stderr goes (default piped). */
  stderr?: "piped" | "inherit";
}

/**
 * Runs `deno run -A <args>` and sends it SIGKILL `killAfterMs` after spawn if
 * it is still running; resolves with its output (`signal` is `"SIGKILL"` when
 * it was killed).
 */
export async function runKilledAfter(
  args: string[],
  killAfterMs: number,
  opts: KilledRunOptions = {},
): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: opts.stderr ?? "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, killAfterMs);
  try {
    return await child.output();
  } finally {
    clearTimeout(timer);
  }
}
