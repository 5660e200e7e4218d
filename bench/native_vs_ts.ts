/**
 * TS vs C: each hot loop's C reference (bench/native/*.c, `cc -O2`, built
 * into a shared library) and pontaj's TypeScript decode byte-identical inputs
 * made from one seed (bench/native/inputs.ts). Each run starts one process
 * per loop (bench/native/ts_side.ts) in which C and TS take turns, C, TS, C,
 * TS, …, in samples of about 10 ms on the same bytes in memory, timed with the
 * same clock (the thread's CPU time), so load from other jobs on a shared
 * machine hits both alike; the fastest sample of each side counts. Both sides
 * must decode the same count and the same sum; the TS side also reports heap
 * growth over a forced-GC-delimited pass and the scavenges while it ran
 * (1 MiB semi-space, `--trace-gc`).
 *
 *   deno run -A bench/native_vs_ts.ts [--seed 18] [--runs 3] [--samples 15] [--loop NAME]
 *
 * Without a C compiler (`cc`) the C side is skipped with a note.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { probeGc } from "../test/support/gc_probe.ts";
import { LOOP_UNITS, type LoopName, LOOPS, makeInput } from "./native/inputs.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** What one process of bench/native/ts_side.ts printed. */
interface SideRun {
  ts: number;
  c: number | null;
  count: number;
  sum: number;
  heapGrowth: number;
}

/** One loop over all runs. */
export interface LoopComparison {
  loop: LoopName;
  unit: string;
  units: number;
  /** Per run: C ns per unit (the fastest sample). */
  c: number[];
  /** Per run: TS ns per unit (the fastest sample). */
  ts: number[];
  /** Per run: ts / c. */
  ratio: number[];
  count: number;
  sum: number;
  /** Largest heap growth the TS side saw over its measured pass, in bytes. */
  heapGrowth: number;
  /** Scavenges while the samples ran, all runs. */
  scavenges: number;
  /** What went wrong (count or sum mismatch, a failed child), or null. */
  error: string | null;
}

/** The whole comparison. */
export interface NativeComparison {
  seed: number;
  runs: number;
  samples: number;
  compiler: string | null;
  note: string;
  loops: LoopComparison[];
}

/** Options of {@link compareNative}. */
export interface CompareOptions {
  seed?: number;
  runs?: number;
  samples?: number;
  loops?: readonly LoopName[];
  say?: (s: string) => void;
}

