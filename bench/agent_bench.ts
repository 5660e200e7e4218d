/**
 * Agent-level benchmarks with the real agent as a child process (as
 * `deno task start` runs it), simulated readers of every implemented kind and
 * the iFlow simulator on loopback:
 *
 * - start-up to first poll: from spawning the process until every reader is
 *   open and being read (each reader's "reader online" log line);
 * - scan-to-iFlow latency per reader kind: from the card presented to the
 *   simulated reader until the simulated iFlow has stored the attendance
 *   (read, decode, journal fsync, sync, HTTP; measured by polling the
 *   simulator every millisecond).
 *
 * Run: `deno bench -A bench/agent_bench.ts` (`bench/report.ts` puts the
 * figures in bench/README.md).
 *
 * @module
 */

import { DEMO_TOKEN } from "../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../service/iflow/sim/simulator.ts";
import {
  AgentChild,
  agentConfig,
  employeesFor,
  knownTag,
  openSimReaders,
  writeConfig,
} from "../test/reliability/mod.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sim = await startIflowSimulator({ port: 0, employees: employeesFor(10_000) });
const readers = await openSimReaders();
const dir = await Deno.makeTempDir({ prefix: "pontaj-agent-bench-" });
await writeConfig(
  `${dir}/latency.jsonc`,
  agentConfig(`${dir}/journal`, sim.url, DEMO_TOKEN, readers.readers, {
    reconnectJitterMs: 0,
    timeoutMs: 15_000,
    pollMs: 1000,
    batchSize: 50,
  }),
);
const agent = new AgentChild({ configPath: `${dir}/latency.jsonc`, env: readers.env });
await agent.waitReady(readers.readers.length);
let next = 0;

globalThis.addEventListener("unload", () => {
  try {
    agent.child.kill("SIGKILL");
  } catch {
    // gone
  }
  Deno.removeSync(dir, { recursive: true });
});

for (const reader of readers.readers) {
  Deno.bench({
    name: `agent scan-to-iFlow latency, ${reader.kind} reader (tap → stored at iFlow)`,
    group: "agent scan-to-iFlow latency",
    n: 30,
    warmup: 2,
    async fn(b) {
      const tag = knownTag(next++);
      const before = sim.stored().length;
      b.start();
      await reader.tap(tag);
      while (sim.stored().length === before) await sleep(1);
      b.end();
      if (sim.stored().at(-1)?.rfidTag !== tag) {
        throw new Error(`stored ${sim.stored().at(-1)?.rfidTag}, tapped ${tag}`);
      }
      await sleep(reader.kind === "rc522" ? 550 : 30); // an RC522 card leaves the field after 500 ms
    },
  });
}

const startupReaders = await openSimReaders();
let startRun = 0;
Deno.bench({
  name:
    `agent start-up to first poll (spawn → all ${startupReaders.readers.length} readers online)`,
  group: "agent start-up",
  n: 5,
  warmup: 1,
  async fn(b) {
    const d = `${dir}/start-${startRun++}`;
    await Deno.mkdir(d);
    await writeConfig(
      `${d}/c.jsonc`,
      agentConfig(`${d}/journal`, sim.url, DEMO_TOKEN, startupReaders.readers),
    );
    b.start();
    const a = new AgentChild({ configPath: `${d}/c.jsonc`, env: startupReaders.env });
    await a.waitReady(startupReaders.readers.length);
    b.end();
    await a.stop();
  },
});
