import assert from "node:assert/strict";
import {
  DEMO_EMPLOYEES,
  localDateTime,
  runIflowSim,
  startIflowSimulator,
} from "../../../service/iflow/mod.ts";

const TOKEN = "sim-token-1";
const ANA = DEMO_EMPLOYEES[0]!; // employed since 2020
const RADU = DEMO_EMPLOYEES[5]!; // employment ended 2023-12-31

function row(rfidTag: string, date: string, time: string) {
  return { date, time, rfidTag, errorMsg: "" };
}

async function offline(url: string, token: string, rows: unknown): Promise<unknown> {
  const u = `${url}?access_token=${encodeURIComponent(token)}&csv_data=${
    encodeURIComponent(JSON.stringify(rows))
  }&version=1.0`;
  const res = await fetch(u);
  return await res.json();
}

Deno.test("iflow simulator offline endpoint answers every documented case", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  try {
    const rows = [
      row(ANA.rfid, "2024-05-06", "08:00:00"),
      row(ANA.rfid, "2024-05-06", "08:00:00"),
      row("999", "2024-05-06", "08:01:00"),
      row(RADU.rfid, "2024-05-06", "08:02:00"),
      row(ANA.rfid, "2024-05-06", "7:00"),
      row(ANA.rfid, "2024-02-30", "07:00:00"),
      row(ANA.rfid, "2024-05-06", "17:00:00"),
      row(ANA.rfid, "2024-05-06", "12:00:00"),
      row(ANA.rfid, "2024-05-06", "18:00:00"),
      row(ANA.rfid, "2024-05-06", "17:30:00"),
    ];
    const reply = await offline(sim.url, TOKEN, rows) as Record<string, string>[];
    const errs = reply.map((e) =>
      [e.error_authenticate, e.error_check_in_out, e.error_csv].join("|")
    );
    assert.deepEqual(errs, [
      "||",
      "|Nu se poate adăuga - prezență duplicată: 53201|",
      "Niciun angajat nu este asociat acestei cartele de tip RFID: 999||",
      "Angajatul nu se poate ponta în afara perioadei de angajare.||",
      "||Data sau ora invalidă: 2024-05-06 7:00",
      "||Data sau ora invalidă: 2024-02-30 07:00:00",
      "||",
      "|Ana Popescu - Acest interval se suprapune cu următorul interval: 06/05/2024 08:00:00 - 06/05/2024 17:00:00|",
      "||",
      "|Ana Popescu - Acest interval se suprapune cu următorul interval: 06/05/2024 18:00:00 - gol|",
    ]);
    assert.deepEqual(
      reply.map((e) => [e.date, e.time, e.rfidTag]),
      rows.map((r) => [r.date, r.time, r.rfidTag]),
    );
    const stored = sim.stored();
    assert.deepEqual(stored.map((a) => [a.id, a.arrival, a.time, a.kind]), [
      [53201, 1, "08:00:00", "check-in"],
      [53202, 2, "17:00:00", "check-out"],
      [53203, 3, "18:00:00", "check-in"],
    ]);
    const inspect = await (await fetch(`${sim.origin}/__sim/attendances`)).json();
    assert.deepEqual(inspect, stored);
  } finally {
    await sim.close();
  }
});

Deno.test("iflow simulator refuses unknown tokens in the chosen style", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  try {
    const r = await offline(sim.url, "nope", [row(ANA.rfid, "2024-05-06", "08:00:00")]);
    assert.deepEqual(Array.isArray(r), false);
    assert.ok(/access_token/.test(JSON.stringify(r)));
    sim.setFaults({ authStyle: "401" });
    const res = await fetch(`${sim.url}?access_token=nope&csv_data=[]&version=1`);
    await res.body?.cancel();
    assert.deepEqual(res.status, 401);
    sim.addToken("nope");
    assert.deepEqual(await offline(sim.url, "nope", []), []);
    assert.deepEqual(sim.stored().length, 0);
    assert.deepEqual(sim.counts().refusedToken, 2);
  } finally {
    await sim.close();
  }
});

Deno.test("iflow simulator live endpoint stamps server time and answers check-in/out", async () => {
  let now = Date.UTC(2024, 4, 6, 5, 0, 0); // 08:00:00 in Bucharest (UTC+3)
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN], now: () => now });
  try {
    const live = async (tag: string, post = false) => {
      const res = post
        ? await fetch(sim.liveUrl, {
          method: "POST",
          body: new URLSearchParams({ access_token: TOKEN, rfid_tag: tag }),
        })
        : await fetch(`${sim.liveUrl}?access_token=${TOKEN}&rfid_tag=${tag}`);
      return (await res.json()).api_reply;
    };
    const a = await live(ANA.rfid);
    assert.deepEqual([a.scan_msg, a.user.full_name, a.event], ["", "Ana Popescu", [{
      ID: "53201",
      date: "2024-05-06",
      start_time: String(8 * 3600),
      end_time: null,
      terminal_type: "rfid",
    }]]);
    now += 3600_000;
    const b = await live(ANA.rfid, true);
    assert.deepEqual(b.event[0].end_time, String(9 * 3600));
    const c = await live("424242");
    assert.deepEqual([c.scan_msg, c.user], [
      "Niciun angajat nu este asociat acestei cartele de tip RFID: 424242",
      null,
    ]);
    const d = await live(ANA.rfid); // same second again: duplicate
    assert.deepEqual(d.scan_msg, "Nu se poate adăuga - prezență duplicată: 53202");
    assert.deepEqual(sim.stored().map((s) => [s.via, s.date, s.time, s.kind]), [
      ["live", "2024-05-06", "08:00:00", "check-in"],
      ["live", "2024-05-06", "09:00:00", "check-out"],
    ]);
    assert.deepEqual(localDateTime(Date.UTC(2024, 0, 1, 22, 30, 5), "Europe/Bucharest"), {
      date: "2024-01-02",
      time: "00:30:05",
    });
  } finally {
    await sim.close();
  }
});

