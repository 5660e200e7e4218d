/**
 * Sync benchmarks against the iFlow simulator running in its own process.
 *
 * 1. Drain 100,000 journaled scans: a child process fills a journal, then a
 *    fresh child process (the agent after a restart with that backlog) opens
 *    it and drains it into the simulator: records/s, where the time goes, and
 *    the drain's peak RSS (VmHWM; target < 96 MiB). Then the simulator's own
 *    pace for comparison: the same batches sent as bare GETs to a fresh
 *    simulator, one at a time, with no journal and no reply checks.
 * 2. Online scan-to-iFlow latency (append + fsync → iFlow's reply), one scan at
 *    a time with an idle engine woken by `wake()`: p50/p99 (target p99 < 1 s).
 *
 * The drain child runs with the runtime flags of `deno task start` (the V8
 * memory flags the agent ships with), so its RSS is the integrator's.
 *
 * Run: `deno bench -A bench/sync_bench.ts`
 * Env: SYNC_BENCH_SCANS=N (drain size), SYNC_BENCH_V8_FLAGS=a,b (other V8 flags
 * for the drain child; "none" for V8's defaults), SYNC_BENCH_SIM_LATENCY_MS=N
 * (the simulators wait N ms before each reply, like a real network: the drain's
 * distance from the simulator's pace is then the agent's fixed cost per batch).
 */
import { IflowClient, parseIflowConfig } from "../service/iflow/mod.ts";
import { Http1Client } from "../service/iflow/http1.ts";
import { Journal } from "../service/journal/mod.ts";
import type { ScanInput } from "../service/journal/mod.ts";
import { SyncEngine, type SyncJournal } from "../service/sync/mod.ts";
import { START_FLAGS } from "../test/support/start_flags.ts";
import { benchNote } from "./notes.ts";

const SCANS = Number(Deno.env.get("SYNC_BENCH_SCANS") ?? 100_000);
/** Delay the simulators add before every reply, ms (0: as fast as they go). */
const SIM_LATENCY_MS = Number(Deno.env.get("SYNC_BENCH_SIM_LATENCY_MS") ?? 0);
const ONLINE = 300;
const EMPLOYEES = 1000;
const TOKEN = "bench-token-5521";
const T0 = Date.UTC(2024, 4, 6, 5, 0, 0);
const MiB = 1024 * 1024;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const V8_ENV = Deno.env.get("SYNC_BENCH_V8_FLAGS");
const V8_FLAGS = V8_ENV === "none" ? [] : V8_ENV ? [`--v8-flags=${V8_ENV}`] : START_FLAGS;

const p2 = (n: number) => String(n).padStart(2, "0");
/** Bucharest summer time (UTC+3) date/time, enough for the fixed May dates used here. */
function stamp(epochMs: number): { date: string; time: string } {
  const d = new Date(epochMs + 3 * 3600_000);
  return {
    date: `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`,
    time: `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`,
  };
}
const tagOf = (i: number) => String(1_000_000 + (i % EMPLOYEES)).padStart(10, "0");
function scan(i: number, epochMs: number): ScanInput {
  return {
    reader: "gate-1",
    rfidTag: tagOf(i),
    epochMs,
    ...stamp(epochMs),
    utcOffsetMin: 180,
    bootId: "bench",
    clockUnsynced: false,
    errorMsg: "",
  };
}

/** CPU time (user + system, all threads) of process `pid` so far, ms; 10 ms resolution. */
function cpuMs(pid: number | "self"): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10; // utime, stime in USER_HZ (100/s) ticks
}

interface SimChild {
  url: string;
  /** The simulator's CPU time so far, ms. */
  cpuMs: () => number;
  close: () => Promise<void>;
}

async function startSimChild(dir: string): Promise<SimChild> {
  const employees = Array.from({ length: EMPLOYEES }, (_, i) => ({
    id: String(30000 + i),
    fullName: `Angajat ${i}`,
    rfid: tagOf(i),
    from: "2020-01-01",
  }));
  const file = `${dir}/employees.json`;
  await Deno.writeTextFile(file, JSON.stringify(employees));
  const cli = new URL("../service/iflow/sim/cli.ts", import.meta.url).href;
  const args = ["--port", "0", "--employees", file, "--token", TOKEN];
  if (SIM_LATENCY_MS > 0) args.push("--latency", String(SIM_LATENCY_MS));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--config",
      CONFIG,
      `import { runIflowSim } from "${cli}"; Deno.exit(await runIflowSim(${
        JSON.stringify(args)
      }));`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/offline: \S+\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`simulator did not start: ${text}`);
    text += value;
  }
  return {
    url: /offline: (\S+)/.exec(text)![1]!,
    cpuMs: () => cpuMs(child.pid),
    close: async () => {
      child.kill("SIGTERM");
      while (!(await reader.read()).done) { /* drain */ }
      await child.status;
    },
  };
}

