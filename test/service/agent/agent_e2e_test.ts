import assert from "node:assert/strict";
import { encodeAsciiFrame } from "../../../driver/ascii/mod.ts";
import { DEMO_TOKEN } from "../../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../../service/iflow/sim/simulator.ts";
import type { StatusSnapshot } from "../../../service/status/snapshot.ts";
import { AgentProcess, eventually, freePort, PluggablePort, runCli } from "./harness.ts";

const ANA = 0x003b51c6n; // dec10 0003887558, a demo employee
const UNKNOWN = 0x0000424242n;

interface Setup {
  dir: string;
  configPath: string;
  statusPort: number;
  ascii: PluggablePort;
  line: PluggablePort;
}

async function setup(iflowUrl: string, extra: Record<string, unknown> = {}): Promise<Setup> {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-e2e-" });
  const ascii = new PluggablePort(`${dir}/ttyASCII`);
  const line = new PluggablePort(`${dir}/ttyLINE`);
  const statusPort = freePort();
  const config = {
    journal: { dir: `${dir}/journal`, segmentBytes: 65536 },
    iflow: {
      url: iflowUrl,
      accessToken: DEMO_TOKEN,
      reconnectJitterMs: 0,
      backoffBaseMs: 50,
      backoffCapMs: 300,
      pollMs: 100,
      timeoutMs: 2000,
    },
    readers: [
      { name: "gate-ascii", kind: "ascii", port: ascii.path, tagFormat: "dec10" },
      { name: "gate-line", kind: "line", port: line.path, tagFormat: "dec10" },
    ],
    debounceMs: 2000,
    status: { listen: `127.0.0.1:${statusPort}` },
    ...extra,
  };
  const configPath = `${dir}/pontaj.jsonc`;
  await Deno.writeTextFile(configPath, `// e2e\n${JSON.stringify(config, null, 2)}`);
  return { dir, configPath, statusPort, ascii, line };
}

async function teardown(s: Setup): Promise<void> {
  await s.ascii.close();
  await s.line.close();
  await Deno.remove(s.dir, { recursive: true });
}

async function health(s: Setup): Promise<StatusSnapshot & { httpStatus: number }> {
  const res = await fetch(`http://127.0.0.1:${s.statusPort}/health`);
  return { ...(await res.json()), httpStatus: res.status };
}

async function healthy(s: Setup): Promise<StatusSnapshot | null> {
  try {
    return await health(s);
  } catch {
    return null;
  }
}

const tapAscii = (s: Setup, id: bigint) => s.ascii.pty.master.write(encodeAsciiFrame(id));
const tapLine = (s: Setup, code: string) =>
  s.line.pty.master.write(new TextEncoder().encode(code + "\r\n"));

async function allOnline(s: Setup): Promise<void> {
  await eventually(
    async () => (await healthy(s))?.readers.every((r) => r.state === "online") ?? false,
    "readers online",
  );
}

/** Waits until the journal holds `n` pending scans. */
async function pendingIs(s: Setup, n: number): Promise<void> {
  await eventually(async () => (await health(s)).journal.pending === n, `${n} pending`);
}

