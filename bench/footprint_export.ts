/**
 * `cli export` of a large journal under a fast and a slow consumer: the peak
 * RSS of the export process (VmHWM, read every 50 ms while it runs; the peak
 * is a high-water mark, so each reading covers everything before it), the
 * rows and bytes the consumer received, and how long it took.
 *
 * The slow consumer reads one 16 KiB chunk, then waits 2 ms (at most ~8 MB/s):
 * the pipe fills and every write of pontaj's has to wait for it, which is
 * what a slow consumer looks like. pontaj must not buffer meanwhile.
 *
 * @module
 */

import { DENO_JSON, START_FLAGS } from "../test/support/start_flags.ts";
import { procMem } from "../test/support/proc_mem.ts";
import { agentConfig, writeConfig } from "../test/reliability/harness.ts";
import { buildJournal } from "../test/service/journal/fixtures/build_journal.ts";

/** Path of the CLI entry point. */
const MAIN = new URL("../service/main.ts", import.meta.url).pathname;

/** A journal of `records` scans ready for `cli export`. */
export interface ExportFixture {
  /** Its config file. */
  configPath: string;
  /** Records in it. */
  records: number;
  /** Removes it. */
  remove(): Promise<void>;
}

/** Builds a journal of `records` scans (40 % synced, the rest pending) and a config naming it. */
export async function exportFixture(records: number): Promise<ExportFixture> {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-footprint-export-" });
  await Deno.mkdir(`${dir}/journal`);
  await buildJournal(`${dir}/journal`, records, { accepted: Math.floor(records * 0.4) });
  const configPath = `${dir}/pontaj.jsonc`;
  const token = "footprint-bench-token-0123";
  await writeConfig(
    configPath,
    agentConfig(`${dir}/journal`, "http://127.0.0.1:9/", token, []),
  );
  return {
    configPath,
    records,
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

/** What one export run measured. */
export interface ExportRun {
  /** `jsonl` or `csv`. */
  format: "jsonl" | "csv";
  /** `fast` or `slow`. */
  consumer: "fast" | "slow";
  /** Peak RSS of the export process, MiB. */
  peakMiB: number;
  /** Lines received (CSV: with the header). */
  lines: number;
  /** Bytes received. */
  bytes: number;
  /** Wall time, s. */
  seconds: number;
  /** Exit code. */
  code: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `deno task cli export --config FILE --format F` once with `consumer`
 * reading; `flags` are the runtime flags (default: the `cli` task's, which
 * are the `start` task's, as `test/service/tasks_test.ts` checks).
 */
export async function runExport(
  fixture: ExportFixture,
  format: "jsonl" | "csv",
  consumer: "fast" | "slow",
  flags: string[] = START_FLAGS,
): Promise<ExportRun> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...flags,
      "--config",
      DENO_JSON,
      MAIN,
      "export",
      "--config",
      fixture.configPath,
      "--format",
      format,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peak = 0;
  const look = () => peak = Math.max(peak, procMem(child.pid)?.hwmMiB ?? 0);
  const poll = setInterval(look, 50);
  const errText = new Response(child.stderr).text();
  let lines = 0;
  let bytes = 0;
  try {
    const reader = child.stdout.getReader({ mode: "byob" });
    let buf = new Uint8Array(16 * 1024);
    for (;;) {
      const r = await reader.read(buf);
      if (r.done) break;
      const chunk = r.value;
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      buf = new Uint8Array(chunk.buffer);
      if (consumer === "slow") await sleep(2);
    }
    look();
  } finally {
    clearInterval(poll);
  }
  const status = await child.status;
  const stderr = await errText;
  if (!status.success) throw new Error(`cli export failed (${status.code}): ${stderr.slice(-500)}`);
  return {
    format,
    consumer,
    peakMiB: peak,
    lines,
    bytes,
    seconds: (performance.now() - t0) / 1000,
    code: status.code,
  };
}

/**
 * The export part of the footprint bench alone: builds one journal, then
 * runs each format with each consumer `--runs` times and prints one line per
 * run (peak RSS, lines, bytes, seconds).
 *
 *   deno run -A bench/footprint_export.ts [--records 1000000] [--runs 3] [--formats jsonl,csv]
 */
async function main(): Promise<void> {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({
    options: {
      records: { type: "string", default: "1000000" },
      runs: { type: "string", default: "3" },
      formats: { type: "string", default: "jsonl,csv" },
      consumers: { type: "string", default: "fast,slow" },
    },
  });
  const records = Number(values.records);
  const runs = Number(values.runs);
  const formats = values.formats.split(",") as ("jsonl" | "csv")[];
  const consumers = values.consumers.split(",") as ("fast" | "slow")[];
  const fixture = await exportFixture(records);
  try {
    await runExport(fixture, formats[0]!, "fast"); // transpiles the graph once, unmeasured
    for (let i = 0; i < runs; i++) {
      for (const format of formats) {
        for (const consumer of consumers) {
          const r = await runExport(fixture, format, consumer);
          console.log(
            `run ${i + 1} ${format} ${consumer}: peak ${r.peakMiB.toFixed(1)} MiB, ` +
              `${r.lines} lines, ${r.bytes} bytes, ${r.seconds.toFixed(1)} s`,
          );
        }
      }
    }
  } finally {
    await fixture.remove();
  }
}

if (import.meta.main) await main();