/** Runs this file as a child in `mode`; returns the JSON it prints last. */
async function runChild(mode: unknown[], v8: string[] = []): Promise<Record<string, number>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...v8, "--config", CONFIG, import.meta.filename!],
    env: { SYNC_BENCH_CHILD: JSON.stringify(mode) },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) throw new Error(`bench child ${JSON.stringify(mode)} failed: ${text}`);
  return JSON.parse(text.split("\n").pop()!);
}

/** Peak RSS of this process (VmHWM), bytes. */
async function peakRss(): Promise<number> {
  const m = /VmHWM:\s+(\d+) kB/.exec(await Deno.readTextFile("/proc/self/status"));
  return m ? Number(m[1]) * 1024 : Deno.memoryUsage().rss;
}

async function fillChild(dir: string): Promise<void> {
  const journal = await Journal.open(dir);
  const t = performance.now();
  for (let i = 0; i < SCANS; i += 1000) {
    const chunk = [];
    for (let k = i; k < Math.min(SCANS, i + 1000); k++) {
      chunk.push(journal.append(scan(k, T0 + k * 1000)));
    }
    await Promise.all(chunk);
  }
  const fillMs = performance.now() - t;
  await journal.close();
  console.log(JSON.stringify({ fillMs }));
}

async function drainChild(url: string, dir: string): Promise<void> {
  const tOpen = performance.now();
  const journal = await Journal.open(dir);
  const openMs = performance.now() - tOpen;
  let pendingMs = 0;
  let recordMs = 0;
  const timed: SyncJournal = {
    pending: async (n, after) => {
      const t = performance.now();
      try {
        return await journal.pending(n, after);
      } finally {
        pendingMs += performance.now() - t;
      }
    },
    recordOutcomes: async (l) => {
      const t = performance.now();
      try {
        await journal.recordOutcomes(l);
      } finally {
        recordMs += performance.now() - t;
      }
    },
    stats: () => journal.stats(),
  };
  const engine = new SyncEngine(timed, {
    iflow: parseIflowConfig({ url, accessToken: TOKEN, reconnectJitterMs: 0 }),
  });
  const rssOpen = Deno.memoryUsage().rss;
  const cpu0 = cpuMs("self");
  const t = performance.now();
  const r = await engine.syncOnce();
  const drainMs = performance.now() - t;
  const drainCpuMs = cpuMs("self") - cpu0;
  const st = engine.status();
  await engine.stop();
  const peak = await peakRss();
  await journal.close();
  console.log(JSON.stringify({
    ok: r.ok && r.accepted === SCANS ? 1 : 0,
    batches: r.batches,
    openMs,
    drainMs,
    drainCpuMs,
    roundTripMs: st.latency.sum,
    pendingMs,
    recordMs,
    rssOpen,
    peak,
  }));
}

/**
 * The simulator's own pace: the same batches (same records, same URLs), sent
 * one at a time with the same HTTP client, with no journal and no reply checks.
 */
async function bareChild(url: string): Promise<void> {
  const client = new IflowClient(
    parseIflowConfig({ url, accessToken: TOKEN, reconnectJitterMs: 0 }),
  );
  const cfg = parseIflowConfig({ url, accessToken: TOKEN });
  const wires = Array.from({ length: SCANS }, (_, k) => {
    const r = scan(k, T0 + k * 1000);
    return { date: r.date, time: r.time, rfidTag: r.rfidTag, errorMsg: r.errorMsg };
  });
  const urls: string[] = [];
  for (let i = 0; i < wires.length;) {
    const b = client.prepare(wires.slice(i, i + cfg.batchSize), cfg.batchSize, cfg.maxUrlBytes);
    urls.push(b.url);
    i += b.records.length;
  }
  client.close();
  const http = new Http1Client({ userAgent: "pontaj-bench" });
  const cpu0 = cpuMs("self");
  const t = performance.now();
  for (const u of urls) {
    const r = await http.get(u);
    if (r.status !== 200) throw new Error(`simulator answered ${r.status}`);
  }
  const bareMs = performance.now() - t;
  const bareCpuMs = cpuMs("self") - cpu0;
  http.close();
  console.log(JSON.stringify({ bareMs, bareCpuMs, batches: urls.length }));
}

const childMode = Deno.env.get("SYNC_BENCH_CHILD");
if (childMode) {
  const [mode, a, b] = JSON.parse(childMode) as string[];
  if (mode === "fill") await fillChild(a!);
  else if (mode === "bare") await bareChild(a!);
  else await drainChild(a!, b!);
  Deno.exit(0);
}