async function exportRows(s: Setup, state?: string): Promise<Record<string, unknown>[]> {
  const r = await runCli([
    "export",
    "--config",
    s.configPath,
    ...(state ? ["--state", state] : []),
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

Deno.test("agent end to end: scans in, journaled, at iFlow, states in export, status, unplug, SIGTERM", async () => {
  const sim = await startIflowSimulator({ port: 0 });
  const s = await setup(sim.url);
  const agent = new AgentProcess(["run", "--config", s.configPath]);
  try {
    await eventually(async () => {
      const h = await healthy(s);
      return h !== null && h.readers.every((r) => r.state === "online");
    }, "both readers online");

    // One tap at a time (two readers have no order between them).
    const read = async (n: number) =>
      await eventually(async () => (await health(s)).pipeline.read === n, `${n} read`);
    await tapAscii(s, ANA);
    await read(1);
    await tapLine(s, "12345678"); // Ion Ionescu
    await read(2);
    await tapAscii(s, UNKNOWN);
    await read(3);
    await tapLine(s, "5550001"); // Radu Oprea: employment ended
    await read(4);
    await tapLine(s, "12345678"); // quick double tap: debounced
    await read(5); // (journaled === 4 and pending === 0 may hold before this tap is read)
    await eventually(async () => {
      const h = await health(s);
      return h.pipeline.read === 5 && h.journal.pending === 0 && h.pipeline.journaled === 4;
    }, "5 taps read, 4 scans journaled and synced");

    const h = await health(s);
    assert.equal(h.httpStatus, 200);
    assert.equal(h.healthy, true);
    assert.deepEqual(h.pipeline, { read: 5, journaled: 4, debounced: 1, clockUnsynced: 0 });
    assert.equal(h.journal.rejected, 2);
    assert.equal(h.journal.synced, 2);
    assert.deepEqual(
      h.readers.map((r) => [r.name, r.state, r.scans, r.debounced]),
      [["gate-ascii", "online", 2, 0], ["gate-line", "online", 3, 1]],
    );
    assert.deepEqual(sim.stored().map((a) => a.rfidTag), ["0003887558", "0012345678"]);

    const metrics = await (await fetch(`http://127.0.0.1:${s.statusPort}/metrics`)).text();
    assert.match(metrics, /^pontaj_scans_total\{reader="gate-line"\} 3$/m);
    assert.match(metrics, /^pontaj_journal_pending 0$/m);

    // Export works while the agent runs and holds the journal.
    const rows = await exportRows(s);
    assert.deepEqual(
      rows.map((r) => [r.seq, r.reader, r.rfidTag, r.state]),
      [
        [1, "gate-ascii", "0003887558", "synced"],
        [2, "gate-line", "0012345678", "synced"],
        [3, "gate-ascii", "0004342338", "rejected"],
        [4, "gate-line", "0005550001", "rejected"],
      ],
    );
    assert.match(String(rows[2]!.error), /Niciun angajat nu este asociat acestei cartele/);
    assert.match(String(rows[3]!.error), /afara perioadei de angajare|în afara perioadei/);
    assert.ok(rows.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(String(r.date))));
    assert.equal((await exportRows(s, "rejected")).length, 2);

    // Unplug the ASCII reader: status shows it offline (503), the line reader keeps working.
    await s.ascii.unplug();
    await eventually(
      async () => (await health(s)).readers[0]!.state === "offline",
      "reader offline",
    );
    const down = await health(s);
    assert.equal(down.httpStatus, 503);
    assert.ok(down.degraded.some((d) => d.startsWith("reader gate-ascii offline")));
    await tapLine(s, "4567890"); // Maria Georgescu
    await eventually(
      async () => (await health(s)).pipeline.journaled === 5,
      "line reader still works",
    );
    // Plug it back: the supervisor reopens it and taps count again.
    s.ascii.plug();
    await eventually(
      async () => (await health(s)).readers[0]!.state === "online",
      "reader back",
      30_000,
    );
    await tapAscii(s, 0x00111ffen); // Elena Stan (Ana would be debounced)
    await eventually(
      async () => (await health(s)).pipeline.journaled === 6,
      "ASCII reader reads again",
    );
    assert.ok((await health(s)).readers[0]!.reconnects >= 1);

    const status = await agent.stop("SIGTERM");
    assert.equal(status.code, 0, agent.stderrText.join("\n"));
    assert.ok(agent.logs.some((l) => l.msg === "stopped"));
    assert.ok(agent.stderrText.every((l) => !l.includes(DEMO_TOKEN)), "token never logged");
  } finally {
    await agent.stop("SIGKILL");
    await sim.close();
    await teardown(s);
  }
});

Deno.test("agent restart resumes pending scans after an outage", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}/api/rfid_v2/offline_attendance/store_attendances`;
  const s = await setup(url);
  let agent = new AgentProcess(["run", "--config", s.configPath]);
  let sim: Awaited<ReturnType<typeof startIflowSimulator>> | null = null;
  try {
    await allOnline(s);
    await tapAscii(s, ANA);
    await pendingIs(s, 1);
    await tapLine(s, "12345678");
    await pendingIs(s, 2); // iFlow is down
    assert.deepEqual((await exportRows(s, "pending")).map((r) => r.rfidTag), [
      "0003887558",
      "0012345678",
    ]);
    assert.equal((await agent.stop("SIGTERM")).code, 0);

    // Not running: status reads the journal; sync --once would need iFlow.
    const st = await runCli(["status", "--config", s.configPath]);
    assert.match(st.stdout, /agent not running/);
    assert.match(st.stdout, /pending 2/);

    sim = await startIflowSimulator({ port });
    agent = new AgentProcess(["run", "--config", s.configPath]);
    await eventually(() => sim!.stored().length === 2, "backlog delivered after restart");
    await eventually(async () => (await health(s)).journal.pending === 0, "nothing pending");
    assert.deepEqual(sim.stored().map((a) => a.rfidTag), ["0003887558", "0012345678"]);
    assert.equal((await agent.stop("SIGTERM")).code, 0);
    assert.deepEqual((await exportRows(s)).map((r) => r.state), ["synced", "synced"]);
  } finally {
    await agent.stop("SIGKILL");
    await sim?.close();
    await teardown(s);
  }
});

Deno.test("cli sync --once drains the backlog and retry-rejected reopens rejected scans", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}/api/rfid_v2/offline_attendance/store_attendances`;
  const s = await setup(url);
  const agent = new AgentProcess(["run", "--config", s.configPath]);
  let sim: Awaited<ReturnType<typeof startIflowSimulator>> | null = null;
  try {
    await allOnline(s);
    await tapAscii(s, ANA);
    await pendingIs(s, 1);
    await tapAscii(s, UNKNOWN);
    await pendingIs(s, 2);
    // While the agent runs it holds the journal: sync --once refuses clearly.
    const busy = await runCli(["sync", "--config", s.configPath, "--once"]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /the agent is running/);
    assert.equal((await agent.stop("SIGTERM")).code, 0);

    sim = await startIflowSimulator({ port });
    const r = await runCli(["sync", "--config", s.configPath, "--once"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sent 2 \(1 accepted, 0 already at iFlow, 1 rejected\)/);
    assert.deepEqual((await exportRows(s)).map((x) => x.state), ["synced", "rejected"]);

    const rr = await runCli(["retry-rejected", "--config", s.configPath]);
    assert.equal(rr.code, 0, rr.stderr);
    assert.match(rr.stdout, /^1 rejected scan\(s\) are pending again/);
    assert.deepEqual((await exportRows(s)).map((x) => x.state), ["synced", "pending"]);
  } finally {
    await agent.stop("SIGKILL");
    await sim?.close();
    await teardown(s);
  }
});

Deno.test("agent bad config exits 2 naming the file and the key", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/bad.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      journal: { dir: `${dir}/j` },
      iflow: { accessToken: "t-0123456789abcdef" },
      readers: [{ name: "g", kind: "ascii", port: "/dev/ttyS9", baudrate: 9600 }],
    }),
  );
  try {
    const run = await runCli(["run", "--config", file]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr.trim(),
      `${file}: readers[0].baudrate: unknown key (check the spelling; unknown keys are not allowed)`,
    );
    const check = await runCli(["check-config", file]);
    assert.equal(check.code, 2);
    assert.match(check.stderr, /readers\[0\]\.baudrate: unknown key/);
    const usage = await runCli(["run"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /run needs --config FILE/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli --help everywhere and decode for every kind", async () => {
  const top = await runCli(["--help"]);
  assert.equal(top.code, 0);
  for (
    const cmd of [
      "run",
      "status",
      "export",
      "sync",
      "retry-rejected",
      "check-config",
      "decode",
      "iflow-sim",
    ]
  ) {
    assert.match(top.stdout, new RegExp(`^  ${cmd} `, "m"));
    const h = await runCli([cmd, "--help"]);
    assert.equal(h.code, 0, `${cmd} --help`);
    assert.match(h.stdout, /Usage:/, `${cmd} --help`);
  }
  const d = await runCli(["decode", "ascii", "67003B51C6CB"]);
  assert.equal(d.code, 0);
  assert.equal(JSON.parse(d.stdout).tags.dec10, "0003887558");
  const bad = await runCli(["decode", "ascii", "67003B51C6CC"]);
  assert.equal(bad.code, 1);
  assert.match(JSON.parse(bad.stdout).error, /checksum/);
});
