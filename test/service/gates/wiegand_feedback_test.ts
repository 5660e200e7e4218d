import assert from "node:assert/strict";
import { Agent } from "../../../service/agent.ts";
import { validateConfig } from "../../../service/config/mod.ts";
import { demoReader } from "../../../service/demo/sim_readers.ts";
import { DEMO_EMPLOYEES } from "../../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import { SimulatedGpio } from "../../../driver/wiegand/sim/gpio.ts";
import { ConfigError } from "../../../service/config/mod.ts";
import { eventually } from "../agent/harness.ts";
import { gateTestConfig } from "./gate_config.ts";

Deno.test("agent gate feedback on a Wiegand reader's LED and beeper wires: green + one beep, three beeps", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-wiegand-" });
  const reader = await demoReader("wiegand", "door");
  const relay = new SimulatedGpio();
  await Deno.writeTextFile(`${dir}/allow.txt`, `${DEMO_EMPLOYEES[0]!.rfid}\n`);
  const config = gateTestConfig(sim.url, dir, [{
    ...reader.config,
    led: { line: 5 },
    beep: { line: 6 },
  }], {
    name: "door-1",
    readers: ["door"],
    output: { kind: "gpio", chip: "/dev/gpiochip1", line: 2, pulseMs: 100 },
    policy: "list",
    allow: `${dir}/allow.txt`,
  });
  const chip = reader.gpio as SimulatedGpio;
  const agent = await Agent.start(config, {
    logger: () => {},
    statusServer: false,
    devices: {
      gpio: new Map([["door", chip]]),
      gateGpio: new Map([["/dev/gpiochip1", relay]]),
    },
  });
  const ons = (line: number) =>
    chip.outputChanges.filter((c) => c.line === line && c.op === "set" && c.active).length;
  try {
    await eventually(() => agent.snapshot().readers[0]!.state === "online", "reader online");
    await eventually(() => chip.outputActive(5) === false && chip.outputActive(6) === false, "off");
    await reader.tap(DEMO_EMPLOYEES[0]!.rfid);
    await eventually(() => ons(5) === 1 && ons(6) === 1, "granted: LED and one beep");
    await reader.tap(DEMO_EMPLOYEES[1]!.rfid);
    await eventually(() => ons(6) === 4, "denied: three more beeps");
    assert.equal(ons(5), 1, "the LED stays off for a refusal");
    await eventually(() => chip.outputActive(6) === false && chip.outputActive(5) === false, "off");
    assert.deepEqual(agent.gates!.status()[0]!.counters.reasons, { "allow-file": 1, unknown: 1 });
  } finally {
    await agent.stop();
    await reader.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
  // released and given back when the reader closed
  assert.deepEqual(
    chip.outputChanges.filter((c) => c.op === "release").map((c) => [c.line, c.active]).sort(),
    [[5, false], [6, false]],
  );
});

Deno.test("wiegand led/beep lines must not reuse D0, D1, each other or a gate's line", () => {
  try {
    validateConfig(
      {
        journal: { dir: "/tmp/j" },
        iflow: { accessToken: "s3cret-token-0042" },
        readers: [{
          name: "door",
          kind: "wiegand",
          chip: "/dev/gpiochip0",
          d0: 0,
          d1: 1,
          led: { line: 1 },
          beep: { line: 7 },
        }],
        gates: [{
          name: "g",
          readers: ["door"],
          output: { kind: "gpio", chip: "/dev/gpiochip0", line: 7 },
        }],
      },
      "c.jsonc",
      {},
    );
    assert.fail("expected a ConfigError");
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems, [
      "c.jsonc: readers[0].led.line: line 1 is already used by D0, D1 or the LED",
      "c.jsonc: gates[0].output.line: line 7 on /dev/gpiochip0 is already used by reader 'door' (beeper)",
    ]);
  }
});
