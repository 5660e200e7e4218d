import assert from "node:assert/strict";
import { Agent } from "../../../service/agent.ts";
import { validateConfig } from "../../../service/config/mod.ts";
import { demoReader } from "../../../service/demo/sim_readers.ts";
import { DEMO_EMPLOYEES, DEMO_TOKEN } from "../../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import { SimulatedGpio } from "../../../driver/wiegand/sim/gpio.ts";
import type { GateEvent } from "../../../service/gates/gate.ts";
import { LEARNED_FILE, parseLearned } from "../../../service/gates/learned_store.ts";
import { exportJournal } from "../../../service/journal/mod.ts";
import { exportObject } from "../../../service/export_row.ts";
import { renderMetrics } from "../../../service/status/metrics.ts";
import { eventually } from "../agent/harness.ts";
import { gateTestConfig } from "./gate_config.ts";

const ANA = DEMO_EMPLOYEES[0]!.rfid;
const ION = DEMO_EMPLOYEES[1]!.rfid;
const RADU = DEMO_EMPLOYEES[5]!.rfid; // employment ended: refused
const STRANGER = "0000000042";

Deno.test("agent gate: learns from iFlow, opens for known cards online and offline, allow file, relay released", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-" });
  const reader = await demoReader("ascii", "gate-in");
  const chip = new SimulatedGpio();
  await Deno.writeTextFile(`${dir}/allow.txt`, `!${ION}\n`);
  const config = gateTestConfig(sim.url, dir, [reader.config], {
    name: "turnstile-1",
    readers: ["gate-in"],
    output: { kind: "gpio", chip: "/dev/gpiochip0", line: 22, activeLow: true, pulseMs: 100 },
    policy: "known",
    offline: "known",
    allow: `${dir}/allow.txt`,
  });
  const agent = await Agent.start(config, {
    logger: () => {},
    statusServer: false,
    devices: { gateGpio: new Map([["/dev/gpiochip0", chip]]) },
  });
  const events: GateEvent[] = [];
  agent.gates!.subscribe((ev) => events.push(ev));
  const decided = (n: number) => eventually(() => events.length === n, `decision ${n}`);
  const tap = async (tag: string) => {
    const n = events.length + 1;
    await reader.tap(tag);
    await decided(n);
    return `${events[n - 1]!.granted ? "granted" : "denied"} ${events[n - 1]!.reason}`;
  };
  const pulses = () => chip.outputChanges.filter((c) => c.op === "set" && c.active).length;
  try {
    assert.deepEqual(chip.outputChanges, [
      { line: 22, active: false, op: "request" },
      { line: 22, active: false, op: "set" }, // released at start
    ]);
    // Nothing learned yet: every card stays shut, and every scan still goes to iFlow.
    assert.equal(await tap(ANA), "denied unknown");
    assert.equal(await tap(RADU), "denied unknown");
    assert.equal(await tap(STRANGER), "denied unknown");
    assert.equal(await tap(ION), "denied allow-file");
    await eventually(() => agent.snapshot().journal.pending === 0, "all delivered");
    assert.equal(pulses(), 0);
    const learned = agent.gates!.status()[0]!;
    assert.deepEqual([learned.counters.granted, learned.counters.denied], [0, 4]);

    // iFlow's answers taught the table: Ana known, Radu and the stranger refused.
    assert.equal(await tap(ANA), "granted known");
    assert.equal(await tap(RADU), "denied refused");
    assert.equal(await tap(STRANGER), "denied refused");
    assert.equal(pulses(), 1);
    await eventually(() => chip.outputActive(22) === false, "relay released after the pulse");

    // iFlow away: the learned table still decides (offline: known).
    sim.setFaults({ errorRate: 1 });
    await reader.tap(DEMO_EMPLOYEES[2]!.rfid);
    await eventually(() => agent.snapshot().sync.state === "backoff", "sync backing off");
    await decided(8);
    assert.equal(await tap(ANA), "granted known");
    assert.equal(pulses(), 2);

    // The allow file is re-read when it changes: Ion listed now opens.
    await Deno.writeTextFile(`${dir}/allow.txt`, `${ION}\n# added\n`);
    await agent.gates!.refreshAllowFiles();
    assert.equal(await tap(ION), "granted allow-file");
    sim.setFaults({});

    const st = agent.snapshot().gates![0]!;
    assert.equal(st.name, "turnstile-1");
    assert.equal(st.allow!.allowed, 1);
    assert.deepEqual(st.counters.reasons, {
      unknown: 4,
      "allow-file": 2,
      known: 2,
      refused: 2,
    });
    const metrics = renderMetrics(agent.snapshot());
    for (
      const line of [
        'pontaj_gate_decisions_total{gate="turnstile-1",decision="granted"} 3',
        'pontaj_gate_decisions_total{gate="turnstile-1",decision="denied"} 7',
        'pontaj_gate_reasons_total{gate="turnstile-1",reason="refused"} 2',
        'pontaj_gate_open_seconds_count{gate="turnstile-1"} 3',
        'pontaj_gate_open_seconds_bucket{gate="turnstile-1",le="+Inf"} 3',
      ]
    ) assert.ok(metrics.includes(`${line}\n`), `${line} in\n${metrics}`);
  } finally {
    await agent.stop();
    await reader.close();
    await sim.close();
  }
  try {
    // Stopped: the relay is released and the line given back; the table is on disk.
    assert.deepEqual(chip.outputChanges.slice(-2).map((c) => [c.active, c.op]), [
      [false, "set"],
      [false, "release"],
    ]);
    // Every scan is journaled with its gate decision beside it (export: gate, decision, reason).
    const rows: string[] = [];
    for await (const row of exportJournal(`${dir}/journal`)) {
      const o = exportObject(row);
      rows.push(`${o.rfidTag} ${o.gate} ${o.decision} ${o.reason}`);
    }
    const t = "turnstile-1";
    assert.deepEqual(rows, [
      `${ANA} ${t} denied unknown`,
      `${RADU} ${t} denied unknown`,
      `${STRANGER} ${t} denied unknown`,
      `${ION} ${t} denied allow-file`,
      `${ANA} ${t} granted known`,
      `${RADU} ${t} denied refused`,
      `${STRANGER} ${t} denied refused`,
      `${DEMO_EMPLOYEES[2]!.rfid} ${t} denied unknown`,
      `${ANA} ${t} granted known`,
      `${ION} ${t} granted allow-file`,
    ]);
    const cards = parseLearned(await Deno.readTextFile(`${dir}/journal/${LEARNED_FILE}`));
    assert.deepEqual(
      cards.map((c) => [c.rfidTag, c.state]).sort(),
      [[ANA, "known"], [ION, "known"], [RADU, "refused"], [STRANGER, "refused"]].sort(),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent gate in live mode: iFlow's live answer opens the gate and teaches the table", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-live-" });
  const reader = await demoReader("ascii", "gate-in");
  const chip = new SimulatedGpio();
  const config = validateConfig(
    {
      journal: { dir: `${dir}/journal` },
      iflow: {
        url: sim.url,
        accessToken: DEMO_TOKEN,
        reconnectJitterMs: 0,
        pollMs: 100,
        mode: "live",
      },
      readers: [reader.config],
      debounceMs: 0,
      gates: [{
        name: "turnstile-1",
        readers: ["gate-in"],
        output: { kind: "gpio", chip: "/dev/gpiochip0", line: 22, pulseMs: 100 },
        liveTimeoutMs: 5000,
      }],
    },
    "test",
    {},
  );
  const agent = await Agent.start(config, {
    logger: () => {},
    statusServer: false,
    devices: { gateGpio: new Map([["/dev/gpiochip0", chip]]) },
  });
  const events: GateEvent[] = [];
  agent.gates!.subscribe((ev) => events.push(ev));
  try {
    await reader.tap(ANA);
    await eventually(() => events.length === 1, "Ana decided");
    await reader.tap(STRANGER);
    await eventually(() => events.length === 2, "stranger decided");
    assert.deepEqual(events.map((e) => `${e.rfidTag} ${e.granted} ${e.reason}`), [
      `${ANA} true live`,
      `${STRANGER} false refused`,
    ]);
    assert.equal(chip.outputChanges.filter((c) => c.op === "set" && c.active).length, 1);
    assert.equal(agent.gates!.status()[0]!.counters.liveDecided, 2);
  } finally {
    await agent.stop();
    await reader.close();
    await sim.close();
  }
  try {
    const cards = parseLearned(await Deno.readTextFile(`${dir}/journal/${LEARNED_FILE}`));
    assert.deepEqual(cards.map((c) => [c.rfidTag, c.state]), [[ANA, "known"], [
      STRANGER,
      "refused",
    ]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent gate: a relay that cannot be driven degrades health until it works again", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-busy-" });
  const reader = await demoReader("ascii", "gate-in");
  const chip = new SimulatedGpio();
  chip.requestErrno = 16; // another program holds the line
  const config = gateTestConfig(sim.url, dir, [reader.config], {
    name: "turnstile-1",
    readers: ["gate-in"],
    output: { kind: "gpio", chip: "/dev/gpiochip0", line: 22, pulseMs: 100 },
    policy: "any",
  });
  const agent = await Agent.start(config, {
    logger: () => {},
    statusServer: false,
    devices: { gateGpio: new Map([["/dev/gpiochip0", chip]]) },
  });
  try {
    const s = agent.snapshot();
    assert.equal(s.healthy, false);
    assert.ok(
      s.degraded.some((d) =>
        /^gate turnstile-1: releasing the relay failed: .*line 22 .* \(errno 16/.test(d)
      ),
      s.degraded.join("; "),
    );
    chip.requestErrno = 0; // freed: the release retry gets the line
    await eventually(() => agent.snapshot().gates![0]!.relayError === null, "relay works again");
    assert.equal(chip.outputActive(22), false);
    assert.ok(!agent.snapshot().degraded.some((d) => d.startsWith("gate ")));
  } finally {
    await agent.stop();
    await reader.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
