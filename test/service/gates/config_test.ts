import assert from "node:assert/strict";
import { ConfigError, validateConfig } from "../../../service/config/mod.ts";

const base = {
  journal: { dir: "/var/lib/pontaj/journal" },
  iflow: { accessToken: "s3cret-token-0042" },
  readers: [
    { name: "gate-in", kind: "ascii", port: "/dev/ttyUSB0" },
    { name: "gate-out", kind: "wiegand", chip: "/dev/gpiochip0", d0: 17, d1: 27 },
    { name: "door", kind: "osdp", port: "/dev/ttyUSB1", address: 1 },
  ],
};
const relay = { kind: "gpio", chip: "/dev/gpiochip0", line: 22 };

function problems(gates: unknown): string[] {
  try {
    validateConfig({ ...base, gates }, "pontaj.jsonc", {});
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  throw new Error("expected a ConfigError");
}

Deno.test("gates config defaults are applied", () => {
  const c = validateConfig(
    { ...base, gates: [{ name: "t1", readers: ["gate-in"], output: relay }] },
    "x",
    {},
  );
  assert.deepEqual(c.gates, [{
    name: "t1",
    readers: ["gate-in"],
    output: { ...relay, activeLow: false, pulseMs: 500 },
    policy: "known",
    offline: "known",
    liveTimeoutMs: 700,
    sendUnpassed: true,
  }]);
  assert.deepEqual(validateConfig(base, "x", {}).gates, []);
});

Deno.test("gates config full entry with osdp output, exit button and passage sensor", () => {
  const c = validateConfig(
    {
      ...base,
      gates: [{
        name: "door-1",
        readers: ["door", "gate-out"],
        output: { kind: "osdp", reader: "door", pulseMs: 3000 },
        policy: "list",
        offline: "closed",
        allow: "/etc/pontaj/allow.txt",
        exitButton: { chip: "/dev/gpiochip0", line: 24 },
        passage: { chip: "/dev/gpiochip0", line: 23, timeoutMs: 8000, activeLow: false },
      }],
    },
    "x",
    {},
  );
  const g = c.gates[0]!;
  assert.deepEqual(g.output, { kind: "osdp", reader: "door", output: 0, pulseMs: 3000 });
  assert.deepEqual(g.exitButton, { chip: "/dev/gpiochip0", line: 24, activeLow: true });
  assert.deepEqual(g.passage, {
    chip: "/dev/gpiochip0",
    line: 23,
    timeoutMs: 8000,
    activeLow: false,
  });
  assert.equal(g.sendUnpassed, true);
});

Deno.test("gates config bad values name the key path", () => {
  const p = problems([{
    name: "t1",
    readers: ["gate-in"],
    output: { ...relay, pulse: 5 },
    policy: "some",
    offline: "maybe",
    liveTimeoutMs: 5,
  }]);
  assert.deepEqual(
    p.sort(),
    [
      "pontaj.jsonc: gates[0].liveTimeoutMs: Too small: expected number to be >=50",
      'pontaj.jsonc: gates[0].offline: Invalid option: expected one of "open"|"known"|"closed"',
      "pontaj.jsonc: gates[0].output.pulse: unknown key (check the spelling; unknown keys are not allowed)",
      'pontaj.jsonc: gates[0].policy: Invalid option: expected one of "any"|"known"|"list"',
    ].sort(),
  );
});

Deno.test("gates config takes sendUnpassed: false only with a passage sensor", () => {
  assert.deepEqual(
    problems([{ name: "t1", readers: ["gate-in"], output: relay, sendUnpassed: false }]),
    [
      "pontaj.jsonc: gates[0].sendUnpassed: false needs a passage sensor ('passage') to know who passed",
    ],
  );
  const gates = [{
    name: "t1",
    readers: ["gate-in"],
    output: relay,
    sendUnpassed: false,
    passage: { chip: "/dev/gpiochip0", line: 23 },
  }];
  assert.equal(validateConfig({ ...base, gates }, "x", {}).gates[0]!.sendUnpassed, false);
  let live: string[] = [];
  try {
    validateConfig({ ...base, iflow: { ...base.iflow, mode: "live" }, gates }, "pontaj.jsonc", {});
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    live = err.problems;
  }
  assert.deepEqual(live, [
    'pontaj.jsonc: gates[0].sendUnpassed: false cannot hold scans with iflow.mode "live" (a live ' +
    'call sends each scan to iFlow as it is read); use mode "batch"',
  ]);
});

Deno.test("gates config output kind must be gpio or osdp", () => {
  const p = problems([{ name: "t1", readers: ["gate-in"], output: { kind: "relay" } }]);
  assert.equal(p.length, 1);
  assert.match(p[0]!, /^pontaj\.jsonc: gates\[0\]\.output(\.kind)?: .*'gpio' or 'osdp'/);
});

Deno.test("gates config cross-checks readers, names, osdp output and GPIO lines", () => {
  const p = problems([
    { name: "t1", readers: ["gate-in", "nobody"], output: relay },
    {
      name: "t1",
      readers: ["gate-in"],
      output: { kind: "osdp", reader: "gate-out" },
      exitButton: { chip: "/dev/gpiochip0", line: 22 },
      passage: { chip: "/dev/gpiochip0", line: 17 },
    },
    { name: "t3", readers: ["door"], output: { ...relay, line: 25 }, policy: "list" },
  ]);
  assert.deepEqual(
    p.sort(),
    [
      "pontaj.jsonc: gates[0].readers[1]: no reader named 'nobody' in 'readers'",
      "pontaj.jsonc: gates[1].exitButton.line: line 22 on /dev/gpiochip0 is already used by gate 't1'",
      "pontaj.jsonc: gates[1].name: duplicate gate name 't1'",
      "pontaj.jsonc: gates[1].output.reader: expected the name of an 'osdp' reader, got 'gate-out'",
      "pontaj.jsonc: gates[1].passage.line: line 17 on /dev/gpiochip0 is already used by reader 'gate-out' (D0)",
      "pontaj.jsonc: gates[1].readers[0]: reader 'gate-in' already asks gate 't1'",
      "pontaj.jsonc: gates[2].allow: policy 'list' needs an allow file",
    ].sort(),
  );
});
