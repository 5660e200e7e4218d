import assert from "node:assert/strict";
import { Agent } from "../../../service/agent.ts";
import { demoReader } from "../../../service/demo/sim_readers.ts";
import { DEMO_EMPLOYEES } from "../../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import { SimulatedGpio } from "../../../driver/wiegand/sim/gpio.ts";
import { GpioLineFlag } from "../../../driver/wiegand/gpio_event.ts";
import { press } from "./contact_press.ts";
import type { GateEvent } from "../../../service/gates/gate.ts";
import { exportJournal } from "../../../service/journal/mod.ts";
import { exportObject } from "../../../service/export_row.ts";
import { eventually } from "../agent/harness.ts";
import { gateTestConfig } from "./gate_config.ts";

Deno.test("agent gate exit button opens without a card; passage sensor marks the granted scan passed", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-inputs-" });
  const reader = await demoReader("ascii", "gate-in");
  const relay = new SimulatedGpio();
  const exit = new SimulatedGpio();
  const passage = new SimulatedGpio();
  const config = gateTestConfig(sim.url, dir, [reader.config], {
    name: "t1",
    readers: ["gate-in"],
    output: { kind: "gpio", chip: "/dev/gpiochip0", line: 22, pulseMs: 100 },
    policy: "any",
    exitButton: { chip: "/dev/gpiochip0", line: 24 },
    passage: { chip: "/dev/gpiochip0", line: 23, timeoutMs: 60_000 },
  });
  const agent = await Agent.start(config, {
    logger: () => {},
    statusServer: false,
    devices: {
      gateGpio: new Map([
        ["/dev/gpiochip0", relay],
        ["/dev/gpiochip0:24", exit],
        ["/dev/gpiochip0:23", passage],
      ]),
    },
  });
  const events: GateEvent[] = [];
  agent.gates!.subscribe((ev) => events.push(ev));
  const pulses = () => relay.outputChanges.filter((c) => c.op === "set" && c.active).length;
  try {
    await eventually(
      () => exit.writer !== undefined && passage.writer !== undefined,
      "inputs open",
    );
    // inputs: one line each, input with both edges and pull-up (active low by default)
    assert.deepEqual(exit.requests[0]!.offsets, [24]);
    const want = GpioLineFlag.input | GpioLineFlag.edgeRising | GpioLineFlag.edgeFalling |
      GpioLineFlag.biasPullUp;
    assert.equal(exit.requests[0]!.flags, want);

    await exit.send(press(24, 1000));
    await eventually(() => events.length === 1, "exit decided");
    assert.deepEqual([events[0]!.reason, events[0]!.granted, events[0]!.rfidTag], [
      "exit",
      true,
      "",
    ]);
    // a bounce 10 ms after the release is ignored
    await exit.send(press(24, 1210, 5));

    await reader.tap(DEMO_EMPLOYEES[0]!.rfid);
    await eventually(() => events.length === 2, "scan decided");
    assert.equal(events[1]!.reason, "policy-any", "the bounce opened nothing");
    await passage.send(press(23, 5000));
    await eventually(() => agent.gates!.status()[0]!.counters.passed === 1, "passed");
    await eventually(() => agent.snapshot().journal.pending === 0, "delivered");
    await agent.gates!.drain();
    const st = agent.gates!.status()[0]!;
    assert.deepEqual([st.counters.exits, st.counters.passed, st.counters.notPassed], [1, 1, 0]);
    assert.equal(st.counters.eventsJournaled, 1);
    assert.deepEqual(
      sim.stored().map((a) => a.rfidTag),
      [DEMO_EMPLOYEES[0]!.rfid],
      "one scan sent",
    );
    assert.equal(agent.snapshot().journal.events, 1);
    assert.equal(pulses(), 2);
  } finally {
    await agent.stop();
    await reader.close();
    await sim.close();
    for (const c of [relay, exit, passage]) await c.dispose();
  }
  try {
    const rows = [];
    for await (const row of exportJournal(`${dir}/journal`)) rows.push(exportObject(row));
    assert.equal(rows.length, 2, "the exit press is journaled beside the scan");
    assert.deepEqual(
      [rows[0]!.state, rows[0]!.event, rows[0]!.reader, rows[0]!.rfidTag, rows[0]!.errorMsg],
      ["event", "exit", "t1", "", "exit button"],
    );
    assert.deepEqual(
      [rows[1]!.state, rows[1]!.gate, rows[1]!.decision, rows[1]!.reason, rows[1]!.passed],
      ["synced", "t1", "granted", "policy-any", true],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