Deno.bench({
  name: `sync drain ${SCANS} journaled scans into the simulator${
    V8_FLAGS.length ? ` (${V8_FLAGS.join(" ")})` : " (V8 defaults)"
  }`,
  n: 1,
  warmup: 0,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pontaj-sync-bench-" });
    /** The simulator's own pace, on a fresh simulator (it stores what it is sent). */
    const barePace = async (): Promise<Record<string, number>> => {
      const sim = await startSimChild(dir);
      try {
        const c0 = sim.cpuMs();
        const r = await runChild(["bare", sim.url], V8_FLAGS);
        return { ...r, simCpuMs: sim.cpuMs() - c0 };
      } finally {
        await sim.close();
      }
    };
    try {
      // The simulator alone before and after the drain: the machine's pace drifts.
      const before = await barePace();
      const fill = await runChild(["fill", `${dir}/journal`]);
      const sim = await startSimChild(dir);
      let f: Record<string, number>;
      let simCpuMs: number;
      try {
        const c0 = sim.cpuMs();
        f = await runChild(["drain", sim.url, `${dir}/journal`], V8_FLAGS);
        simCpuMs = sim.cpuMs() - c0;
      } finally {
        await sim.close();
      }
      if (!f.ok) throw new Error(`drain incomplete: ${JSON.stringify(f)}`);
      const after = await barePace();
      const bareRate = (2 * SCANS) / ((before.bareMs! + after.bareMs!) / 1000);
      const drainRate = SCANS / (f.drainMs! / 1000);
      const s = (ms: number) => (ms / 1000).toFixed(2);
      const perBatch = (ms: number, batches: number) => (ms / batches).toFixed(2);
      const bareBatches = before.batches! + after.batches!;
      benchNote(
        `  fill (separate process): ${SCANS} appends in ${s(fill.fillMs!)} s; reopen ${
          s(f.openMs!)
        } s\n` +
          `  drain: ${SCANS} records, ${f.batches} batches in ${s(f.drainMs!)} s = ` +
          `${Math.round(drainRate)} records/s\n` +
          `  sums: iFlow round trips ${s(f.roundTripMs!)} s, journal pending() ${
            s(f.pendingMs!)
          } s, ` +
          `journal recordOutcomes() ${s(f.recordMs!)} s (these overlap: the next batch is sent ` +
          `while outcomes are written)\n` +
          `  simulator alone (the same ${before.batches} batches as bare GETs, one at a time, ` +
          `no journal, no reply checks; before and after the drain): ` +
          `${Math.round(SCANS / (before.bareMs! / 1000))} and ` +
          `${Math.round(SCANS / (after.bareMs! / 1000))} records/s; ` +
          `drain / simulator alone = ${(drainRate / bareRate).toFixed(2)}\n` +
          `  CPU per batch (2 cores shared): drain: agent ${
            perBatch(f.drainCpuMs!, f.batches!)
          } ms, ` +
          `simulator ${perBatch(simCpuMs, f.batches!)} ms; simulator alone: client ${
            perBatch(before.bareCpuMs! + after.bareCpuMs!, bareBatches)
          } ms, simulator ${perBatch(before.simCpuMs! + after.simCpuMs!, bareBatches)} ms\n` +
          `  agent RSS after opening the journal ${(f.rssOpen! / MiB).toFixed(1)} MiB, ` +
          `peak (VmHWM) ${(f.peak! / MiB).toFixed(1)} MiB (target < 96 MiB)`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

Deno.bench({
  name: `sync online scan-to-iFlow latency (${ONLINE} scans, idle engine, wake())`,
  n: 1,
  warmup: 0,
  async fn(b) {
    const dir = await Deno.makeTempDir({ prefix: "pontaj-sync-bench-" });
    const sim = await startSimChild(dir);
    const journal = await Journal.open(`${dir}/journal`);
    const replied = new Map<number, number>();
    let waiter: (() => void) | null = null;
    const watched: SyncJournal = {
      pending: (n, after) => journal.pending(n, after),
      recordOutcomes: async (l) => {
        const t = performance.now(); // iFlow's reply is in hand: the scan is at iFlow
        for (const x of l) replied.set(x.seq, t);
        waiter?.();
        await journal.recordOutcomes(l);
      },
      stats: () => journal.stats(),
    };
    const engine = new SyncEngine(watched, {
      iflow: parseIflowConfig({ url: sim.url, accessToken: TOKEN, reconnectJitterMs: 0 }),
    });
    engine.start();
    const lat: number[] = [];
    b.start();
    for (let i = 0; i < ONLINE; i++) {
      const t0 = performance.now();
      const seq = await journal.append(scan(i, Date.now()));
      engine.wake();
      while (!replied.has(seq)) await new Promise<void>((r) => (waiter = r));
      lat.push(replied.get(seq)! - t0);
      await new Promise((r) => setTimeout(r, 2));
    }
    b.end();
    await engine.stop();
    await journal.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
    lat.sort((x, y) => x - y);
    benchNote(
      `  scan (append+fsync) -> iFlow reply: p50 ${percentile(lat, 0.5).toFixed(1)} ms, ` +
        `p99 ${percentile(lat, 0.99).toFixed(1)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms ` +
        `(target p99 < 1000 ms)`,
    );
  },
});
