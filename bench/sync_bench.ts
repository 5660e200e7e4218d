/**
 * Sync benchmarks against the iFlow simulator running in its own process.
 *
 * 1. Drain journaled scans: a child process fills a journal, then a fresh
 *    child process (the agent after a restart with that backlog) opens it and
 *    drains it into the simulator: records/s, the agent's CPU per record,
 *    where the time goes, and the drain's peak RSS (VmHWM; target < 96 MiB).
 *    Two references, measured in the same run against a simulator with the
 *    same reply delay:
 *    - the simulator's pace: batch records / (the delay it really applied +
 *      its own time per batch), both from its `/__sim/stats` counters during
 *      the drain itself (a 1 ms timer fires after ~1.1–2 ms);
 *    - a bare client: the same batches as bare GETs, one at a time, no
 *      journal and no reply checks, on a fresh simulator before and after the
 *      drain (the machine drifts). Its own ratio to the simulator's pace is
 *      what any client loses to HTTP and loopback outside the handler.
 * 2. Online scan-to-iFlow latency (append + fsync → iFlow's reply), one scan at
 *    a time with an idle engine woken by `wake()`: p50/p99 (target p99 < 1 s).
 *
 * The drain child runs with the runtime flags of `deno task start` (the V8
 * memory flags the agent ships with), so its RSS is the integrator's.
 *
 * Run: `deno bench -A bench/sync_bench.ts`
 * Env: SYNC_BENCH_SCANS=N (drain size), SYNC_BENCH_V8_FLAGS=a,b (other V8 flags
 * for the drain child; "none" for V8's defaults), SYNC_BENCH_SIM_LATENCY_MS=N
 * (the simulators wait N ms before each reply, like a real network; the
 * report runs 1 ms and 50 ms: then nothing but the round trip should bound
 * the drain).
 */
import { IflowClient, parseIflowConfig } from "../service/iflow/mod.ts";
import { Http1Client } from "../service/iflow/http1.ts";
import { Journal } from "../service/journal/mod.ts";
import type { ScanInput } from "../service/journal/mod.ts";
import { SyncEngine, type SyncJournal } from "../service/sync/mod.ts";
import { START_FLAGS } from "../test/support/start_flags.ts";
import { benchNote } from "./notes.ts";
import { type SimChild, type SimPhase, startSimChild } from "./sync_sim.ts";
import process from "node:process";

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

/** This process's CPU time so far (user + system, all threads, getrusage), ms. */
function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const EMPLOYEE_LIST = Array.from({ length: EMPLOYEES }, (_, i) => ({
  id: String(30000 + i),
  fullName: `Angajat ${i}`,
  rfid: tagOf(i),
  from: "2020-01-01",
}));

/** A simulator child waiting {@link SIM_LATENCY_MS} before each reply. */
const simChild = (dir: string) =>
  startSimChild({
    config: CONFIG,
    dir,
    token: TOKEN,
    employees: EMPLOYEE_LIST,
    latencyMs: SIM_LATENCY_MS,
  });

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
  const cpu0 = selfCpuMs();
  const t = performance.now();
  const r = await engine.syncOnce();
  const drainMs = performance.now() - t;
  const drainCpuMs = selfCpuMs() - cpu0;
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
 * The bare client: the same batches (same records, same URLs), sent one at a
 * time with the same HTTP client, with no journal and no reply checks.
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
  const cpu0 = selfCpuMs();
  const t = performance.now();
  for (const u of urls) {
    const r = await http.get(u);
    if (r.status !== 200) throw new Error(`simulator answered ${r.status}`);
  }
  const bareMs = performance.now() - t;
  const bareCpuMs = selfCpuMs() - cpu0;
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

/** Runs `child` against a simulator with its figures over that phase. */
async function withSim<T>(
  sim: SimChild,
  child: () => Promise<T>,
): Promise<{ r: T; sim: SimPhase }> {
  const end = await sim.phase();
  const r = await child();
  return { r, sim: await end() };
}

/** The simulator's pace over a phase: batch records / (applied delay + own time), records/s. */
const simPace = (records: number, p: SimPhase) =>
  (records / p.batches) / ((p.delayMs + p.serviceMs) / 1000);

