import assert from "node:assert/strict";
import { Agent } from "../../../service/agent.ts";
import { validateConfig } from "../../../service/config/mod.ts";
import { demoDeviceOverrides, demoReaders } from "../../../service/demo/sim_readers.ts";
import { DEMO_EMPLOYEES, DEMO_TOKEN } from "../../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import { exportJournal } from "../../../service/journal/mod.ts";
import { eventually } from "./harness.ts";

Deno.test("agent reads every implemented reader kind and delivers each card's tag", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-kinds-" });
  const readers = await demoReaders();
  const config = validateConfig(
    {
      journal: { dir: `${dir}/journal` },
      iflow: { url: sim.url, accessToken: DEMO_TOKEN, reconnectJitterMs: 0, pollMs: 100 },
      readers: readers.map((r) => r.config),
      debounceMs: 0,
    },
    "test",
    {},
  );
  const agent = await Agent.start(config, {
    logger: () => {},
    statusServer: false,
    devices: demoDeviceOverrides(readers),
  });
  try {
    await eventually(
      () => agent.snapshot().readers.every((r) => r.state === "online"),
      "all readers online",
    );
    const want: [string, string][] = [];
    let n = 0;
    for (const reader of readers) {
      for (const e of DEMO_EMPLOYEES.slice(0, 3)) {
        await reader.tap(e.rfid);
        want.push([String(reader.config.name), e.rfid]);
        n++;
        await eventually(() => agent.snapshot().pipeline.journaled === n, `scan ${n} journaled`);
      }
    }
    await eventually(() => agent.snapshot().journal.pending === 0, "all delivered");
    const rows = [];
    for await (const row of exportJournal(`${dir}/journal`)) {
      rows.push([row.reader, row.rfidTag]);
      assert.equal(row.state, "synced", JSON.stringify(row));
    }
    assert.deepEqual(rows, want);
    // The same card within one second is one attendance at iFlow (a duplicate
    // reply counts as delivered): every tag is stored, none twice.
    const stored = sim.stored().map((a) => `${a.rfidTag} ${a.date} ${a.time}`);
    assert.equal(new Set(stored).size, stored.length);
    assert.deepEqual(
      [...new Set(sim.stored().map((a) => a.rfidTag))].sort(),
      [...new Set(want.map(([, tag]) => tag))].sort(),
    );
    assert.ok(agent.snapshot().readers.every((r) => r.decodeErrors === 0));
    // Readers that can light or beep were told each of their scans was journaled.
    for (const r of readers.filter((r) => r.feedbackCount)) {
      await eventually(() => r.feedbackCount!() >= 3, `${r.config.name} feedback`);
    }
  } finally {
    await agent.stop();
    for (const r of readers) await r.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