async function run(
  cmd: string,
  args: string[],
): Promise<{ ok: boolean; out: string; err: string }> {
  const o = await new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { ok: o.success, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

/** Builds the C references into a shared library in `dir`; returns it and the compiler, or null. */
async function buildNative(dir: string): Promise<{ lib: string; compiler: string } | null> {
  let version: string;
  try {
    const v = await run("cc", ["--version"]);
    if (!v.ok) return null;
    version = v.out.split("\n")[0]!.trim();
  } catch {
    return null;
  }
  const sources: string[] = [];
  for await (const e of Deno.readDir(`${ROOT}bench/native`)) {
    if (e.isFile && e.name.endsWith(".c")) sources.push(`bench/native/${e.name}`);
  }
  const lib = `${dir}/libpontaj_native.so`;
  const flags = ["-O2", "-shared", "-fPIC", "-fvisibility=hidden"];
  const b = await run("cc", [...flags, "-o", lib, ...sources.sort()]);
  if (!b.ok) {
    throw new Error(`cc ${flags.join(" ")} bench/native/*.c failed:\n${b.err.slice(0, 2000)}`);
  }
  return { lib, compiler: `${version}, ${flags.join(" ")}` };
}

function parseLine(text: string): SideRun {
  const line = text.split("\n").reverse().find((l) => l.startsWith("{"));
  if (!line) throw new Error(`no result line in:\n${text.slice(-500)}`);
  return JSON.parse(line) as SideRun;
}

/** Runs the comparison; see the module doc. */
export async function compareNative(o: CompareOptions = {}): Promise<NativeComparison> {
  const seed = o.seed ?? 18;
  const runs = o.runs ?? 3;
  const samples = o.samples ?? 15;
  const say = o.say ?? (() => {});
  const dir = await Deno.makeTempDir({ prefix: "pontaj-native-" });
  try {
    const native = await buildNative(dir);
    const note = native
      ? `C: ${native.compiler}; seed ${seed}; ${runs} runs, each one process per loop where C and TS take ${samples} turns of about 10 ms (C, TS, C, TS, …); the fastest turn of each side counts; thread CPU time`
      : "no C compiler (cc) on this machine: the C side was skipped, TS figures only";
    const loops: LoopComparison[] = [];
    const inputs = new Map<LoopName, { file: string; units: number }>();
    for (const loop of o.loops ?? LOOPS) {
      const input = makeInput(loop, seed);
      const file = `${dir}/${loop}.bin`;
      await Deno.writeFile(file, input.bytes);
      inputs.set(loop, { file, units: input.units });
      loops.push({
        loop,
        unit: LOOP_UNITS[loop],
        units: input.units,
        c: [],
        ts: [],
        ratio: [],
        count: -1,
        sum: -1,
        heapGrowth: 0,
        scavenges: 0,
        error: null,
      });
    }
    for (let r = 0; r < runs; r++) {
      for (const l of loops) {
        if (l.error) continue;
        const { file, units } = inputs.get(l.loop)!;
        const args = [
          l.loop,
          file,
          String(units),
          String(samples),
          ...(native ? [native.lib] : []),
        ];
        try {
          const t = await probeGc(`${ROOT}bench/native/ts_side.ts`, args);
          const s = parseLine(t.after.join("\n"));
          if (l.count < 0) {
            l.count = s.count;
            l.sum = s.sum;
          } else if (s.count !== l.count || s.sum !== l.sum) {
            l.error = `run ${
              r + 1
            } decoded ${s.count} (sum ${s.sum}), run 1 ${l.count} (sum ${l.sum})`;
          }
          l.heapGrowth = Math.max(l.heapGrowth, s.heapGrowth);
          l.scavenges += t.scavenges;
          l.ts.push(s.ts);
          if (s.c !== null) {
            l.c.push(s.c);
            l.ratio.push(s.ts / s.c);
          }
        } catch (e) {
          l.error = (e instanceof Error ? e.message : String(e)).slice(0, 600);
          continue;
        }
        say(
          `run ${r + 1}/${runs} ${l.loop}: ` +
            (native ? `C ${l.c.at(-1)!.toFixed(1)} ns, ` : "") +
            `TS ${l.ts.at(-1)!.toFixed(1)} ns` +
            (native ? `, TS/C ${l.ratio.at(-1)!.toFixed(2)}` : ""),
        );
      }
    }
    return { seed, runs, samples, compiler: native?.compiler ?? null, note, loops };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const range = (xs: number[], digits: number): string => {
  if (xs.length === 0) return "–";
  const lo = Math.min(...xs).toFixed(digits);
  const hi = Math.max(...xs).toFixed(digits);
  return lo === hi ? lo : `${lo}–${hi}`;
};

/** The "TS vs C" Markdown table (ranges over the runs). */
export function nativeTable(c: NativeComparison): string {
  const rows = [
    "| hot loop (unit) | C ns | TS ns | TS / C | same count and sum | heap growth, scavenges (TS) |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const l of c.loops) {
    const same = l.error
      ? `**NO**: ${l.error.replaceAll("\n", " ").replaceAll("|", "/")}`
      : `yes: ${l.count} of ${l.units}, sum ${l.sum}`;
    rows.push(
      `| ${l.unit} | ${range(l.c, 1)} | ${range(l.ts, 1)} | **${
        range(l.ratio, 2)
      }** | ${same} | ${l.heapGrowth} B, ${l.scavenges} |`,
    );
  }
  return rows.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string", default: "18" },
      runs: { type: "string", default: "3" },
      samples: { type: "string", default: "15" },
      loop: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
    },
  });
  const loops = values.loop?.map((l) => {
    if (!LOOPS.includes(l as LoopName)) throw new Error(`unknown loop ${l} (${LOOPS.join(", ")})`);
    return l as LoopName;
  });
  const c = await compareNative({
    seed: Number(values.seed),
    runs: Number(values.runs),
    samples: Number(values.samples),
    loops,
    say: (s) => console.error(s),
  });
  console.log(values.json ? JSON.stringify(c, null, 2) : `${c.note}\n\n${nativeTable(c)}`);
  if (c.loops.some((l) => l.error)) Deno.exit(1);
}
