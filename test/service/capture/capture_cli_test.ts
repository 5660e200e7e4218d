import assert from "node:assert/strict";
import { AsciiReaderSimulator } from "../../../driver/ascii/sim/simulator.ts";
import { AsciiFrameDecoder } from "../../../driver/ascii/frame.ts";
import { OsdpEmulator } from "../../../driver/osdp/sim/emulator.ts";
import { SerialPort } from "../../../driver/serial/mod.ts";
import { openPty } from "../../../driver/serial/pty.ts";
import { formatTag } from "../../../driver/tag.ts";
import { DEMO_TOKEN } from "../../../service/iflow/sim/model.ts";
import { parseCapture } from "../../../driver/capture/format.ts";
import { Agent } from "../../../service/agent.ts";
import { loadConfig } from "../../../service/config/mod.ts";
import { readerKind } from "../../../service/readers/kinds/mod.ts";
import { exportJournal } from "../../../service/journal/mod.ts";
import { eventually, freePort, runCli } from "../agent/harness.ts";

const CAPTURES = new URL("../../captures/", import.meta.url).pathname;

/** A config file with `readers`, a status port where no agent answers. */
async function writeConfig(dir: string, readers: unknown[]): Promise<string> {
  const path = `${dir}/pontaj.json`;
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      journal: { dir: `${dir}/journal` },
      iflow: { url: "http://127.0.0.1:9/", accessToken: DEMO_TOKEN },
      readers,
      debounceMs: 0,
      status: { listen: `127.0.0.1:${freePort()}` },
    }),
  );
  return path;
}

/** Runs `fn` every `ms` until `done` settles. */
async function repeatUntil(done: Promise<unknown>, ms: number, fn: () => Promise<void>) {
  let over = false;
  done.finally(() => over = true);
  while (!over) {
    await fn();
    await new Promise((r) => setTimeout(r, ms));
  }
}

Deno.test("cli capture with the agent stopped opens the reader itself; cli replay decodes it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-capcli-" });
  const pty = openPty();
  const sim = new AsciiReaderSimulator(pty.master, () => 0);
  try {
    const config = await writeConfig(dir, [
      { name: "door", kind: "ascii", port: pty.path, tagFormat: "dec10" },
    ]);
    const out = `${dir}/door.pjcap`;
    const run = runCli([
      "capture",
      "--config",
      config,
      "--reader",
      "door",
      "--seconds",
      "3",
      "--out",
      out,
    ]);
    await repeatUntil(run, 250, () => sim.tap(3887558n));
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /door\.pjcap: \d+ records/);
    const rep = await runCli(["replay", out, "--json"]);
    assert.equal(rep.code, 0, rep.stderr);
    const report = JSON.parse(rep.stdout);
    assert.equal(report.kind, "ascii");
    assert.ok(report.scans.length >= 3, `scans: ${report.scans.length}`);
    assert.ok(report.scans.every((t: string) => t === "0003887558"), report.scans.join());
    assert.equal(report.counters.checksumErrors, 0);
    const text = await runCli(["replay", out]);
    assert.match(
      text.stdout,
      /^ascii reader door: \d+ records, \d+ frames, \d+ cards \(tagFormat dec10\)/,
    );
    assert.match(
      text.stdout,
      /rx +02 30 30 30 30 33 42 35 31 43 36 41 43 03 +-> 0003887558 +\(dec10 0003887558/,
    );
  } finally {
    await pty.close();
    await Deno.remove(dir, { recursive: true });
  }
});

const TSHARK = await new Deno.Command("tshark", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);
if (!TSHARK) console.warn("pcap test skipped: tshark is not installed (.ci/run installs it)");

