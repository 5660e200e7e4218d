/**
 * Zero-allocation proof: runs a script in a child Deno process with
 * `--trace-gc --max-semi-space-size=1 --expose-gc` and counts the `Scavenge`
 * lines V8 prints between the script's start and end markers. Scavenges alone
 * can miss a small allocation (a young generation grown during set-up may
 * hold a million small objects without a scavenge), so the child also
 * measures heap growth across a forced-GC-delimited hot segment with
 * `heapGrowth` (test/support/heap_growth.ts; `gc` is exposed) and
 * prints it for the test to check.
 *
 * The child script prints {@link GC_START} after warm-up and {@link GC_END}
 * after the measured loop (with `console.log`, which writes synchronously).
 * The child runs under `stdbuf -oL` so V8's trace lines and the markers reach
 * the pipe in the order they were printed.
 *
 * @module
 */

/** Marker the child prints when the measured loop starts. */
export const GC_START = "GC-PROBE-START";
/** Marker the child prints when the measured loop ends. */
export const GC_END = "GC-PROBE-END";

/** What the child process did. */
export interface GcProbeResult {
  /** Scavenges (minor GCs) between the markers. */
  scavenges: number;
  /** Mark-compact (major GCs) between the markers. */
  markCompacts: number;
  /** Lines the child printed between the markers that are not GC trace lines. */
  output: string[];
  /** Lines the child printed after the end marker (e.g. its result counts), GC lines left out. */
  after: string[];
  /** Full stdout, for failure messages. */
  stdout: string;
}

/**
 * Runs `script` (a path or file URL) with GC tracing and counts collections
 * between the markers. Throws if a marker is missing or the child fails.
 */
export async function probeGc(script: string | URL, args: string[] = []): Promise<GcProbeResult> {
  const path = script instanceof URL ? script.pathname : script;
  // V8 prints its GC trace through C stdio, which is fully buffered on a pipe,
  // while console.log writes at once: without line buffering, trace lines from
  // inside the loop could land after the end marker and go uncounted.
  // coreutils' stdbuf makes the child's stdio line-buffered.
  const cmd = new Deno.Command("stdbuf", {
    args: [
      "-oL",
      Deno.execPath(),
      "run",
      "-A",
      // Optimisation on the main thread: the warm-up then ends in optimised code
      // however loaded the machine is (a compile finished late on a background
      // thread would leave the measured loop in code that boxes numbers).
      "--v8-flags=--trace-gc,--max-semi-space-size=1,--expose-gc,--no-concurrent-recompilation,--no-concurrent-osr",
      path,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const out = await cmd.output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `gc probe child failed (${out.code}): ${new TextDecoder().decode(out.stderr)}\n${stdout}`,
    );
  }
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => l.includes(GC_START));
  const end = lines.findIndex((l) => l.includes(GC_END));
  if (start < 0 || end < start) throw new Error(`gc probe markers missing:\n${stdout}`);
  const inside = lines.slice(start + 1, end);
  const isGcLine = (l: string) => /\[\d+:0x[0-9a-f]+\]/.test(l) || l.trim() === "";
  return {
    scavenges: inside.filter((l) => l.includes("Scavenge")).length,
    markCompacts: inside.filter((l) => l.includes("Mark-Compact") || l.includes("Mark-sweep"))
      .length,
    output: inside.filter((l) => !isGcLine(l)),
    after: lines.slice(end + 1).filter((l) => !isGcLine(l)),
    stdout,
  };
}
