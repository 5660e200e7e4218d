import assert from "node:assert/strict";
import { Agent } from "../../../service/agent.ts";
import { type Config } from "../../../service/config/mod.ts";
import { demoReader } from "../../../service/demo/sim_readers.ts";
import { DEMO_EMPLOYEES } from "../../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import { SimulatedGpio } from "../../../driver/wiegand/sim/gpio.ts";
import { exportJournal } from "../../../service/journal/mod.ts";
import { exportObject } from "../../../service/export_row.ts";
import { eventually } from "../agent/harness.ts";
import { press } from "./contact_press.ts";
import { gateTestConfig } from "./gate_config.ts";

const [A, B, C, D] = DEMO_EMPLOYEES.map((e) => e.rfid);

interface Rig {
  sim: Awaited<ReturnType<typeof startIflowSimulator>>;
  dir: string;
  reader: Awaited<ReturnType<typeof demoReader>>;
  config: Config;
}

async function rig(timeoutMs: number): Promise<Rig> {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-hold-" });
  const reader = await demoReader("ascii", "gate-in");
  const config = gateTestConfig(sim.url, dir, [reader.config], {
    name: "t1",
    readers: ["gate-in"],
    output: { kind: "gpio", chip: "/dev/gpiochip0", line: 22, pulseMs: 100 },
    policy: "any",
    sendUnpassed: false,
    passage: { chip: "/dev/gpiochip0", line: 23, timeoutMs },
  });
  return { sim, dir, reader, config };
}

function start(r: Rig, relay: SimulatedGpio, passage: SimulatedGpio): Promise<Agent> {
  return Agent.start(r.config, {
    logger: () => {},
    statusServer: false,
    devices: {
      gateGpio: new Map([["/dev/gpiochip0", relay], ["/dev/gpiochip0:23", passage]]),
    },
  });
}

async function exported(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const row of exportJournal(`${dir}/journal`)) {
    const o = exportObject(row);
    out.push(`${o.seq} ${o.rfidTag} ${o.state} ${o.passed ?? "-"}`);
  }
  return out;
}

Deno.test("agent gate sendUnpassed false: passed is sent, not passed is kept as not-passed and never sent, order kept", async () => {
  const r = await rig(500);
  const relay = new SimulatedGpio();
  const passage = new SimulatedGpio();
  const agent = await start(r, relay, passage);
  const journal = () => agent.snapshot().journal;
  try {
    await eventually(() => passage.writer !== undefined, "sensor open");
    await r.reader.tap(A!);
    await eventually(() => journal().held === 1, "A held");
    assert.equal(r.sim.stored().length, 0, "a held scan is not sent");
    await passage.send(press(23, 1000));
    await eventually(() => r.sim.stored().length === 1, "A sent once passed");

    await r.reader.tap(B!); // nobody passes: the 500 ms timeout resolves it
    await eventually(() => journal().notPassed === 1, "B not passed");
    await r.reader.tap(C!);
    await eventually(() => journal().held === 1, "C held");
    await passage.send(press(23, 5000));
    await eventually(() => journal().pending === 0 && r.sim.stored().length === 2, "C sent");
    assert.deepEqual(r.sim.stored().map((a) => a.rfidTag), [A, C]);
    const st = agent.gates!.status()[0]!.counters;
    assert.deepEqual([st.held, st.passed, st.notPassed], [3, 2, 1]);
  } finally {
    await agent.stop();
    await r.reader.close();
    await r.sim.close();
    for (const c of [relay, passage]) await c.dispose();
  }
  try {
    assert.deepEqual(await exported(r.dir), [
      `1 ${A} synced true`,
      `2 ${B} not-passed false`,
      `3 ${C} synced true`,
    ]);
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("agent gate sendUnpassed false: a scan still held at stop is sent once after the restart", async () => {
  const r = await rig(60_000);
  const relay = new SimulatedGpio();
  const passage = new SimulatedGpio();
  let agent = await start(r, relay, passage);
  try {
    await eventually(() => passage.writer !== undefined, "sensor open");
    await r.reader.tap(D!);
    await eventually(() => agent.snapshot().journal.held === 1, "D held");
    await agent.stop(); // the passage is never known
    assert.equal(r.sim.stored().length, 0);
    agent = await start(r, relay, passage);
    await eventually(() => r.sim.stored().length === 1, "D sent after the restart");
    await eventually(() => agent.snapshot().journal.pending === 0, "D delivered");
    assert.deepEqual(
      [agent.snapshot().journal.held, agent.snapshot().journal.notPassed],
      [0, 0],
    );
  } finally {
    await agent.stop();
    await r.reader.close();
    await r.sim.close();
    for (const c of [relay, passage]) await c.dispose();
  }
  try {
    assert.deepEqual(r.sim.stored().map((a) => a.rfidTag), [D]);
    assert.deepEqual(await exported(r.dir), [`1 ${D} synced -`]);
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});
