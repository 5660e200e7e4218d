/**
 * The load run shared by `load_test.ts` (5 s), the soak and the benchmark
 * report (60 s): a burst far beyond any real gate (1,000 scans/s across
 * several readers) into the real agent while iFlow is down (every connection
 * dropped), then iFlow comes back and the backlog drains. Checks that nothing
 * is lost and measures the journal rate, drain rate and the agent's memory.
 *
 * The burst goes to byte-stream readers (ASCII and line kinds on ptys): the
 * other kinds are bound by their physical layer far below 1,000/s (a Wiegand
 * frame takes tens of ms on the wire, OSDP delivers one card per poll, an
 * RC522 card sits in the field), and the chaos run covers them.
 *
 *   deno run -A test/reliability/load.ts [--seconds 60] [--rate 1000]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ProcMem, settledMem } from "../support/proc_mem.ts";
import type { MemoryStatus } from "../../service/status/snapshot.ts";
import { demoReader } from "../../service/demo/sim_readers.ts";
import { DEMO_TOKEN } from "../../service/iflow/sim/model.ts";
import { type IflowSimulator, startIflowSimulator } from "../../service/iflow/sim/simulator.ts";
import { type Ack, checkDelivery, type DeliveryReport, readArchive } from "./delivery.ts";
import type { StoredAttendance } from "../../service/iflow/sim/model.ts";
import {
  AgentChild,
  agentConfig,
  employeesFor,
  exportRows,
  knownTag,
  printFigures,
  type SimReader,
  waitUntil,
  writeConfig,
} from "./harness.ts";

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Scans per second across all readers (default 1000). */
  rate?: number;
  /** Seconds of burst (default 60). */
  seconds?: number;
  /** Readers (half ASCII, half line; default 8). */
  readers?: number;
  /** Progress lines. */
  progress?: (line: string) => void;
  /** How long the agent may settle after the drain before its RSS is read, ms (default 3,000). */
  afterDrainSettleMs?: number;
  /**
   * Archive retired segments (default true: the delivery check then reads
   * every scan back from the journal and its archive). False runs the
   * shipped default (retired segments deleted): the check is then that every
   * acknowledged scan reached iFlow exactly once and nothing else did.
   */
  archive?: boolean;
}

