import assert from "node:assert/strict";
import {
  DEMO_EMPLOYEES,
  IflowClient,
  parseIflowConfig,
  startIflowSimulator,
  type WireRecord,
} from "../../../service/iflow/mod.ts";

const TOKEN = "s3cr3t&tok=en/ă-2291";
const ANA = DEMO_EMPLOYEES[0]!.rfid;

function rec(time: string, rfidTag = ANA, errorMsg = ""): WireRecord {
  return { date: "2024-05-06", time, rfidTag, errorMsg };
}

Deno.test("IflowClient builds the documented URL and prepare() fits it to the URL limit", () => {
  const client = new IflowClient(parseIflowConfig({
    url: "https://app.iflow.ro/api/rfid_v2/offline_attendance/store_attendances",
    accessToken: TOKEN,
    version: "1.0",
  }));
  try {
    const recs = [rec("08:00:00"), rec("08:00:01", 'ăţ "&+', "ceas nesincronizat")];
    const url = client.buildUrl(recs);
    const u = new URL(url);
    assert.deepEqual([...u.searchParams.keys()], ["access_token", "csv_data", "version"]);
    assert.deepEqual(u.searchParams.get("access_token"), TOKEN);
    assert.deepEqual(JSON.parse(u.searchParams.get("csv_data")!), recs);
    assert.deepEqual(u.searchParams.get("version"), "1.0");
    assert.deepEqual(url.length, new TextEncoder().encode(url).length);
    assert.deepEqual(client.prepare(recs, 50, url.length), { records: recs, url });
    const one = { records: recs.slice(0, 1), url: client.buildUrl(recs.slice(0, 1)) };
    assert.deepEqual(client.prepare(recs, 50, url.length - 1), one);
    assert.deepEqual(client.prepare(recs, 1, 100_000), one);
    assert.deepEqual(client.prepare(recs, 50, 10), one, "a single record always goes");
    assert.deepEqual(client.prepare([], 50, 10), { records: [], url: client.buildUrl([]) });
    assert.deepEqual(
      client.buildLiveUrl("0003887558"),
      `https://app.iflow.ro/api/rfid_devices/auto_attendance?access_token=${
        encodeURIComponent(TOKEN)
      }&rfid_tag=0003887558`,
    );
  } finally {
    client.close();
  }
});

Deno.test("IflowClient classifies real replies from the simulator", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN], seed: 3 });
  const client = new IflowClient(
    parseIflowConfig({ url: sim.url, accessToken: TOKEN, timeoutMs: 300 }),
  );
  try {
    let r = await client.send([rec("08:00:00"), rec("08:00:00"), rec("08:01:00", "31337")]);
    assert.deepEqual(r.reply, {
      kind: "ok",
      outcomes: [
        { kind: "accepted" },
        { kind: "duplicate", iflowId: "53201" },
        {
          kind: "rejected",
          field: "error_authenticate",
          message: "Niciun angajat nu este asociat acestei cartele de tip RFID: 31337",
        },
      ],
    });
    assert.deepEqual(r.status, 200);
    sim.setFaults({ hangRate: 1 });
    r = await client.send([rec("09:00:00")]);
    assert.deepEqual(r.reply, {
      kind: "transient",
      reason: "timeout after 300 ms while waiting for the reply",
    });
    sim.setFaults({ resetRate: 1 });
    r = await client.send([rec("09:00:00")]);
    assert.deepEqual(r.reply.kind, "transient");
    assert.ok(/reading the reply/.test((r.reply as { reason: string }).reason));
    sim.setFaults({ errorRate: 1 });
    r = await client.send([rec("09:00:00")]);
    assert.deepEqual(r.reply, { kind: "transient", reason: "HTTP 500" });
    sim.setFaults({ maxUrlBytes: 300 });
    r = await client.send([rec("09:00:00"), rec("09:00:01"), rec("09:00:02")]);
    assert.deepEqual(r.reply.kind, "too-long");
    sim.setFaults({ lostReplyRate: 1 });
    r = await client.send([rec("09:00:00")]);
    assert.deepEqual(r.reply.kind, "transient");
    sim.setFaults({});
    r = await client.send([rec("09:00:00")]);
    assert.deepEqual(r.reply, { kind: "ok", outcomes: [{ kind: "duplicate", iflowId: "53202" }] });
    sim.removeToken(TOKEN);
    r = await client.send([rec("10:00:00")]);
    assert.deepEqual(r.reply.kind, "auth");
    sim.setFaults({ authStyle: "403" });
    r = await client.send([rec("10:00:00")]);
    assert.deepEqual(r.reply, { kind: "auth", reason: "HTTP 403" });
    assert.deepEqual(sim.stored().map((s) => s.time), ["08:00:00", "09:00:00"]);
  } finally {
    client.close();
    await sim.close();
  }
});

Deno.test("IflowClient live call reports the user and the action", async () => {
  const sim = await startIflowSimulator({ port: 0, tokens: [TOKEN] });
  const client = new IflowClient(parseIflowConfig({ url: sim.url, accessToken: TOKEN }));
  try {
    const r = await client.live(ANA);
    assert.deepEqual(r.reply, {
      kind: "stored",
      userId: "22221",
      userName: "Ana Popescu",
      action: "check-in",
    });
    const u = await client.live("0");
    assert.deepEqual(u.reply.kind, "not-stored");
    assert.deepEqual((u.reply as { certain: boolean }).certain, true);
  } finally {
    client.close();
    await sim.close();
  }
});

Deno.test("IflowClient never puts the token in an error", async () => {
  // A port nothing listens on: fetch's own error text contains the whole URL.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const client = new IflowClient(parseIflowConfig({
    url: `http://127.0.0.1:${port}/api/rfid_v2/offline_attendance/store_attendances`,
    accessToken: TOKEN,
  }));
  try {
    const r = await client.send([rec("08:00:00")]);
    const l = await client.live(ANA);
    const text = JSON.stringify([r, l]);
    assert.deepEqual(r.reply.kind, "transient");
    assert.ok(/network error/.test(text), text);
    assert.ok(!text.includes(TOKEN) && !text.includes(encodeURIComponent(TOKEN)), text);
    assert.ok(!text.includes("s3cr3t"), text);
  } finally {
    client.close();
  }
});
