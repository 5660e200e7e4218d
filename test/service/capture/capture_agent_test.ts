import assert from "node:assert/strict";
import { parseCapture } from "../../../driver/capture/format.ts";
import { gpioBursts } from "../../../driver/capture/replay_gpio.ts";
import { monotonicClock } from "../../../driver/wiegand/gpio_ffi.ts";
import { SimulatedGpio } from "../../../driver/wiegand/sim/gpio.ts";
import { Agent } from "../../../service/agent.ts";
import { validateConfig } from "../../../service/config/mod.ts";
import { demoDeviceOverrides, demoReaders } from "../../../service/demo/sim_readers.ts";
import { DEMO_EMPLOYEES, DEMO_TOKEN } from "../../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import { exportJournal } from "../../../service/journal/mod.ts";
import { readerKind } from "../../../service/readers/kinds/mod.ts";
import { eventually, freePort } from "../agent/harness.ts";

Deno.test("capture each kind from its simulator while the agent runs, replay it, same scans", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-capture-" });
  const readers = await demoReaders();
  const config = validateConfig(
    {
      journal: { dir: `${dir}/journal` },
      iflow: { url: sim.url, accessToken: DEMO_TOKEN, reconnectJitterMs: 0, pollMs: 100 },
      readers: readers.map((r) => r.config),
      debounceMs: 0,
      status: { listen: `127.0.0.1:${freePort()}` },
    },
    "test",
    {},
  );
  const agent = await Agent.start(config, {
    logger: () => {},
    devices: demoDeviceOverrides(readers),
  });
  try {
    await eventually(
      () => agent.snapshot().readers.every((r) => r.state === "online"),
      "all readers online",
    );
    // One capture per reader, all at once, over the status link.
    const captures = readers.map((r) =>
      fetch(`${agent.statusUrl}/actions/capture?reader=${r.config.name}&seconds=3`, {
        method: "POST",
      }).then(async (res) => {
        assert.equal(res.status, 200, `${r.config.name}: ${res.status}`);
        assert.match(res.headers.get("content-disposition") ?? "", /attachment/);
        return new Uint8Array(await res.arrayBuffer());
      })
    );
    await new Promise((r) => setTimeout(r, 300)); // the taps are attached
    let n = 0;
    for (const reader of readers) {
      for (const e of DEMO_EMPLOYEES.slice(0, 2)) {
        await reader.tap(e.rfid);
        n++;
        await eventually(() => agent.snapshot().pipeline.journaled === n, `scan ${n} journaled`);
      }
    }
    const files = await Promise.all(captures);
    const journaled = new Map<string, string[]>();
    for await (const row of exportJournal(`${dir}/journal`)) {
      journaled.set(row.reader, [...journaled.get(row.reader) ?? [], row.rfidTag]);
    }
    // PONTAJ_SAVE_CAPTURES=DIR keeps the files (how test/captures/ was made).
    const save = Deno.env.get("PONTAJ_SAVE_CAPTURES");
    for (const [i, reader] of readers.entries()) {
      const name = String(reader.config.name);
      if (save) await Deno.writeFile(`${save}/${reader.kind}.pjcap`, files[i]!);
      const cap = await parseCapture(files[i]!);
      assert.equal(cap.header.kind, reader.kind);
      assert.equal(cap.header.reader["name"], name);
      assert.equal(cap.tear, null, name);
      assert.ok(cap.trailer, `${name}: trailer`);
      assert.ok(cap.count > 0, `${name}: records`);
      const report = readerKind(reader.kind)!.replay(cap);
      assert.deepEqual(
        report.scans,
        journaled.get(name),
        `${name}: ${JSON.stringify(report.notes)}`,
      );
      assert.equal(report.scans.length, 2, name);
    }
  } finally {
    await agent.stop();
    for (const r of readers) await r.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Wiegand capture played on a simulated GPIO chip gives the agent the same scans", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gpio-replay-" });
  const gpio = new SimulatedGpio();
  const file = new URL("../../captures/wiegand.pjcap", import.meta.url);
  const cap = await parseCapture(await Deno.readFile(file));
  const want = readerKind("wiegand")!.replay(cap).scans;
  const config = validateConfig(
    {
      journal: { dir: `${dir}/journal` },
      iflow: { url: "http://127.0.0.1:9/", accessToken: DEMO_TOKEN },
      readers: [{ name: "w", kind: "wiegand", chip: "/dev/gpiochip0", d0: 0, d1: 1 }],
      debounceMs: 0,
      status: { listen: `127.0.0.1:${freePort()}` },
    },
    "test",
    {},
  );
  const agent = await Agent.start(config, {
    logger: () => {},
    statusServer: false,
    devices: { gpio: new Map([["w", gpio]]) },
  });
  try {
    await eventually(() => agent.snapshot().readers[0]?.state === "online", "reader online");
    const now = new Int32Array(2);
    monotonicClock(now);
    const startNs = BigInt(now[0]!) * 1_000_000_000n + BigInt(now[1]!);
    const bursts = gpioBursts(cap, { d0: 0, d1: 1, startNs });
    assert.equal(bursts.length, want.length);
    for (const b of bursts) {
      await new Promise((r) => setTimeout(r, b.delayNs / 1e6));
      await gpio.send(b.events);
    }
    await eventually(() => agent.snapshot().pipeline.journaled === want.length, "scans journaled");
    await agent.stop();
    const got = [];
    for await (const row of exportJournal(`${dir}/journal`)) got.push(row.rfidTag);
    assert.deepEqual(got, want);
  } finally {
    await agent.stop();
    await gpio.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
