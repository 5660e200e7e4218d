import assert from "node:assert/strict";
import { Agent } from "../../../service/agent.ts";
import { openPty } from "../../../driver/serial/pty.ts";
import { OsdpEmulator } from "../../../driver/osdp/sim/emulator.ts";
import { OsdpCmd, OsdpLedColor } from "../../../driver/osdp/constants.ts";
import { bitsToString, encodeWiegand } from "../../../driver/wiegand/encode.ts";
import { SimulatedGpio } from "../../../driver/wiegand/sim/gpio.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import type { GateEvent } from "../../../service/gates/gate.ts";
import { OsdpOutputControl } from "../../../driver/osdp/output.ts";
import { eventually } from "../agent/harness.ts";
import { gateTestConfig } from "./gate_config.ts";

Deno.test("agent gate feedback on an OSDP reader: granted green + one beep, denied red + three beeps", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-osdp-" });
  const pty = openPty();
  const emulator = new OsdpEmulator(pty.master, { readers: [{ address: 1 }] });
  emulator.start();
  const pd = emulator.reader(1);
  const tap = (n: number) =>
    pd.tapBits(bitsToString(encodeWiegand("h10301", Math.floor(n / 65536) % 256, n % 65536)), 1);
  await Deno.writeTextFile(`${dir}/allow.txt`, "0003887558\n");
  const config = gateTestConfig(sim.url, dir, [{
    name: "door",
    kind: "osdp",
    port: pty.path,
    address: 1,
    tagFormat: "dec10",
  }], {
    name: "door-1",
    readers: ["door"],
    output: { kind: "gpio", chip: "/dev/gpiochip0", line: 5 },
    policy: "list",
    allow: `${dir}/allow.txt`,
  });
  const chip = new SimulatedGpio();
  const agent = await Agent.start(config, {
    logger: () => {},
    statusServer: false,
    devices: { gateGpio: new Map([["/dev/gpiochip0", chip]]) },
  });
  const events: GateEvent[] = [];
  agent.gates!.subscribe((ev) => events.push(ev));
  const leds = () => pd.received.filter((c) => c.code === OsdpCmd.LED).length;
  try {
    await eventually(() => agent.snapshot().readers[0]!.state === "online", "reader online");
    tap(3887558);
    await eventually(() => leds() === 1 && pd.buzzer !== null, "granted feedback");
    assert.deepEqual(events.map((e) => [e.rfidTag, e.granted, e.reason]), [
      ["0003887558", true, "allow-file"],
    ]);
    assert.equal(pd.leds.get(0)!.temporary.onColor, OsdpLedColor.green);
    assert.equal(pd.buzzer!.count, 1);
    assert.equal(chip.outputActive(5), true);

    tap(12345678);
    await eventually(() => leds() === 2, "denied feedback");
    assert.deepEqual(events.map((e) => e.granted), [true, false]);
    assert.equal(pd.leds.get(0)!.temporary.onColor, OsdpLedColor.red);
    assert.equal(pd.buzzer!.count, 3);
    // Both scans are journaled and sent, the denied one too (iFlow keeps the attempt).
    await eventually(() => agent.snapshot().journal.pending === 0, "delivered");
    assert.equal(agent.snapshot().journal.total, 2);
    // No extra "journaled" flash on a gate's reader.
    assert.equal(leds(), 2);
  } finally {
    await agent.stop();
    await emulator.close();
    await pty.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agent gate with an OSDP output: osdp_OUT timed on for a grant, off at start", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-osdp-out-" });
  const pty = openPty();
  const emulator = new OsdpEmulator(pty.master, { readers: [{ address: 1 }] });
  emulator.start();
  const pd = emulator.reader(1);
  const config = gateTestConfig(sim.url, dir, [{
    name: "door",
    kind: "osdp",
    port: pty.path,
    address: 1,
    tagFormat: "dec10",
  }], {
    name: "door-1",
    readers: ["door"],
    output: { kind: "osdp", reader: "door", output: 2, pulseMs: 1250 },
    policy: "any",
  });
  const agent = await Agent.start(config, { logger: () => {}, statusServer: false });
  const rec = () => pd.outputs.map((o) => [o.output, o.control, o.timer]);
  try {
    // released once the reader answers (the first attempts fail while it connects, and are retried)
    await eventually(() => pd.outputs.length >= 1, "release at start");
    assert.deepEqual(rec()[0], [2, OsdpOutputControl.PERMANENT_OFF_ABORT, 0]);
    const before = pd.outputs.length;
    pd.tapBits(bitsToString(encodeWiegand("h10301", 59, 20934)), 1);
    await eventually(() => pd.outputs.length === before + 1, "timed on");
    assert.deepEqual(rec().at(-1), [2, OsdpOutputControl.TEMPORARY_ON, 13]); // 1250 ms → 13 × 100 ms
    assert.equal(agent.gates!.status()[0]!.counters.granted, 1);
  } finally {
    await agent.stop();
    await emulator.close();
    await pty.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