Deno.test("iflow simulator faults: 5xx HTML, 414, lost reply stores, reset does not", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN], seed: 7 });
  try {
    const u = (rows: unknown[]) =>
      `${sim.url}?access_token=${TOKEN}&csv_data=${
        encodeURIComponent(JSON.stringify(rows))
      }&version=1`;
    sim.setFaults({ errorRate: 1, retryAfterSec: 3 });
    let res = await fetch(u([row(ANA.rfid, "2024-05-06", "08:00:00")]));
    const html = await res.text();
    assert.deepEqual([res.status, res.headers.get("retry-after"), html.startsWith("<html>")], [
      500,
      "3",
      true,
    ]);
    sim.setFaults({ maxUrlBytes: 200 });
    res = await fetch(
      u([row(ANA.rfid, "2024-05-06", "08:00:00"), row(ANA.rfid, "2024-05-06", "09:00:00")]),
    );
    await res.body?.cancel();
    assert.deepEqual(res.status, 414);
    sim.setFaults({ resetRate: 1 });
    res = await fetch(u([row(ANA.rfid, "2024-05-06", "08:00:00")]));
    let failed = false;
    await res.text().catch(() => (failed = true));
    assert.deepEqual([failed, sim.stored().length], [true, 0]);
    sim.setFaults({ lostReplyRate: 1 });
    res = await fetch(u([row(ANA.rfid, "2024-05-06", "08:00:00")]));
    failed = false;
    await res.text().catch(() => (failed = true));
    assert.deepEqual([failed, sim.stored().length], [true, 1]);
    const c = sim.counts();
    assert.deepEqual([c.errors, c.tooLong, c.resets, c.lostReplies], [1, 1, 1, 1]);
  } finally {
    await sim.close();
  }
});

Deno.test("iflow simulator counts the delay it really applied and its own time", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN], faults: { latencyMs: 5 } });
  try {
    for (let i = 0; i < 4; i++) {
      await offline(sim.url, TOKEN, [row(ANA.rfid, "2024-05-06", `08:0${i}:00`)]);
    }
    await (await fetch(`${sim.origin}/__sim/stats`)).body?.cancel(); // not counted
    const c = sim.counts();
    assert.deepEqual([c.offline, c.delayed], [4, 4]);
    // A timer never fires early (1 ms of slack for the clocks' rounding).
    assert.ok(c.delayedMs >= 4 * 4, `delayedMs ${c.delayedMs}`);
    assert.ok(c.serviceMs > 0, `serviceMs ${c.serviceMs}`);
    sim.setFaults({});
    await offline(sim.url, TOKEN, [row(ANA.rfid, "2024-05-06", "09:00:00")]);
    const d = sim.counts();
    assert.deepEqual([d.offline, d.delayed, d.delayedMs], [5, 4, c.delayedMs]);
    assert.ok(d.serviceMs > c.serviceMs);
  } finally {
    await sim.close();
  }
});

Deno.test("iflow simulator hang is released by close()", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN], faults: { hangRate: 1 } });
  const ac = new AbortController();
  const p = fetch(`${sim.url}?access_token=${TOKEN}&csv_data=[]&version=1`, { signal: ac.signal })
    .then((r) => r.text()).catch((e) => `failed: ${e.name}`);
  while (sim.counts().hangs === 0) await new Promise((r) => setTimeout(r, 5));
  ac.abort();
  assert.deepEqual(await p, "failed: AbortError");
  await sim.close();
  assert.deepEqual(sim.counts().hangs, 1);
});

Deno.test("runIflowSim --help and bad arguments", async () => {
  const out: string[] = [];
  assert.deepEqual(await runIflowSim(["--help"], (l) => out.push(l)), 0);
  assert.ok(out[0]!.includes("--lost-reply-rate"));
  const err = console.error;
  const errs: string[] = [];
  console.error = (m: string) => errs.push(m);
  try {
    assert.deepEqual(await runIflowSim(["--error-rate", "2"]), 2);
    assert.deepEqual(await runIflowSim(["--bogus"]), 2);
    assert.deepEqual(await runIflowSim(["--employees", "/nonexistent.json"]), 2);
  } finally {
    console.error = err;
  }
  assert.ok(errs[0]!.includes("--error-rate: expected 0..1"));
  assert.ok(errs[2]!.includes("/nonexistent.json"));
});

Deno.test("runIflowSim serves an employees file until SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/employees.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify([{ id: 1, fullName: "Test Person", rfid: "77", from: "2020-01-01" }]),
    );
    const script = new URL("../../../service/iflow/sim/cli.ts", import.meta.url).href;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--config",
        new URL("../../../deno.json", import.meta.url).pathname,
        `import { runIflowSim } from "${script}"; Deno.exit(await runIflowSim(["--port", "0", "--employees", "${file}", "--token", "T9"]));`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("live:")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const url = /offline: (\S+)/.exec(text)![1]!;
    const reply = await offline(url, "T9", [row("77", "2024-05-06", "08:00:00")]);
    assert.deepEqual((reply as Record<string, string>[])[0]!.error_authenticate, "");
    child.kill("SIGTERM");
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const status = await child.status;
    await child.stderr.cancel();
    assert.deepEqual(status.code, 0);
    assert.ok(text.includes("1 attendances stored"), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
