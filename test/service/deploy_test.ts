import assert from "node:assert/strict";

const UNIT = new URL("../../service/deploy/pontaj.service", import.meta.url);

function directives(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("[")) continue;
    const i = line.indexOf("=");
    const key = line.slice(0, i);
    m.set(key, [...(m.get(key) ?? []), line.slice(i + 1)]);
  }
  return m;
}

Deno.test("systemd unit runs a dedicated user with restart, state directory and hardening", async () => {
  const d = directives(await Deno.readTextFile(UNIT));
  assert.deepEqual(d.get("User"), ["pontaj"]);
  assert.match(d.get("SupplementaryGroups")![0]!, /\bdialout\b.*\bgpio\b/);
  assert.deepEqual(d.get("Restart"), ["always"]);
  assert.deepEqual(d.get("StateDirectory"), ["pontaj"]);
  assert.deepEqual(d.get("ExecStart"), [
    "/usr/local/bin/pontaj run --config /etc/pontaj/pontaj.jsonc",
  ]);
  for (const k of ["NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp"]) {
    assert.ok(d.has(k), `${k} set`);
  }
  assert.deepEqual(d.get("ProtectSystem"), ["strict"]);
  assert.deepEqual(d.get("CapabilityBoundingSet"), [""]);
});

Deno.test("systemd unit confines files, devices and system calls as far as the agent allows", async () => {
  const d = directives(await Deno.readTextFile(UNIT));
  assert.deepEqual(d.get("ReadWritePaths"), ["/var/lib/pontaj"]);
  assert.deepEqual(d.get("UMask"), ["0027"]);
  assert.deepEqual(d.get("NoNewPrivileges"), ["yes"]);
  assert.deepEqual(d.get("DevicePolicy"), ["closed"]);
  const devices = d.get("DeviceAllow")!;
  for (const group of ["ttyS", "ttyAMA", "ttyUSB", "ttyACM", "gpiochip", "spi"]) {
    assert.ok(devices.includes(`char-${group} rw`), `char-${group}`);
  }
  // spidev registers its major as "spi": a "char-spidev" rule would match nothing.
  assert.ok(!devices.some((x) => x.startsWith("char-spidev")));
  assert.ok(!d.has("PrivateDevices"));
  assert.match(d.get("SystemCallFilter")![0]!, /^~@clock .*@privileged/);
  assert.deepEqual(d.get("SystemCallErrorNumber"), ["EPERM"]);
  assert.ok(!d.has("MemoryDenyWriteExecute"), "V8's JIT needs writable code pages");
});
