/**
 * `deno task demo`: the whole agent with no hardware and no config. It starts
 * the iFlow simulator on loopback and one simulated reader of every
 * implemented kind on real ptys, taps the cards of a few demo employees
 * (an unknown card and a quick double tap among them), journals and syncs
 * them, takes iFlow away (an outage) while scans keep coming, brings it back
 * and drains the backlog. The first reader sits at a turnstile (policy
 * `known`): it stays shut for cards iFlow has not answered for yet, opens for
 * cards it learned (also during the outage), stays shut for refused ones, and
 * records whether the person passed. Live progress on the terminal, a summary at the
 * end, exit 0 by itself in under a minute (`--duration SECONDS` taps longer).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Agent } from "./agent.ts";
import { validateConfig } from "./config/mod.ts";
import { DEMO_EMPLOYEES, DEMO_TOKEN } from "./iflow/sim/model.ts";
import { type IflowSimulator, startIflowSimulator } from "./iflow/sim/simulator.ts";
import { createLogger } from "./log.ts";
import { demoDeviceOverrides, type DemoReader, demoReaders } from "./demo/sim_readers.ts";
import { progressLine, ProgressWriter } from "./demo/progress.ts";
import { demoGate, describeDecision } from "./demo/gate.ts";

const UNKNOWN_TAG = "0000424242";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Extra seconds of random taps before the outage (default 0). */
  durationSec?: number;
  /** Shorter pauses (about 15 s in all), for CI's bundle check. */
  quick?: boolean;
  /** Where progress goes (default: the terminal). */
  progress?: ProgressWriter;
}

/** What the demo did. */
export interface DemoSummary {
  /** Cards presented to readers. */
  tapped: number;
  /** Scans journaled. */
  journaled: number;
  /** Taps dropped by debounce. */
  debounced: number;
  /** Delivered to iFlow (accepted or duplicate). */
  synced: number;
  /** Rejected by iFlow (unknown card, employment ended). */
  rejected: number;
  /** Still pending at the end (0 when the backlog drained). */
  pending: number;
  /** Attendances the simulated iFlow stored. */
  storedAtIflow: number;
  /** The turnstile: scans it opened for, kept shut, and passages seen or timed out. */
  gate: { granted: number; denied: number; passed: number; notPassed: number };
}

async function waitFor(cond: () => boolean, timeoutMs: number, tick: () => void): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    tick();
    if (cond()) return true;
    await sleep(100);
  }
  tick();
  return cond();
}