Deno.test({
  name: "cli capture --format pcap: the OSDP packets read back in tshark, with direction",
  ignore: !TSHARK,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "pontaj-pcap-" });
    const pty = openPty();
    const emulator = new OsdpEmulator(pty.master, { readers: [{ address: 1 }] });
    emulator.start();
    try {
      const config = await writeConfig(dir, [
        { name: "osdp1", kind: "osdp", port: pty.path, address: 1, tagFormat: "dec10" },
      ]);
      const out = `${dir}/osdp1.pjcap`;
      const r = await runCli([
        "capture",
        "--config",
        config,
        "--reader",
        "osdp1",
        "--seconds",
        "2",
        "--out",
        out,
        "--format",
        "pcap",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const packets = Number(/osdp1\.pjcap\.pcapng: (\d+) OSDP packets/.exec(r.stdout)?.[1]);
      const report = JSON.parse((await runCli(["replay", out, "--json"])).stdout);
      const frames = report.frames.filter((f: { ok: boolean }) => f.ok).length;
      assert.ok(packets >= 4, `packets ${packets}`);
      assert.equal(packets, frames);
      const fields = await new Deno.Command("tshark", {
        args: ["-r", `${out}.pcapng`, "-T", "fields", "-e", "frame.p2p_dir", "-e", "frame.len"],
        stdout: "piped",
        stderr: "null",
      }).output();
      const rows = new TextDecoder().decode(fields.stdout).trim().split("\n");
      assert.equal(rows.length, packets);
      const dirs = report.frames.map((f: { dir: string; raw: string }) =>
        `${f.dir === "tx" ? 0 : 1}\t${f.raw.split(" ").length}`
      );
      assert.deepEqual(rows, dirs);
    } finally {
      await emulator.close();
      await pty.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("cli replay --as-reader plays the bytes into a pty at the recorded pace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-asreader-" });
  const link = `${dir}/reader`;
  try {
    const run = runCli([
      "replay",
      `${CAPTURES}ascii.pjcap`,
      "--as-reader",
      link,
      "--delay-ms",
      "1500",
    ]);
    let port: SerialPort | undefined;
    for (let i = 0; i < 100 && !port; i++) {
      await new Promise((r) => setTimeout(r, 50));
      port = await SerialPort.open(link, { baudRate: 9600 }).catch(() => undefined);
    }
    assert.ok(port, "the pty link appeared");
    const decoder = new AsciiFrameDecoder();
    const tags: string[] = [];
    const buf = new Uint8Array(64);
    while (tags.length < 2) {
      const n = await port.read(buf, 5000);
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        if (decoder.push(buf[i]!)) tags.push(formatTag(decoder.read, "dec10"));
      }
    }
    await port.close();
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const want = JSON.parse(await Deno.readTextFile(`${CAPTURES}ascii.expected.json`)).scans;
    assert.deepEqual(tags, want);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli capture --redact while the agent runs asks it over the status link; scans go on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-capagent-" });
  const pty = openPty();
  const sim = new AsciiReaderSimulator(pty.master, () => 0);
  const config = await writeConfig(dir, [
    { name: "gate", kind: "ascii", port: pty.path, tagFormat: "dec10" },
  ]);
  const agent = await Agent.start(await loadConfig(config), { logger: () => {} });
  try {
    await eventually(() => agent.snapshot().readers[0]?.state === "online", "reader online");
    const out = `${dir}/gate.pjcap`;
    const run = runCli([
      "capture",
      "--config",
      config,
      "--reader",
      "gate",
      "--seconds",
      "2",
      "--out",
      out,
      "--redact",
    ]);
    await repeatUntil(run, 250, () => sim.tap(12345678n));
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /recorded by the running agent/);
    assert.match(r.stdout, /card bits redacted/);
    const cap = await parseCapture(await Deno.readFile(out));
    assert.equal(cap.header.redacted, true);
    const report = readerKind("ascii")!.replay(cap);
    assert.ok(report.scans.length >= 2, `scans ${report.scans.length}`);
    // Redacted: not the card, but one card stays one (keyed hash), checksums valid.
    assert.ok(report.scans.every((t) => t === report.scans[0] && t !== "0012345678"));
    assert.equal(report.counters.checksumErrors, 0);
    // Every card the capture saw was also journaled by the agent.
    await eventually(
      () => agent.snapshot().pipeline.journaled >= report.scans.length,
      "scans journaled",
    );
    const bad = await runCli(["capture", "--config", config, "--reader", "nope", "--seconds", "1"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no reader named "nope"/);
  } finally {
    await agent.stop();
    await pty.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli replay --as-reader osdp answers the whole agent's polls: it journals the captured cards", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-asreader-osdp-" });
  const link = `${dir}/osdp-reader`;
  const run = runCli(["replay", `${CAPTURES}osdp.pjcap`, "--as-reader", link]);
  // The agent starts once the link is there, so no reopen backoff slows it down.
  await eventually(() => Deno.lstat(link).then(() => true, () => false), "the pty link");
  const config = await writeConfig(dir, [
    // Another address than recorded, no Secure Channel: the playback answers in clear.
    { name: "door", kind: "osdp", port: link, address: 5, tagFormat: "dec10" },
  ]);
  const agent = await Agent.start(await loadConfig(config), { logger: () => {} });
  try {
    const want = JSON.parse(await Deno.readTextFile(`${CAPTURES}osdp.expected.json`)).scans;
    assert.equal(want.length, 2);
    await eventually(() => agent.snapshot().pipeline.journaled === want.length, "cards journaled");
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /delivered 2 of 2 reads/);
    const tags: string[] = [];
    for await (const row of exportJournal(`${dir}/journal`)) tags.push(row.rfidTag);
    assert.deepEqual(tags, want);
  } finally {
    await agent.stop();
    await run.catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
