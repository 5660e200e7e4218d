// The agent's status for OSDP readers sharing one line: refusal and fallback
// reasons in the headline and /health, a key installed into the journal
// directory, and "online" logged when a reader answers, not when the port opens.
import assert from "node:assert/strict";
import { Agent } from "../../../service/agent.ts";
import { validateConfig } from "../../../service/config/mod.ts";
import { formatStatusText } from "../../../service/status/format.ts";
import type { StatusSnapshot } from "../../../service/status/snapshot.ts";
import { openPty } from "../../../driver/serial/mod.ts";
import { OsdpEmulator } from "../../../driver/osdp/mod.ts";
import { eventually, freePort } from "./harness.ts";

const KEY = "00112233445566778899aabbccddeeff";
const OTHER = "ffeeddccbbaa99887766554433221100";

Deno.test("agent status names OSDP refusals and the clear-text fallback, installs keys in the journal dir", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-osdp-status-" });
  const pty = openPty();
  const emu = new OsdpEmulator(pty.master, {
    readers: [{ address: 1, scbk: OTHER }, { address: 2, scbk: OTHER }, { address: 3 }],
  });
  emu.start();
  const osdp = { kind: "osdp", port: pty.path, baudRate: 115200, replyTimeoutMs: 100 };
  const config = validateConfig(
    {
      journal: { dir: `${dir}/journal` },
      iflow: { url: "http://127.0.0.1:9/", accessToken: "osdp-test-token-0001" },
      readers: [
        { ...osdp, name: "vault", address: 1, secureChannel: { scbk: KEY, required: true } },
        { ...osdp, name: "side", address: 2, secureChannel: { scbk: KEY } },
        { ...osdp, name: "new", address: 3, secureChannel: { install: true } },
      ],
      status: { listen: `127.0.0.1:${freePort()}` },
    },
    "test",
    {},
  );
  const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
  const agent = await Agent.start(config, {
    logger: (_level, msg, fields) => logs.push({ msg, fields }),
  });
  try {
    const byName = (s: StatusSnapshot, n: string) => s.readers.find((r) => r.name === n)!;
    await eventually(() => {
      const s = agent.snapshot();
      return byName(s, "vault").state === "refused" && byName(s, "side").state === "online" &&
        byName(s, "new").details?.keySource === "installed";
    }, "vault refused, side in clear, new on its installed key");
    const s = agent.snapshot();
    assert.equal(s.healthy, false);
    assert.ok(
      s.degraded.some((d) => /^reader vault refused: key mismatch/.test(d)),
      JSON.stringify(s.degraded),
    );
    assert.ok(
      s.degraded.includes("reader side secure channel failed: key mismatch; running unencrypted"),
      JSON.stringify(s.degraded),
    );
    assert.ok(!s.degraded.some((d) => d.includes("reader new")), JSON.stringify(s.degraded));
    const text = formatStatusText(s);
    assert.match(text, /DEGRADED {2}reader vault refused: key mismatch/);
    assert.match(
      text,
      /DEGRADED {2}reader side secure channel failed: key mismatch; running unencrypted/,
    );
    assert.match(text, /secureChannel=active/);
    assert.match(text, /keySource=installed/);
    const res = await fetch(`${agent.statusUrl}/health`);
    const health = await res.json() as StatusSnapshot;
    assert.equal(res.status, 503);
    assert.ok(health.degraded.some((d) => d.startsWith("reader vault refused: key mismatch")));
    assert.equal(byName(health, "new").details?.secureChannel, "active");
    const keys = JSON.parse(await Deno.readTextFile(`${dir}/journal/osdp-keys.json`));
    assert.deepEqual(Object.keys(keys.keys), [`${pty.path}#3`]);
    assert.equal(
      keys.keys[`${pty.path}#3`].scbk,
      Array.from(emu.reader(3).scbk!, (b) => b.toString(16).padStart(2, "0")).join(""),
    );
    // "online" is logged per reader once it answers (after the handshake), not at port open.
    const onlineLines = logs.filter((l) => l.msg === "reader online").map((l) => l.fields?.readers);
    assert.ok(logs.some((l) => l.msg === "reader port open"));
    assert.ok(
      !onlineLines.some((r) => JSON.stringify(r).includes("vault")),
      "vault never answered",
    );
    assert.deepEqual(onlineLines.filter((r) => JSON.stringify(r) === '["new"]').length >= 1, true);
    const online = logs.find((l) => l.msg === "osdp reader online" && l.fields?.reader === "new");
    assert.equal(online?.fields?.secureChannel, "active");
    assert.ok(!JSON.stringify(logs).includes(keys.keys[`${pty.path}#3`].scbk), "key not logged");
  } finally {
    await agent.stop();
    await emu.close();
    await pty.close();
    await Deno.remove(dir, { recursive: true });
  }
});
