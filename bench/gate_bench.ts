/**
 * Gate decision latency: from a card presented to a simulated ASCII reader
 * on a real pty until the gate's relay line is set on the simulated GPIO chip
 * (decode, pipeline, debounce, decision, relay; the journal's fsync runs
 * beside it and is not waited for). The agent runs in this process, policy
 * `known`, with the card already learned, and the iFlow simulator on
 * loopback. Target: p99 ≤ 20 ms.
 *
 * Run: `deno bench -A bench/gate_bench.ts` (`bench/report.ts` puts the
 * figures in bench/README.md).
 *
 * @module
 */

import { Agent } from "../service/agent.ts";
import { validateConfig } from "../service/config/mod.ts";
import { demoReader } from "../service/demo/sim_readers.ts";
import { DEMO_EMPLOYEES, DEMO_TOKEN } from "../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../service/iflow/sim/simulator.ts";
import { SimulatedGpio } from "../driver/wiegand/sim/gpio.ts";
import { LEARNED_FILE, serializeLearned } from "../service/gates/learned_store.ts";

/** The simulated chip, resolving a waiter each time the relay is energised. */
class TimedGpio extends SimulatedGpio {
  waiter: (() => void) | null = null;
  override setValues(lineFd: number, values: Uint8Array<ArrayBuffer>): number {
    const r = super.setValues(lineFd, values);
    if ((values[0]! & 1) === 1) this.waiter?.();
    return r;
  }
}

const sim = await startIflowSimulator({ port: 0 });
const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-bench-" });
const reader = await demoReader("ascii", "gate-in");
const chip = new TimedGpio();
// Employees whose contract runs (iFlow refuses the others, and the gate learns that).
const tags = DEMO_EMPLOYEES.filter((e) => e.to === null).map((e) => e.rfid);
await Deno.mkdir(`${dir}/journal`);
await Deno.writeTextFile(
  `${dir}/journal/${LEARNED_FILE}`,
  serializeLearned(tags.map((t) => ({ rfidTag: t, state: "known", learnedAt: 0, lastSeen: 0 }))),
);
const config = validateConfig(
  {
    journal: { dir: `${dir}/journal` },
    iflow: { url: sim.url, accessToken: DEMO_TOKEN },
    readers: [reader.config],
    debounceMs: 0,
    gates: [{
      name: "turnstile-1",
      readers: ["gate-in"],
      output: { kind: "gpio", chip: "/dev/gpiochip0", line: 22, pulseMs: 50 },
      policy: "known",
    }],
  },
  "bench",
  {},
);
const agent = await Agent.start(config, {
  logger: () => {},
  statusServer: false,
  devices: { gateGpio: new Map([["/dev/gpiochip0", chip]]) },
});
while (agent.snapshot().readers[0]?.state !== "online") {
  await new Promise((r) => setTimeout(r, 10));
}

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});

let i = 0;
Deno.bench({
  name: "gate: card presented → relay energised (ascii reader on a pty, policy known)",
  warmup: 20,
  n: 500,
  async fn() {
    const done = new Promise<void>((r) => (chip.waiter = r));
    await reader.tap(tags[i++ % tags.length]!);
    await done;
  },
});