/** Runs the demo; resolves with its summary. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoSummary> {
  const progress = opts.progress ?? new ProgressWriter();
  const scale = opts.quick ? 0.3 : 1;
  const pause = (ms: number) => sleep(ms * scale);
  const dir = await Deno.makeTempDir({ prefix: "pontaj-demo-" });
  const logFile = `${dir}/agent.log`;
  const logHandle = await Deno.open(logFile, { write: true, create: true, append: true });
  const enc = new TextEncoder();
  let sim: IflowSimulator = await startIflowSimulator({ port: 0 });
  const port = sim.port;
  let storedBefore = 0;
  const readers: DemoReader[] = await demoReaders();
  const gate = await demoGate("turnstile-1", readers[0]!.config.name, Math.round(4000 * scale));
  const config = validateConfig(
    {
      timezone: "Europe/Bucharest",
      journal: { dir: `${dir}/journal` },
      iflow: {
        url: sim.url,
        accessToken: DEMO_TOKEN,
        reconnectJitterMs: Math.round(2000 * scale),
        backoffBaseMs: 300,
        backoffCapMs: 3000,
        timeoutMs: 3000,
        batchSize: 5,
      },
      readers: readers.map((r) => r.config),
      debounceMs: Math.round(3000 * scale),
      gates: [gate.config],
    },
    "demo config",
    {},
  );
  // Any free port: the server takes 0, a config file must name a real one.
  config.status.listen = "127.0.0.1:0";
  const logger = createLogger({
    level: "info",
    redact: [DEMO_TOKEN],
    sink: (line) => logHandle.writeSync(enc.encode(line + "\n")),
  });
  const agent = await Agent.start(config, {
    logger,
    devices: { ...demoDeviceOverrides(readers), gateGpio: gate.gpio },
  });
  agent.gates!.subscribe((ev) => progress.note(describeDecision(ev)));
  let phase = "start";
  const tick = () => progress.update(progressLine(agent.snapshot(), phase));
  const timer = setInterval(tick, 250);
  const employees = DEMO_EMPLOYEES;
  let tapped = 0;
  const tap = async (reader: DemoReader, tag: string, what: string) => {
    tapped++;
    const who = employees.find((e) => e.rfid === tag)?.fullName ?? "unknown card";
    progress.note(`  tap ${tag} on ${reader.config.name} (${reader.kind}): ${who}${what}`);
    await reader.tap(tag);
    tick();
  };
  try {
    progress.note(`pontaj demo: iFlow simulator at ${sim.origin}, journal in ${dir}/journal`);
    progress.note(`status page: ${agent.statusUrl}/   agent log: ${logFile}`);
    for (const r of readers) {
      progress.note(
        `  reader ${r.config.name}: ${r.kind} on ${r.where}`,
      );
    }
    await waitFor(() => agent.snapshot().readers.every((r) => r.state === "online"), 5000, tick);

    phase = "online";
    let i = 0;
    for (const e of employees) {
      await tap(readers[i++ % readers.length]!, e.rfid, "");
      await pause(700);
    }
    await tap(readers[0]!, UNKNOWN_TAG, "");
    await pause(500);
    const first = readers[1 % readers.length]!;
    await tap(first, employees[0]!.rfid, " (again, an hour's work later)");
    await pause(300);
    await tap(first, employees[0]!.rfid, " (quick double tap: debounced)");
    const extraEnd = Date.now() + (opts.durationSec ?? 0) * 1000;
    while (Date.now() < extraEnd) {
      const e = employees[Math.floor(Math.random() * employees.length)]!;
      await tap(readers[Math.floor(Math.random() * readers.length)]!, e.rfid, "");
      await pause(1500);
    }
    await waitFor(() => agent.snapshot().journal.pending === 0, 15_000, tick);

    await pause(3000); // past the debounce window of the taps above
    phase = "gate";
    progress.note(
      `${readers[0]!.config.name} is at turnstile-1: cards iFlow answered for are known now`,
    );
    await tap(readers[0]!, employees[0]!.rfid, " at the turnstile");
    await pause(400);
    progress.note("  she walks through: the passage sensor trips");
    await gate.pass();
    await pause(600);
    await tap(readers[0]!, UNKNOWN_TAG, " at the turnstile (iFlow refused it)");
    await pause(600);
    await tap(readers[0]!, employees[1]!.rfid, " at the turnstile, then turns back");
    await waitFor(() => agent.gates!.status()[0]!.counters.notPassed >= 1, 6000, tick);
    progress.note("  nobody passed within the timeout: recorded as not passed");

    phase = "outage";
    progress.note("iFlow goes away (outage): scans keep being journaled");
    storedBefore = sim.stored().length;
    await sim.close();
    for (let k = 0; k < 8; k++) {
      const e = employees[(k * 5 + 2) % employees.length]!;
      await tap(readers[k % readers.length]!, e.rfid, "");
      await pause(600);
    }
    await waitFor(
      () => agent.snapshot().pipeline.journaled + agent.snapshot().pipeline.debounced >= tapped,
      3000,
      tick,
    );

    phase = "back";
    sim = await startIflowSimulator({ port });
    progress.note("iFlow is back: draining the backlog");
    const drained = await waitFor(() => agent.snapshot().journal.pending === 0, 30_000, tick);
    if (!drained) progress.note("the backlog did not drain in 30 s");
    phase = "done";
    tick();
  } finally {
    clearInterval(timer);
    progress.end();
  }
  const s = agent.snapshot();
  const g = agent.gates!.status()[0]!.counters;
  await agent.stop();
  for (const c of gate.gpio.values()) await c.dispose();
  const storedAtIflow = storedBefore + sim.stored().length;
  await sim.close();
  for (const r of readers) await r.close();
  logHandle.close();
  return {
    tapped,
    journaled: s.pipeline.journaled,
    debounced: s.pipeline.debounced,
    synced: s.journal.synced,
    rejected: s.journal.rejected,
    pending: s.journal.pending,
    storedAtIflow,
    gate: { granted: g.granted, denied: g.denied, passed: g.passed, notPassed: g.notPassed },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      duration: { type: "string" },
      quick: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      "Usage: deno task demo [--duration SECONDS]\n\nRuns the agent against simulated readers and a local iFlow; no hardware needed.",
    );
    Deno.exit(0);
  }
  const durationSec = values.duration === undefined ? 0 : Number(values.duration);
  if (!Number.isFinite(durationSec) || durationSec < 0) {
    console.error(`--duration: expected seconds, got '${values.duration}'`);
    Deno.exit(2);
  }
  const s = await runDemo({ durationSec, quick: values.quick });
  console.log("");
  console.log("summary");
  console.log(`  cards tapped        ${s.tapped}`);
  console.log(`  journaled           ${s.journaled}`);
  console.log(`  debounced           ${s.debounced}`);
  console.log(`  synced to iFlow     ${s.synced}`);
  console.log(`  rejected by iFlow   ${s.rejected}  (unknown card, employment ended)`);
  console.log(`  still pending       ${s.pending}`);
  console.log(`  stored at iFlow     ${s.storedAtIflow}`);
  console.log(
    `  turnstile-1         ${s.gate.granted} opened, ${s.gate.denied} kept shut; ` +
      `${s.gate.passed} passed, ${s.gate.notPassed} did not pass`,
  );
  Deno.exit(s.pending === 0 && s.journaled + s.debounced === s.tapped ? 0 : 1);
}
