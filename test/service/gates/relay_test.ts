import assert from "node:assert/strict";
import { SimulatedGpio } from "../../../driver/wiegand/sim/gpio.ts";
import {
  buildOutputRequest,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_FLAG_OUTPUT,
  openGpioOutput,
} from "../../../driver/wiegand/gpio_output.ts";
import { parseLineRequest } from "../../../driver/wiegand/gpio_event.ts";
import { type GateOutput, Relay, RELEASE_RETRY_MS } from "../../../service/gates/relay.ts";
import { ManualTimers } from "../../support/manual_timers.ts";
import { withSeed } from "../../support/prng.ts";

/** An output that records what it was told and fails on demand. */
class RecordingOutput implements GateOutput {
  readonly log: string[] = [];
  failing = 0;
  set(active: boolean, pulseMs: number): void {
    if (this.failing > 0) {
      this.failing--;
      throw new Error("EIO");
    }
    this.log.push(active ? `on ${pulseMs}` : "off");
  }
  close(): void {
    this.log.push("close");
  }
}

Deno.test("gpio output request: one output line, initially inactive, active-low by the kernel", () => {
  const req = parseLineRequest(buildOutputRequest(22, "pontaj-gate", true));
  assert.deepEqual(req.offsets, [22]);
  assert.equal(req.consumer, "pontaj-gate");
  assert.equal(req.flags, GPIO_V2_LINE_FLAG_OUTPUT | GPIO_V2_LINE_FLAG_ACTIVE_LOW);
  assert.equal(req.numAttrs, 1);
  const raw = buildOutputRequest(5, "x", false);
  const v = new DataView(raw.buffer);
  assert.deepEqual([v.getUint32(320, true), v.getBigUint64(328, true), v.getBigUint64(336, true)], [
    2,
    0n,
    1n,
  ]);
  assert.equal(parseLineRequest(raw).flags, GPIO_V2_LINE_FLAG_OUTPUT);
});

Deno.test("gpio output drives the simulated chip through SET_VALUES and releases the line", () => {
  const chip = new SimulatedGpio();
  const line = openGpioOutput({ chip: "/dev/gpiochip0", line: 22, activeLow: true, ioctl: chip });
  line.set(true);
  line.set(false);
  line.close();
  assert.deepEqual(chip.outputChanges, [
    { line: 22, active: false, op: "request" },
    { line: 22, active: true, op: "set" },
    { line: 22, active: false, op: "set" },
    { line: 22, active: false, op: "release" },
  ]);
  assert.equal(chip.chipCloses, 1);
  assert.throws(() => line.set(true), /closed/);
  chip.requestErrno = 16;
  assert.throws(
    () => openGpioOutput({ chip: "/dev/gpiochip0", line: 22, activeLow: false, ioctl: chip }),
    /requesting line 22 on \/dev\/gpiochip0 as an output failed \(errno 16: another program/,
  );
});

Deno.test("relay pulses, extends on a second open mid-pulse, and releases after pulseMs", () => {
  const t = new ManualTimers();
  const out = new RecordingOutput();
  const r = new Relay(out, t);
  r.start();
  assert.deepEqual(out.log, ["off"]);
  r.open(500);
  t.advance(300);
  r.open(500); // extends to 800
  t.advance(499);
  assert.equal(r.energised, true);
  t.advance(1);
  assert.equal(r.energised, false);
  assert.deepEqual(out.log, ["off", "on 500", "on 500", "off"]);
  assert.deepEqual(r.counters, { pulses: 1, extended: 1, errors: 0 });
  assert.equal(t.pending, 0);
  r.stop();
  assert.deepEqual(out.log.slice(-2), ["off", "close"]);
  assert.equal(r.open(500), false, "no open after stop");
});

Deno.test("relay release that fails is retried until it works (never stuck)", () => {
  const t = new ManualTimers();
  const out = new RecordingOutput();
  const errors: string[] = [];
  const r = new Relay(out, t, (m) => errors.push(m));
  r.open(500);
  out.failing = 3;
  t.advance(500 + 2 * RELEASE_RETRY_MS);
  assert.equal(r.energised, true);
  assert.equal(r.lastError, "releasing the relay failed: EIO");
  t.advance(RELEASE_RETRY_MS);
  assert.equal(r.energised, false);
  assert.equal(r.counters.errors, 3);
  assert.deepEqual(errors, ["releasing the relay failed: EIO"]); // logged once, counted each time
  assert.equal(r.lastError, null, "cleared once the device works again");
});

Deno.test("relay never stays energised: random opens and stops, seeded", async () => {
  await withSeed(0x16a7e, (rng) => {
    for (let run = 0; run < 200; run++) {
      const t = new ManualTimers();
      const out = new RecordingOutput();
      const r = new Relay(out, t);
      r.start();
      let lastOpenEnd = 0;
      for (let k = 0; k < 20; k++) {
        t.advance(rng.int(901));
        if (rng.chance(0.1)) out.failing = 1 + rng.int(3);
        const pulse = 50 + rng.int(651);
        r.open(pulse);
        lastOpenEnd = t.now + pulse;
      }
      if (rng.chance(0.3)) {
        out.failing = 0;
        r.stop();
        assert.equal(out.log.at(-1), "close");
        assert.equal(out.log.at(-2), "off");
        continue;
      }
      t.advance(lastOpenEnd - t.now + 3 * 250);
      assert.equal(r.energised, false, `run ${run}`);
      assert.equal(out.log.at(-1), "off", `run ${run}`);
      assert.equal(t.pending, 0);
    }
  });
});