/** What a load run measured. */
export interface LoadResult extends DeliveryReport {
  /** Scans written. */
  written: number;
  /** Burst length, ms (as achieved). */
  burstMs: number;
  /** Scans acknowledged (journaled) by the end of the burst plus the time to catch up, per second. */
  journalRate: number;
  /** From the end of the burst until every scan was acknowledged, ms. */
  catchUpMs: number;
  /** Backlog when iFlow came back. */
  backlog: number;
  /** From iFlow's return until the backlog was empty, ms (includes the reconnect jitter, ≤ 500 ms). */
  drainMs: number;
  /** Records delivered per second while draining. */
  drainRate: number;
  /** Agent RSS when idle before the burst (settled), MiB. */
  rssIdleMiB: number;
  /** The idle reading split into anonymous and file-backed pages. */
  idleMem: ProcMem;
  /** Largest agent RSS seen with the backlog (read every 250 ms from the burst to the drained journal), MiB. */
  rssBacklogMiB: number;
  /** Agent RSS once the drain is over and the agent settled again, MiB. */
  rssAfterDrainMiB: number;
  /** The after-drain reading split into anonymous and file-backed pages. */
  afterDrainMem: ProcMem;
  /** The agent's own view (`/health` memory: V8 heap, external) idle, with the full backlog, after the drain. */
  heap: {
    idle: MemoryStatus | null;
    backlog: MemoryStatus | null;
    /** The reading (one a second) with the largest RSS from the burst to the drained journal. */
    peak: MemoryStatus | null;
    afterDrain: MemoryStatus | null;
  };
  /** The agent's peak RSS (VmHWM) over the whole run, MiB. */
  peakRssMiB: number;
  /** Exit code of the final SIGTERM stop. */
  exitCode: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (kib: number) => Math.round(kib / 102.4) / 10;

/**
 * iFlow "down": a port held by a listener that drops every connection at
 * once (no other test can take the port meanwhile); `release()` frees it for
 * the simulator.
 */
function downServer(): { port: number; release(): Promise<void> } {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const loop = (async () => {
    try {
      for await (const conn of l) conn.close();
    } catch {
      // closed
    }
  })();
  let open = true;
  return {
    port: (l.addr as Deno.NetAddr).port,
    release: async () => {
      if (!open) return;
      open = false;
      l.close();
      await loop;
    },
  };
}

/** Runs the load scenario. */
export async function runLoad(opts: LoadOptions = {}): Promise<LoadResult> {
  const rate = opts.rate ?? 1000;
  const seconds = opts.seconds ?? 60;
  const say = opts.progress ?? (() => {});
  const total = Math.round(rate * seconds);
  const readers: SimReader[] = [];
  for (let i = 0; i < (opts.readers ?? 8); i++) {
    readers.push(
      await (i % 2 === 0
        ? demoReader("ascii", `burst-ascii-${i}`)
        : demoReader("line", `burst-line-${i}`)),
    );
  }
  const down = downServer();
  const port = down.port;
  const url = `http://127.0.0.1:${port}/api/rfid_v2/offline_attendance/store_attendances`;
  const dir = await Deno.makeTempDir({ prefix: "pontaj-load-" });
  const configPath = `${dir}/pontaj.jsonc`;
  const config = agentConfig(`${dir}/journal`, url, DEMO_TOKEN, readers, {
    batchSize: 50,
    maxUrlBytes: 8000,
    timeoutMs: 5000,
    reconnectJitterMs: 500,
    backoffBaseMs: 100,
    backoffCapMs: 1000,
  });
  (config.journal as Record<string, unknown>).segmentBytes = 1 << 20;
  (config.journal as Record<string, unknown>).archive = opts.archive ?? true;
  await writeConfig(configPath, config);
  const agent = new AgentChild({ configPath });
  let sim: IflowSimulator | null = null;
  let polling = true;
  let rssBacklog = 0;
  let heapPeak: MemoryStatus | null = null;
  let heapPolls = 0;
  const poller = (async () => {
    while (polling) {
      const m = agent.rss();
      if (m) rssBacklog = Math.max(rssBacklog, m.rssKiB);
      if (rssBacklog > 0 && heapPolls++ % 4 === 0) {
        const h = (await agent.health())?.memory;
        if (h && h.rssMiB > (heapPeak?.rssMiB ?? 0)) heapPeak = h;
      }
      await sleep(250);
    }
  })();
  try {
    await agent.waitReady(readers.length);
    const idleMem = await settledMem(agent.pid);
    const heapIdle = (await agent.health())?.memory ?? null;
    rssBacklog = 0;

    // The burst, paced to `rate`, round robin over the readers (one write in flight per reader).
    const chains = readers.map(() => Promise.resolve());
    const t0 = performance.now();
    let written = 0;
    let nextNote = rate * 10;
    while (written < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      for (; written < due; written++) {
        const k = written % readers.length;
        const tag = knownTag(written);
        chains[k] = chains[k]!.then(() => readers[k]!.tap(tag));
      }
      await sleep(2);
      if (written >= nextNote) {
        say(`burst: ${written} of ${total} written`);
        nextNote += rate * 10;
      }
    }
    await Promise.all(chains);
    const burstMs = performance.now() - t0;
    await waitUntil(() => agent.acks.length >= total, `${total} scans journaled`, 600_000, 50);
    const catchUpMs = performance.now() - t0 - burstMs;
    const atBacklog = await agent.health();
    const backlog = atBacklog?.journal.pending ?? -1;
    say(
      `burst done in ${Math.round(burstMs)} ms; all journaled ${
        Math.round(catchUpMs)
      } ms later; backlog ${backlog}`,
    );

    const employees = employeesFor(total);
    await down.release();
    sim = await startIflowSimulator({ port, employees });
    const tBack = performance.now();
    await waitUntil(
      async () => (await agent.health())?.journal.pending === 0,
      "the backlog to drain",
      900_000,
      50,
    );
    const drainMs = performance.now() - tBack;
    say(`drained ${backlog} in ${Math.round(drainMs)} ms`);
    polling = false;
    await poller;
    const afterDrainMem = await settledMem(agent.pid, opts.afterDrainSettleMs ?? 3000);
    const heapAfter = (await agent.health())?.memory ?? null;
    const peak = agent.rss()?.peakKiB ?? 0;
    const exitCode = (await agent.stop()).code;

    const tapped = new Set(Array.from({ length: total }, (_, i) => knownTag(i)));
    const report = opts.archive === false
      ? checkStoredOnce(agent.acks, sim.stored(), tapped)
      : checkDelivery({
        rows: await exportRows(configPath),
        retired: await readArchive(`${dir}/journal`),
        stored: sim.stored(),
        acks: agent.acks,
        tapped,
        mustJournal: tapped,
      });
    return {
      ...report,
      written: total,
      burstMs: Math.round(burstMs),
      journalRate: Math.round(total / ((burstMs + catchUpMs) / 1000)),
      catchUpMs: Math.round(catchUpMs),
      backlog,
      drainMs: Math.round(drainMs),
      drainRate: Math.round(backlog / (drainMs / 1000)),
      rssIdleMiB: idleMem.rssMiB,
      idleMem,
      rssBacklogMiB: mib(rssBacklog),
      rssAfterDrainMiB: afterDrainMem.rssMiB,
      afterDrainMem,
      heap: {
        idle: heapIdle,
        backlog: atBacklog?.memory ?? null,
        peak: heapPeak,
        afterDrain: heapAfter,
      },
      peakRssMiB: mib(peak),
      exitCode,
    };
  } finally {
    polling = false;
    await poller;
    await down.release();
    if (!agent.dead) await agent.kill();
    await sim?.close();
    for (const r of readers) await r.close().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * The check of a run whose retired segments were deleted (nothing to read
 * back): every tapped card acknowledged once and stored at iFlow once, and
 * nothing stored that was not tapped.
 */
export function checkStoredOnce(
  acks: readonly Ack[],
  stored: readonly StoredAttendance[],
  tapped: ReadonlySet<string>,
): DeliveryReport {
  const v: string[] = [];
  const add = (s: string) => void (v.length < 50 && v.push(s));
  const count = (tags: Iterable<string>) => {
    const m = new Map<string, number>();
    for (const t of tags) m.set(t, (m.get(t) ?? 0) + 1);
    return m;
  };
  const acked = count(acks.map((a) => a.tag));
  const at = count(stored.map((s) => s.rfidTag));
  for (const t of tapped) {
    if (acked.get(t) !== 1) add(`${t} acknowledged ${acked.get(t) ?? 0} times`);
    if (at.get(t) !== 1) add(`${t} stored at iFlow ${at.get(t) ?? 0} times`);
  }
  for (const t of at.keys()) if (!tapped.has(t)) add(`iFlow holds ${t}, never tapped`);
  return {
    journaled: acks.length,
    synced: [...tapped].filter((t) => at.get(t) === 1).length,
    rejected: 0,
    pending: [...tapped].filter((t) => !at.has(t)).length,
    delivered: stored.length,
    deliveredKeys: new Set(stored.map((s) => `${s.rfidTag}|${s.date}|${s.time}`)).size,
    rereads: 0,
    violations: v,
  };
}

/** The figures of a load run as a name → value table. */
export function loadFigures(r: LoadResult, rate: number): Record<string, string | number> {
  return {
    "burst": `${r.written} scans at ${rate}/s in ${(r.burstMs / 1000).toFixed(1)} s, iFlow down`,
    "journaled (fsynced)":
      `${r.journaled} (${r.journalRate}/s; last one ${r.catchUpMs} ms after the burst)`,
    "backlog when iFlow came back": r.backlog,
    "drain": `${(r.drainMs / 1000).toFixed(1)} s (${r.drainRate} records/s)`,
    "delivered (stored at iFlow)": r.delivered,
    "agent RSS idle / under backlog / after the drain / peak":
      `${r.rssIdleMiB} / ${r.rssBacklogMiB} / ${r.rssAfterDrainMiB} / ${r.peakRssMiB} MiB`,
    "violations": r.violations.length,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string", default: "60" },
      rate: { type: "string", default: "1000" },
    },
  });
  const rate = Number(values.rate);
  const r = await runLoad({
    rate,
    seconds: Number(values.seconds),
    progress: (l) => console.log(`${new Date().toISOString()} ${l}`),
  });
  printFigures(
    `load: ${rate} scans/s for ${values.seconds} s while iFlow is down, then the drain`,
    loadFigures(r, rate),
  );
  for (const v of r.violations) console.log(`  VIOLATION ${v}`);
  Deno.exit(r.violations.length === 0 && r.exitCode === 0 ? 0 : 1);
}