Deno.bench({
  name: `sync drain ${SCANS} journaled scans into the simulator${
    SIM_LATENCY_MS > 0 ? ` answering after ${SIM_LATENCY_MS} ms` : ""
  }${V8_FLAGS.length ? ` (${V8_FLAGS.join(" ")})` : " (V8 defaults)"}`,
  n: 1,
  warmup: 0,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pontaj-sync-bench-" });
    /** The bare client on a fresh simulator (it stores what it is sent). */
    const bare = async () => {
      const sim = await simChild(dir);
      try {
        return await withSim(sim, () => runChild(["bare", sim.url], V8_FLAGS));
      } finally {
        await sim.close();
      }
    };
    try {
      // The bare client before and after the drain: the machine's pace drifts.
      const before = await bare();
      const fill = await runChild(["fill", `${dir}/journal`]);
      const sim = await simChild(dir);
      let drain: { r: Record<string, number>; sim: SimPhase };
      try {
        drain = await withSim(sim, () => runChild(["drain", sim.url, `${dir}/journal`], V8_FLAGS));
      } finally {
        await sim.close();
      }
      const f = drain.r;
      if (!f.ok) throw new Error(`drain incomplete: ${JSON.stringify(f)}`);
      const after = await bare();
      const drainRate = SCANS / (f.drainMs! / 1000);
      const bareRates = [before, after].map((b) => SCANS / (b.r.bareMs! / 1000));
      const bareRate = (2 * SCANS) / ((before.r.bareMs! + after.r.bareMs!) / 1000);
      const ref = simPace(SCANS, drain.sim);
      const bareRefs = [before, after].map((b) => simPace(SCANS, b.sim));
      const s = (ms: number) => (ms / 1000).toFixed(2);
      const ms2 = (ms: number) => ms.toFixed(2);
      const n = f.batches!;
      const bareBatches = before.r.batches! + after.r.batches!;
      const ratio = (x: number) => x.toFixed(2);
      benchNote(
        `  fill (separate process): ${SCANS} appends in ${s(fill.fillMs!)} s; reopen ${
          s(f.openMs!)
        } s\n` +
          `  drain: ${SCANS} records, ${n} batches in ${s(f.drainMs!)} s = ` +
          `${Math.round(drainRate)} records/s; agent CPU ${
            ms2(f.drainCpuMs! / n)
          } ms per batch = ` +
          `${(f.drainCpuMs! * 1000 / SCANS).toFixed(1)} µs per record\n` +
          `  where the drain's time goes: iFlow round trips ${s(f.roundTripMs!)} s ` +
          `(${ms2(f.roundTripMs! / n)} ms per batch), the agent between a reply and the next ` +
          `send ${ms2((f.drainMs! - f.roundTripMs!) / n)} ms per batch; overlapped with the ` +
          `round trips: journal pending() ${s(f.pendingMs!)} s, recordOutcomes() ${
            s(f.recordMs!)
          } s\n` +
          `  simulator during the drain (asked to wait ${SIM_LATENCY_MS} ms): delay applied ` +
          `${ms2(drain.sim.delayMs)} ms, own time ${ms2(drain.sim.serviceMs)} ms per batch ` +
          `(CPU ${ms2(drain.sim.cpuMs / n)} ms); simulator's pace ${
            Math.round(ref)
          } records/s; drain / simulator's pace = ${ratio(drainRate / ref)}\n` +
          `  bare client (the same ${before.r.batches} batches as bare GETs, one at a time, no ` +
          `journal, no reply checks; before and after the drain): ` +
          `${Math.round(bareRates[0]!)} and ${Math.round(bareRates[1]!)} records/s ` +
          `(bare client / simulator's pace ${ratio(bareRates[0]! / bareRefs[0]!)} and ${
            ratio(bareRates[1]! / bareRefs[1]!)
          }); drain / bare client = ${ratio(drainRate / bareRate)}\n` +
          `  CPU per batch (2 cores shared): drain: agent ${ms2(f.drainCpuMs! / n)} ms, ` +
          `simulator ${ms2(drain.sim.cpuMs / n)} ms; bare: client ${
            ms2((before.r.bareCpuMs! + after.r.bareCpuMs!) / bareBatches)
          } ms, simulator ${ms2((before.sim.cpuMs + after.sim.cpuMs) / bareBatches)} ms\n` +
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
    const sim = await simChild(dir);
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
