import assert from "node:assert/strict";
import { Agent } from "../../../service/agent.ts";
import { demoReader } from "../../../service/demo/sim_readers.ts";
import { DEMO_EMPLOYEES } from "../../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import { SimulatedGpio } from "../../../driver/wiegand/sim/gpio.ts";
import { eventually, freePort } from "../agent/harness.ts";
import { exportJournal } from "../../../service/journal/mod.ts";
import { exportObject } from "../../../service/export_row.ts";
import { gateTestConfig } from "./gate_config.ts";

const TOKEN = "status-token-0123456789abcdef";

Deno.test("status /events streams scans and decisions; POST /actions/open opens a gate; both need the token", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-gate-events-" });
  const reader = await demoReader("ascii", "gate-in");
  const chip = new SimulatedGpio();
  const config = gateTestConfig(sim.url, dir, [reader.config], {
    name: "turnstile-1",
    readers: ["gate-in"],
    output: { kind: "gpio", chip: "/dev/gpiochip0", line: 22, pulseMs: 100 },
    policy: "any",
  }, { status: { listen: `127.0.0.1:${freePort()}`, token: TOKEN } });
  const agent = await Agent.start(config, {
    logger: () => {},
    devices: { gateGpio: new Map([["/dev/gpiochip0", chip]]) },
  });
  const base = agent.statusUrl!;
  const auth = { authorization: `Bearer ${TOKEN}` };
  let stream: ReadableStreamDefaultReader<string> | undefined;
  try {
    const noToken = await fetch(`${base}/events`);
    assert.equal(noToken.status, 401);
    await noToken.body?.cancel();
    const openNoToken = await fetch(`${base}/actions/open?gate=turnstile-1`, { method: "POST" });
    assert.equal(openNoToken.status, 401);
    await openNoToken.body?.cancel();

    const res = await fetch(`${base}/events`, { headers: auth });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    stream = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const frames = () =>
      text.split("\n\n").filter((f) => f.startsWith("event: ")).map((f) => {
        const [ev, data] = f.split("\n");
        return { type: ev!.slice(7), data: JSON.parse(data!.slice(6)) };
      });
    const readUntil = async (n: number) => {
      while (frames().length < n) {
        const { value, done } = await stream!.read();
        if (done) throw new Error(`stream ended after ${text}`);
        text += value;
      }
    };

    await reader.tap(DEMO_EMPLOYEES[0]!.rfid);
    await readUntil(2);
    const [decision, scan] = frames();
    assert.equal(decision!.type, "decision");
    assert.deepEqual(
      [decision!.data.gate, decision!.data.rfidTag, decision!.data.granted, decision!.data.reason],
      ["turnstile-1", DEMO_EMPLOYEES[0]!.rfid, true, "policy-any"],
    );
    assert.equal(scan!.type, "scan");
    assert.deepEqual([scan!.data.seq, scan!.data.reader, scan!.data.rfidTag], [
      1,
      "gate-in",
      DEMO_EMPLOYEES[0]!.rfid,
    ]);

    const open = await fetch(`${base}/actions/open?gate=turnstile-1`, {
      method: "POST",
      headers: auth,
    });
    assert.deepEqual([open.status, await open.json()], [200, { opened: "turnstile-1" }]);
    await readUntil(3);
    assert.deepEqual(
      [frames()[2]!.type, frames()[2]!.data.reason, frames()[2]!.data.rfidTag],
      ["decision", "manual", ""],
    );
    const unknown = await fetch(`${base}/actions/open?gate=nope`, {
      method: "POST",
      headers: auth,
    });
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
    await eventually(
      () => chip.outputChanges.filter((c) => c.op === "set" && c.active).length === 2,
      "two pulses",
    );
    assert.equal(agent.gates!.status()[0]!.counters.manualOpens, 1);
    await agent.gates!.drain();
    assert.equal(agent.gates!.status()[0]!.counters.eventsJournaled, 1);
    await eventually(() => agent.snapshot().journal.pending === 0, "scan delivered");
    const rows = [];
    for await (const row of exportJournal(`${dir}/journal`)) rows.push(exportObject(row));
    assert.deepEqual(
      rows.map((r) => `${r.seq} ${r.state} ${r.event ?? r.rfidTag} ${r.reader}`),
      [`1 synced ${DEMO_EMPLOYEES[0]!.rfid} gate-in`, "2 event manual-open turnstile-1"],
      "the remote open is journaled as a manual open",
    );
    assert.equal(sim.stored().length, 1, "and never sent to iFlow");
  } finally {
    await agent.stop(); // ends the event stream
    if (stream) {
      // The stream ends with the server: cleanly, or with the connection closed under it.
      let done = false;
      try {
        while (!done) done = (await stream.read()).done;
      } catch (err) {
        assert.match(String(err), /error reading a body from connection/);
      }
    }
    await reader.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
