import assert from "node:assert/strict";
import { Gate, type GateEvent } from "../../../service/gates/gate.ts";
import { LearnedTable } from "../../../service/gates/learned.ts";
import { type GateOutput, Relay } from "../../../service/gates/relay.ts";
import type { GateConfig } from "../../../service/gates/config.ts";
import { ManualTimers } from "../../support/manual_timers.ts";

const cfg: GateConfig = {
  name: "t1",
  readers: ["in"],
  output: { kind: "gpio", chip: "/dev/gpiochip0", line: 1, activeLow: false, pulseMs: 500 },
  policy: "known",
  offline: "known",
  liveTimeoutMs: 700,
  sendUnpassed: true,
};

function setup(online = true, config: GateConfig = cfg) {
  const t = new ManualTimers();
  const relayLog: string[] = [];
  const out: GateOutput = {
    set: (a) => void relayLog.push(a ? "on" : "off"),
    close: () => {},
  };
  const learned = new LearnedTable();
  const events: GateEvent[] = [];
  const feedback: string[] = [];
  const passages: string[] = [];
  const gate = new Gate({
    config,
    relay: new Relay(out, t),
    allow: (tag) => (tag === "LISTED" ? "allow" : null),
    learned,
    online: () => online,
    live: true,
    feedback: (r, g) => void feedback.push(`${r} ${g ? "green" : "red"}`),
    onDecision: (ev) => void events.push(ev),
    onPassage: (scan, passed) => void passages.push(`${scan.rfidTag} ${passed}`),
    now: () => t.now,
    timers: t,
  });
  const seen = () =>
    events.map((e) => `${e.rfidTag} ${e.granted ? "granted" : "denied"} ${e.reason}`);
  return { t, gate, learned, seen, relayLog, feedback, passages };
}

Deno.test("gate live mode: the live answer decides within liveTimeoutMs", () => {
  const { t, gate, seen, relayLog, feedback } = setup();
  assert.equal(gate.scan({ reader: "in", rfidTag: "A" }), null, "awaiting the live answer");
  assert.equal(gate.scan({ reader: "in", rfidTag: "B" }), null);
  t.advance(300);
  assert.equal(gate.liveAnswer("in", "A", true, true), true);
  assert.equal(gate.liveAnswer("in", "B", false, true), true);
  assert.equal(gate.liveAnswer("in", "C", true, true), false, "nobody waits for C");
  assert.deepEqual(seen(), ["A granted live", "B denied refused"]);
  assert.deepEqual(relayLog, ["on"]);
  assert.deepEqual(feedback, ["in green", "in red"]);
  assert.equal(gate.waiting, 0);
  assert.equal(t.pending, 1, "only the relay release timer is left");
  assert.equal(gate.counters.liveDecided, 2);
});

Deno.test("gate live mode: no answer in time (or an uncertain one) → the learned table decides", () => {
  const { t, gate, learned, seen } = setup();
  learned.teach("K", "known", 0);
  learned.teach("R", "refused", 0);
  gate.scan({ reader: "in", rfidTag: "K" });
  gate.scan({ reader: "in", rfidTag: "R" });
  gate.scan({ reader: "in", rfidTag: "U" });
  assert.equal(gate.liveAnswer("in", "U", false, false), false, "uncertain: keep waiting");
  t.advance(699);
  assert.deepEqual(seen(), []);
  t.advance(1);
  assert.deepEqual(seen(), ["K granted known", "R denied refused", "U denied unknown"]);
  assert.equal(gate.liveAnswer("in", "K", true, true), false, "too late");
  assert.equal(gate.counters.liveTimedOut, 3);
});

Deno.test("gate live mode: allow file and offline decide at once, no wait", () => {
  const { gate, seen } = setup();
  assert.deepEqual(gate.scan({ reader: "in", rfidTag: "LISTED" }), {
    granted: true,
    reason: "allow-file",
  });
  const off = setup(false);
  off.learned.teach("K", "known", 0);
  assert.deepEqual(off.gate.scan({ reader: "in", rfidTag: "K" }), {
    granted: true,
    reason: "known",
  });
  assert.deepEqual(seen(), ["LISTED granted allow-file"]);
});

Deno.test("gate exit button opens without a card; stop drops live waits and releases", () => {
  const { t, gate, seen, relayLog } = setup();
  gate.exit();
  gate.scan({ reader: "in", rfidTag: "A" });
  gate.stop();
  t.advance(10_000);
  assert.deepEqual(seen(), [" granted exit"]);
  assert.deepEqual(relayLog, ["on", "off"]);
  assert.equal(gate.counters.exits, 1);
});

Deno.test("gate passage sensor: each granted scan passed or not within timeoutMs, oldest first", () => {
  const withSensor: GateConfig = {
    ...cfg,
    policy: "any",
    passage: { chip: "/dev/gpiochip0", line: 23, activeLow: true, timeoutMs: 5000 },
  };
  const { t, gate, passages } = setup(true, withSensor);
  gate.passage(); // nobody was granted: counted, not attributed
  gate.scan({ reader: "in", rfidTag: "A" });
  t.advance(1000);
  gate.scan({ reader: "in", rfidTag: "B" });
  t.advance(1000);
  gate.passage(); // A passes
  t.advance(3999);
  assert.deepEqual(passages, ["A true"]);
  t.advance(1); // B's 5 s are up
  assert.deepEqual(passages, ["A true", "B false"]);
  gate.scan({ reader: "in", rfidTag: "C" });
  gate.stop(); // no outcome after stop
  t.advance(10_000);
  assert.deepEqual(passages, ["A true", "B false"]);
  assert.deepEqual(
    [gate.counters.passed, gate.counters.notPassed, gate.counters.unexpectedPassages],
    [1, 1, 1],
  );
});
