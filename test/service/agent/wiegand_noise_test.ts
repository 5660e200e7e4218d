import assert from "node:assert/strict";
import { Agent } from "../../../service/agent.ts";
import { validateConfig } from "../../../service/config/mod.ts";
import { demoDeviceOverrides, demoReader } from "../../../service/demo/sim_readers.ts";
import { DEMO_EMPLOYEES, DEMO_TOKEN } from "../../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import { exportJournal } from "../../../service/journal/mod.ts";
import { formatStatusText } from "../../../service/status/format.ts";
import type { StatusSnapshot } from "../../../service/status/snapshot.ts";
import {
  encodeWiegand,
  type MonotonicClock,
  SimulatedGpio,
  WiegandPulseGenerator,
} from "../../../driver/wiegand/mod.ts";
import { eventually, freePort } from "./harness.ts";

/** The monotonic clock the reader times frames and hints with; the test moves it. */
class TestClock {
  ns = 5_000_000_000_000; // ~83 min of uptime
  readonly read: MonotonicClock = (out) => {
    out[0] = Math.floor(this.ns / 1e9);
    out[1] = this.ns - out[0] * 1e9;
  };
}

Deno.test("agent: a Wiegand noise burst journals nothing, raises the noise hint in status, which clears after the quiet period", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-wnoise-" });
  const demo = await demoReader("wiegand", "gate-w");
  const gpio = demo.gpio;
  assert.ok(gpio instanceof SimulatedGpio);
  const clock = new TestClock();
  const config = validateConfig(
    {
      journal: { dir: `${dir}/journal` },
      iflow: { url: sim.url, accessToken: DEMO_TOKEN, reconnectJitterMs: 0, pollMs: 100 },
      readers: [demo.config],
      debounceMs: 0,
      status: { listen: `127.0.0.1:${freePort()}` },
    },
    "test",
    {},
  );
  const debug: string[] = [];
  const warnings: Record<string, unknown>[] = [];
  const agent = await Agent.start(config, {
    logger: (level, msg, fields) => {
      if (level === "debug" && fields?.reader === "gate-w") debug.push(msg);
      if (level === "warn") warnings.push({ msg, ...fields });
    },
    devices: { ...demoDeviceOverrides([demo]), clock: clock.read },
  });
  const health = async (): Promise<StatusSnapshot> =>
    await (await fetch(`${agent.statusUrl}/health`)).json();
  const metrics = async () => await (await fetch(`${agent.statusUrl}/metrics`)).text();
  try {
    await eventually(() => agent.snapshot().readers[0]?.state === "online", "reader online");
    // A burst of noise: 8 lone pulses of valid width, 30-80 ms apart (each its own 1-bit
    // frame), and 3 glitches. The clock stands after the burst, so the reader's next tick
    // ends the last frame.
    const gen = new WiegandPulseGenerator({ startNs: BigInt(clock.ns) + 1_000_000n });
    let t = clock.ns + 1_000_000;
    for (let i = 0; i < 8; i++) {
      gen.pulse(i % 2, BigInt(t), 50_000 + i * 5000);
      t += 30_000_000 + i * 7_000_000;
    }
    for (let i = 0; i < 3; i++) gen.pulse(0, BigInt(t + i * 1_000_000), 5000);
    clock.ns = t + 100_000_000;
    await gpio.send(gen.eventBytes());
    await eventually(
      () => agent.snapshot().readers[0]?.drops?.["unknown-length"] === 8,
      "8 noise frames dropped",
    );
    const s = await health();
    const r = s.readers[0]!;
    assert.equal(r.drops?.glitch, 3);
    assert.equal(r.drops?.parity, 0);
    assert.deepEqual(r.unknownLengths, { "1": 8 });
    assert.deepEqual(r.lastUnknownLengths, [1, 1, 1, 1, 1]);
    assert.deepEqual(r.hints?.map((h) => [h.code, h.count]), [["noise", 11]]);
    assert.match(r.hints![0]!.message, /check the common ground/);
    assert.equal(s.pipeline.read, 0);
    assert.equal(s.journal.total, 0);
    assert.equal(s.healthy, true, "a hint is a warning, not a degraded agent");
    // The hint was logged once as a warning, and each dropped frame's bits at debug level.
    assert.deepEqual(warnings.map((w) => [w.msg, w.reader, w.hint]), [
      ["wiegand line fault repeats", "gate-w", "noise"],
    ]);
    assert.equal(
      debug.filter((m) => /^wiegand unknown-length \(no format\): 1 bits [01]$/.test(m)).length,
      8,
    );
    const text = formatStatusText(s);
    assert.match(text, /^WARNING {3}reader gate-w: electrical noise on the Wiegand lines/m);
    assert.match(text, /^ {4}dropped: unknown-length 8 \(last 1, 1, 1, 1, 1 bits\) · glitch 3$/m);
    const m = await metrics();
    assert.match(m, /^pontaj_reader_dropped_total\{reader="gate-w",reason="unknown-length"\} 8$/m);
    assert.match(m, /^pontaj_reader_dropped_total\{reader="gate-w",reason="glitch"\} 3$/m);
    assert.match(m, /^pontaj_reader_unknown_length_total\{reader="gate-w",bits="1"\} 8$/m);
    assert.match(m, /^pontaj_reader_hint_active\{reader="gate-w",hint="noise"\} 1$/m);

    // The line still reads cards: one real frame after the burst is journaled with its tag.
    const tag = DEMO_EMPLOYEES[0]!.rfid;
    const n = Number(tag);
    const card = new WiegandPulseGenerator({ startNs: BigInt(clock.ns), intervalUs: 1000 });
    card.frame(encodeWiegand("h10301", Math.floor(n / 65536) % 256, n % 65536));
    clock.ns += 200_000_000;
    await gpio.send(card.eventBytes());
    await eventually(() => agent.snapshot().pipeline.journaled === 1, "the card journaled");

    // Nine quiet minutes later the hint still shows; ten minutes after the last drop it is gone.
    clock.ns = t + 9 * 60_000_000_000;
    assert.deepEqual((await health()).readers[0]!.hints?.map((h) => h.code), ["noise"]);
    clock.ns = t + 10 * 60_000_000_000 + 3_000_000;
    const after = await health();
    assert.deepEqual(after.readers[0]!.hints, []);
    assert.equal(after.readers[0]!.drops?.["unknown-length"], 8, "counters stay");
    assert.doesNotMatch(formatStatusText(after), /WARNING/);
    assert.doesNotMatch(await metrics(), /^pontaj_reader_hint_active\{/m);
  } finally {
    await agent.stop();
    await demo.close();
    await sim.close();
  }
  const rows = [];
  for await (const row of exportJournal(`${dir}/journal`)) rows.push([row.reader, row.rfidTag]);
  assert.deepEqual(rows, [["gate-w", DEMO_EMPLOYEES[0]!.rfid]]);
  await Deno.remove(dir, { recursive: true });
});
