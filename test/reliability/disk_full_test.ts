import assert from "node:assert/strict";
import { DEMO_TOKEN } from "../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../service/iflow/sim/simulator.ts";
import { Journal } from "../../service/journal/journal.ts";
import { SpooledJournal } from "../../service/journal/spool.ts";
import type { StatusSnapshot } from "../../service/status/snapshot.ts";
import { scanOf } from "./core.ts";
import { checkDelivery, readArchive } from "./delivery.ts";
import { FAULT_FS_ENV, FaultFs } from "./fault_fs.ts";
import {
  AgentChild,
  agentConfig,
  employeesFor,
  exportRows,
  knownTag,
  openSimReaders,
  printFigures,
  waitUntil,
  writeConfig,
} from "./harness.ts";

Deno.test("disk full (journal): ENOSPC spools scans in a bounded queue, counts what could not be kept, writes the rest in order when space returns", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-enospc-" });
  const logs: string[] = [];
  try {
    const fs = new FaultFs();
    const j = await Journal.open(`${dir}/j`, { fs, segmentBytes: 4096 });
    const spool = new SpooledJournal(j, {
      capacity: 5,
      retryMs: 20,
      logger: (level, msg) => logs.push(`${level} ${msg}`),
    });
    assert.equal((await spool.submit(scanOf("a0", "gate", "b"))).status, "journaled");
    assert.equal((await spool.submit(scanOf("a1", "gate", "b"))).status, "journaled");
    fs.failWith = "ENOSPC"; // the next write puts half its bytes on disk, then ENOSPC
    fs.partialWrite = true;
    const results = [];
    for (let i = 2; i < 9; i++) results.push(await spool.submit(scanOf(`a${i}`, "gate", "b")));
    assert.deepEqual(results.map((r) => r.status), [
      "spooled",
      "spooled",
      "spooled",
      "spooled",
      "spooled",
      "dropped",
      "dropped",
    ]);
    assert.equal(spool.status(), "degraded: disk full");
    assert.equal(j.stats().degraded?.startsWith("disk full"), true, String(j.stats().degraded));
    assert.deepEqual(
      { queued: spool.stats().queued, dropped: spool.stats().dropped },
      { queued: 5, dropped: 2 },
    );
    await waitUntil(
      () => logs.some((l) => /2 scan\(s\) could not be kept/.test(l)),
      "drop count logged",
    );
    assert.ok(fs.failures > 0);

    fs.failWith = null;
    await waitUntil(() => spool.stats().queued === 0, "the spool to flush");
    assert.equal(spool.stats().flushed, 5);
    assert.equal(spool.status(), "ok");
    assert.equal(j.stats().degraded, null);
    await spool.close();

    const again = await Journal.open(`${dir}/j`, { segmentBytes: 4096 });
    const tags: string[] = [];
    for await (const r of again.export()) tags.push(r.rfidTag);
    const st = again.stats();
    await again.close();
    assert.deepEqual(tags, ["a0", "a1", "a2", "a3", "a4", "a5", "a6"], "in order, nothing else");
    assert.equal(st.corruption.count, 0);
    assert.equal(st.truncatedTails, 0, "the half-written frame was cut before space returned");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("disk full (agent): status degraded, scans wait in the memory queue, the ones that could not be kept are counted and logged, nothing else lost", async () => {
  const sim = await startIflowSimulator({ port: 0, employees: employeesFor(100) });
  const sims = await openSimReaders();
  const dir = await Deno.makeTempDir({ prefix: "pontaj-enospc-agent-" });
  const configPath = `${dir}/pontaj.jsonc`;
  const reader = sims.readers[0]!; // one reader: taps are read in the order written
  const config = agentConfig(`${dir}/journal`, sim.url, DEMO_TOKEN, sims.readers);
  (config.journal as Record<string, unknown>).queueLimit = 10;
  await writeConfig(configPath, config);
  const lost: string[] = [];
  const agent = new AgentChild({
    configPath,
    env: { ...sims.env, [FAULT_FS_ENV]: "enospc" },
    onLog: (l) => {
      if (l.msg === "scan could not be kept") lost.push(String(l.rfidTag));
    },
  });
  const health = async (): Promise<StatusSnapshot & { http: number }> => {
    const res = await fetch(`${agent.statusUrl}/health`);
    return { ...(await res.json()), http: res.status };
  };
  const tapped: string[] = [];
  const tap = async (n: number) => {
    const before = (await health()).pipeline.read;
    for (let k = 0; k < n; k++) {
      const tag = knownTag(tapped.length);
      tapped.push(tag);
      await reader.tap(tag);
      await waitUntil(async () => (await health()).pipeline.read === before + k + 1, `read ${tag}`);
    }
  };
  const acked = (tags: string[]) => tags.every((t) => agent.acks.some((a) => a.tag === t));
  try {
    await agent.waitReady(sims.readers.length);
    await tap(3);
    await waitUntil(() => acked(tapped), "3 scans journaled");

    agent.child.kill("SIGUSR1");
    await waitUntil(() => agent.messages.has("fault fs: disk full"), "disk full");
    await tap(14); // 10 fit the queue, 4 cannot be kept
    const queuedTags = tapped.slice(3, 13);
    const droppedTags = tapped.slice(13, 17);
    await waitUntil(
      () =>
        [...agent.messages.keys()].some((m) =>
          /queue full \(10\); 4 scan\(s\) could not be kept/.test(m)
        ),
      "the count of scans that could not be kept in the log",
    );
    const h = await health();
    assert.equal(h.http, 503);
    assert.equal(h.healthy, false);
    assert.match(String(h.journal.degraded), /disk full/);
    assert.ok(h.degraded.some((d) => /journal .*disk full/.test(d)), JSON.stringify(h.degraded));
    assert.equal(h.journal.queued, 10);
    assert.equal(h.journal.dropped, 4);
    assert.ok(
      h.alarms.some((a) => /4 scan\(s\) could not be kept/.test(a)),
      JSON.stringify(h.alarms),
    );
    assert.deepEqual(lost, droppedTags, "each lost scan logged with its tag");
    assert.ok(!acked(queuedTags.slice(0, 1)), "spooled scans are not acknowledged as journaled");

    agent.child.kill("SIGUSR2");
    await waitUntil(() => acked(queuedTags), "the 10 queued scans journaled once space returned");
    await waitUntil(
      async () => (await health()).journal.degraded === null,
      "journal healthy again",
    );
    await tap(2);
    await waitUntil(() => acked(tapped.slice(17)), "2 more scans journaled");
    await waitUntil(async () => (await health()).journal.pending === 0, "backlog synced");
    const end = await health();
    assert.equal(end.journal.queued, 0);
    assert.equal(end.pipeline.journaled, 15);
    assert.equal((await agent.stop()).code, 0);

    const rows = await exportRows(configPath);
    const retired = await readArchive(`${dir}/journal`);
    const all = [...rows, ...retired].sort((a, b) => a.seq - b.seq);
    const mustJournal = tapped.filter((t) => !droppedTags.includes(t));
    assert.deepEqual(
      all.map((r) => r.rfidTag),
      mustJournal,
      "journal order = tap order, dropped ones absent",
    );
    const rep = checkDelivery({
      rows,
      retired,
      stored: sim.stored(),
      acks: agent.acks,
      tapped: new Set(tapped),
      mustJournal,
    });
    assert.deepEqual(rep.violations, []);
    assert.equal(rep.delivered, 15);
    printFigures("disk full (agent)", {
      "scans tapped": tapped.length,
      "spooled in memory while full": queuedTags.length,
      "could not be kept (queue limit 10)": lost.length,
      "journaled": rep.journaled,
      "delivered": rep.delivered,
    });
  } finally {
    if (!agent.dead) await agent.kill();
    await sim.close();
    await sims.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
