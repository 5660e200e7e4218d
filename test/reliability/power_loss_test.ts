import assert from "node:assert/strict";
import { DEMO_TOKEN } from "../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../service/iflow/sim/simulator.ts";
import { Journal } from "../../service/journal/journal.ts";
import type { Outcome } from "../../service/journal/types.ts";
import { type Prng, withSeed } from "../support/prng.ts";
import { readJournal, scanOf } from "./core.ts";
import { FaultFs } from "./fault_fs.ts";
import { type Ack, checkDelivery } from "./delivery.ts";
import { DENO_JSON, employeesFor, printFigures } from "./harness.ts";
import { runKilledAfter } from "../support/child.ts";

const CHILD = new URL("./fixtures/core_child.ts", import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("fault fs: a power cut keeps fsynced bytes, tears the unsynced tail, undoes renames not made durable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-tear-" });
  try {
    const seen = { prefix: 0, zeroed: 0, garbage: 0 };
    let undone = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const path = `${dir}/f${seed}`;
      const fs = new FaultFs({ seed, cutAtOp: 4 }); // write, fsync, write, [fsync: the power goes]
      const f = await fs.open(path, { write: true, create: true, append: true });
      const synced = new Uint8Array(100).fill(0xaa);
      await f.write(synced);
      await f.syncData();
      await f.write(new Uint8Array(50).fill(0xbb));
      await fs.rename(path, `${path}.moved`).catch(() => {}); // not dir-synced: may be undone
      await assert.rejects(f.syncData(), /Input\/output error/);
      assert.ok(fs.cut);
      await assert.rejects(f.write(new Uint8Array(1)), /Input\/output error/);
      await assert.rejects(fs.stat(path), /Input\/output error/);
      const where = await Deno.stat(path).then(() => path, () => `${path}.moved`);
      if (where === path) undone++;
      const bytes = await Deno.readFile(where);
      assert.deepEqual(bytes.subarray(0, 100), synced, "fsynced bytes untouched");
      assert.ok(bytes.length >= 100 && bytes.length <= 150, `size ${bytes.length}`);
      const t = fs.cut.torn[0]!;
      assert.equal(t.durable, 100);
      assert.equal(t.written, 150);
      assert.equal(bytes.length, t.sizeAfter);
      assert.ok(
        bytes.subarray(100, 100 + t.kept).every((b) => b === 0xbb),
        "kept bytes are the written ones",
      );
      if (t.mode === "zeroed") assert.ok(bytes.subarray(100 + t.kept).every((b) => b === 0));
      seen[t.mode]++;
      f.close();
    }
    assert.ok(seen.prefix > 0 && seen.zeroed > 0 && seen.garbage > 0, JSON.stringify(seen));
    assert.ok(undone > 0 && undone < 24, `renames undone in ${undone} of 24 cuts`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs appenders and outcome recording on `j` until the fs loses power. */
async function appendUntilCut(
  j: Journal,
  fs: FaultFs,
  rng: Prng,
  base: number,
  acked: Map<number, string>,
  outcomes: Map<number, Outcome["kind"]>,
): Promise<number> {
  let n = 0;
  const workers = 1 + rng.int(8);
  const loops = Array.from({ length: workers }, async () => {
    while (!fs.cut) {
      const tag = `t${base + n++}`;
      try {
        acked.set(await j.append(scanOf(tag, "gate", "b")), tag);
      } catch {
        return;
      }
    }
  });
  const recorder = (async () => {
    while (!fs.cut) {
      await sleep(rng.int(3));
      const open = [...acked.keys()].filter((s) => !outcomes.has(s)).slice(0, 1 + rng.int(20));
      const list = open.map((seq) => ({
        seq,
        outcome: (seq % 7 === 0
          ? { kind: "rejected", field: "error_authenticate", message: `no card ${seq}` }
          : seq % 5 === 0
          ? { kind: "duplicate", iflowId: String(seq) }
          : { kind: "accepted" }) as Outcome,
      }));
      try {
        await j.recordOutcomes(list);
        for (const { seq, outcome } of list) {
          outcomes.set(seq, outcome.kind);
        }
      } catch {
        return;
      }
    }
  })();
  await Promise.race([
    fs.whenCut,
    sleep(30_000).then(() => Promise.reject(new Error("no cut in 30 s"))),
  ]);
  await Promise.all([...loops, recorder]);
  await j.close().catch(() => {});
  return n;
}

Deno.test("power loss (journal): 30 cuts at random ops; every fsync-acknowledged scan and outcome survives recovery", () =>
  withSeed(0x70a3, async (rng) => {
    const dir = await Deno.makeTempDir({ prefix: "pontaj-power-" });
    const jd = `${dir}/j`;
    const acked = new Map<number, string>();
    const outcomes = new Map<number, Outcome["kind"]>();
    let base = 0;
    let tornTails = 0;
    let brokenFiles = 0;
    let undone = 0;
    const modes = new Map<string, number>();
    try {
      for (let round = 0; round < 30; round++) {
        // Every third cut comes just before a directory fsync (a new segment's rename not yet durable).
        const fs = round % 3 === 2
          ? new FaultFs({ seed: rng.nextU32(), cutAtDirSync: 1 + rng.int(4) })
          : new FaultFs({ seed: rng.nextU32(), cutAtOp: 1 + rng.int(80) });
        const j = await Journal.open(jd, { fs, segmentBytes: 4096, outcomeSegmentBytes: 4096 });
        const before = j.stats().lastSeq;
        base += await appendUntilCut(j, fs, rng, base, acked, outcomes);
        for (const t of fs.cut!.torn) modes.set(t.mode, (modes.get(t.mode) ?? 0) + 1);
        undone += fs.cut!.undoneRenames;

        const { rows, stats, broken } = await readJournal(jd);
        tornTails += stats.truncatedTails;
        brokenFiles = broken.length;
        assert.equal(
          stats.corruption.count,
          0,
          `round ${round}: only tails tear, nothing in the middle`,
        );
        assert.equal(stats.degraded, null, `round ${round}: ${stats.degraded}`);
        const bySeq = new Map(rows.map((r) => [r.seq, r]));
        for (const [seq, tag] of acked) {
          const row = bySeq.get(seq);
          if (!row) continue; // its segment was retired: every record in it had a durable outcome
          assert.equal(row.rfidTag, tag, `round ${round}: acknowledged seq ${seq}`);
        }
        for (const seq of acked.keys()) {
          if (!bySeq.has(seq)) {
            assert.ok(
              outcomes.has(seq),
              `round ${round}: acknowledged seq ${seq} lost (no outcome, not in the journal)`,
            );
          }
        }
        for (const [seq, kind] of outcomes) {
          const row = bySeq.get(seq);
          if (!row) continue;
          assert.equal(
            row.state,
            kind === "rejected" ? "rejected" : "synced",
            `round ${round}: outcome of seq ${seq}`,
          );
        }
        let last = 0;
        for (const r of rows) {
          assert.ok(r.seq > last);
          last = r.seq;
          assert.match(r.rfidTag, /^t\d+$/);
        }
        assert.ok(
          stats.lastSeq >= Math.max(before, ...acked.keys()),
          `round ${round}: seqs never go back`,
        );
      }
      const acks = acked.size;
      printFigures("power loss (journal level)", {
        "power cuts": 30,
        "fsync-acknowledged scans": acks,
        "durable outcomes": outcomes.size,
        "torn tails cut at recovery": tornTails,
        ".broken files kept": brokenFiles,
        "tail modes (prefix/zeroed/garbage)": `${modes.get("prefix") ?? 0}/${
          modes.get("zeroed") ?? 0
        }/${modes.get("garbage") ?? 0}`,
        "renames undone": undone,
      });
      assert.ok(acks > 100, `only ${acks} acknowledged appends`);
      assert.ok(tornTails > 0, "some cuts left a torn tail for recovery to cut");
      assert.ok(undone > 0, "some cuts undid a rename");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));

interface ChildRun {
  lines: string[];
  signal: Deno.Signal | null;
  code: number;
}

async function runChild(args: Record<string, unknown>, timeoutMs: number): Promise<ChildRun> {
  const out = await runKilledAfter(
    ["--config", DENO_JSON, CHILD, JSON.stringify(args)],
    timeoutMs,
    { stderr: "inherit" },
  );
  return {
    lines: new TextDecoder().decode(out.stdout).split("\n").filter(Boolean),
    signal: out.signal,
    code: out.code,
  };
}

Deno.test("power loss (agent core in a child: journal, spool, sync engine): cut at random ops, recover, deliver each scan once", () =>
  withSeed(0x5e7c, async (rng) => {
    const sim = await startIflowSimulator({
      port: 0,
      seed: rng.seed,
      employees: employeesFor(20_000),
      faults: { lostReplyRate: 0.15, errorRate: 0.05 },
    });
    const dir = await Deno.makeTempDir({ prefix: "pontaj-power-core-" });
    const jd = `${dir}/j`;
    const acks: Ack[] = [];
    const outcomes = new Map<number, string>();
    const tapped = new Set<string>();
    let base = 0;
    let cuts = 0;
    try {
      const common = { dir: jd, url: sim.url, token: DEMO_TOKEN };
      for (let run = 0; run < 8; run++) {
        const r = await runChild(
          {
            ...common,
            seed: rng.nextU32(),
            cutAtOp: 20 + rng.int(200),
            run,
            base,
            workers: 1 + rng.int(6),
            taps: 0,
          },
          60_000,
        );
        assert.equal(
          r.signal,
          "SIGKILL",
          `run ${run} ended without a cut: ${r.lines.slice(-5).join(" | ")}`,
        );
        if (r.lines.some((l) => l.startsWith("cut "))) cuts++;
        for (const l of r.lines) {
          const [k, a, b] = l.split(" ");
          if (k === "tap") {
            tapped.add(a!);
            base++;
          } else if (k === "ack") acks.push({ seq: Number(a), tag: b!, reader: "gate-core" });
          else if (k === "out") outcomes.set(Number(a), b!);
        }
        const { rows, retired, stats } = await readJournal(jd);
        assert.equal(stats.corruption.count, 0, `run ${run}`);
        const bySeq = new Map<number, { rfidTag: string; state: string }>(
          rows.map((x) => [x.seq, x]),
        );
        for (const x of retired) bySeq.set(x.seq, { rfidTag: x.rfidTag, state: "retired" });
        for (const ack of acks) {
          const row = bySeq.get(ack.seq);
          assert.ok(row, `run ${run}: acknowledged seq ${ack.seq} lost`);
          assert.equal(row.rfidTag, ack.tag, `run ${run}: acknowledged seq ${ack.seq}`);
        }
        for (const [seq, state] of outcomes) {
          const row = bySeq.get(seq);
          assert.ok(row, `run ${run}: seq ${seq} with a durable outcome lost`);
          if (row.state !== "retired") {
            assert.equal(row.state, state, `run ${run}: durable outcome of seq ${seq}`);
          }
        }
      }
      // Power stays on: a last run taps 30 more scans and drains the backlog.
      sim.setFaults({});
      const r = await runChild({
        ...common,
        seed: rng.nextU32(),
        cutAtOp: null,
        run: 8,
        base,
        workers: 3,
        taps: 30,
      }, 120_000);
      assert.equal(r.code, 0, r.lines.slice(-5).join("\n"));
      assert.ok(r.lines.includes("drained"));
      for (const l of r.lines) {
        const [k, a, b] = l.split(" ");
        if (k === "tap") tapped.add(a!);
        else if (k === "ack") acks.push({ seq: Number(a), tag: b!, reader: "gate-core" });
      }
      const { rows, retired } = await readJournal(jd);
      const stored = sim.stored();
      const rep = checkDelivery({ rows, retired, stored, acks, tapped });
      printFigures("power loss (agent core in a child process)", {
        "power cuts": cuts,
        "scans tapped": tapped.size,
        "fsync-acknowledged": acks.length,
        "journaled (live + archived)": rep.journaled,
        "stored at iFlow": stored.length,
        "rejected (unknown cards)": rep.rejected,
        "violations": rep.violations.length,
      });
      assert.deepEqual(rep.violations, []);
      assert.equal(rep.pending, 0);
      assert.ok(cuts >= 6, `${cuts} cuts`);
      assert.ok(acks.length > 100, `${acks.length} acknowledged`);
    } finally {
      await sim.close();
      await Deno.remove(dir, { recursive: true });
    }
  }));
