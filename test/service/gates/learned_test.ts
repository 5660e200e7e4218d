import assert from "node:assert/strict";
import { isRefusal, LearnedTable } from "../../../service/gates/learned.ts";
import {
  LEARNED_FILE,
  LearnedStore,
  parseLearned,
  serializeLearned,
} from "../../../service/gates/learned_store.ts";
import { learnedFromOutcome, TeachingJournal } from "../../../service/gates/learn.ts";
import { SIM_MESSAGES } from "../../../service/iflow/sim/model.ts";
import { Journal } from "../../../service/journal/journal.ts";

Deno.test("learned table teaches, keeps learned-at while the state holds, and is bounded", () => {
  const t = new LearnedTable(3);
  t.teach("a", "known", 100);
  t.teach("a", "known", 200);
  assert.deepEqual(t.entry("a"), { rfidTag: "a", state: "known", learnedAt: 100, lastSeen: 200 });
  t.teach("a", "refused", 300);
  assert.deepEqual(t.entry("a"), { rfidTag: "a", state: "refused", learnedAt: 300, lastSeen: 300 });
  t.teach("b", "known", 400);
  t.teach("c", "known", 500);
  t.seen("a", 600); // a is now the most recently seen
  t.seen("zzz", 650); // unknown cards are not added by a read
  t.teach("d", "known", 700); // over the bound: b (seen longest ago) goes
  assert.deepEqual(t.cards().map((c) => c.rfidTag), ["c", "a", "d"]);
  assert.equal(t.get("b"), null);
  assert.equal(t.evicted, 1);
  assert.deepEqual(t.counts(), { known: 2, refused: 1 });
});

Deno.test("learned outcomes: stored and duplicate teach known, iFlow's two refusals teach refused", () => {
  assert.equal(learnedFromOutcome({ kind: "accepted" }), "known");
  assert.equal(learnedFromOutcome({ kind: "duplicate" }), "known");
  const rej = (message: string) =>
    learnedFromOutcome({ kind: "rejected", field: "error_authenticate", message });
  assert.equal(rej(SIM_MESSAGES.unknownCard("0001")), "refused");
  assert.equal(rej(SIM_MESSAGES.outsideEmployment), "refused");
  assert.equal(rej("Angajatul nu se poate ponta in afara perioadei de angajare."), "refused");
  assert.equal(rej("Data si ora nu sunt valide"), null);
  assert.equal(isRefusal("x".repeat(1_000_000)), false);
});

Deno.test("learned file round-trips and refuses anything else", () => {
  const cards = [
    { rfidTag: "0003887558", state: "known" as const, learnedAt: 1, lastSeen: 2 },
    { rfidTag: "059,20934", state: "refused" as const, learnedAt: 3, lastSeen: 4 },
  ];
  assert.deepEqual(parseLearned(serializeLearned(cards)), cards);
  assert.throws(() => parseLearned("{}"), /not a learned table/);
  assert.throws(() => parseLearned('{"version":1,"cards":[["a","x",1,2]]}'), /bad entry/);
  assert.throws(() => parseLearned('{"version":1,"cards":[["a","k",1.5,2]]}'), /bad entry/);
});

Deno.test("learned store saves crash-safely (mode 0640), reloads, and sets a broken file aside", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const warnings: string[] = [];
    const s = await LearnedStore.open(dir, { warn: (m) => warnings.push(m) });
    s.table.teach("0001", "known", 10);
    s.table.teach("0002", "refused", 20);
    await s.close();
    const st = await Deno.stat(`${dir}/${LEARNED_FILE}`);
    assert.equal(st.mode! & 0o777, 0o640);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(names, [LEARNED_FILE], "no temporary file left");
    const again = await LearnedStore.open(dir);
    assert.deepEqual(again.table.cards(), s.table.cards());
    assert.equal(again.table.changes, 0);

    await Deno.writeTextFile(`${dir}/${LEARNED_FILE}`, '{"version":1,"cards":[["a"');
    const broken = await LearnedStore.open(dir, { warn: (m) => warnings.push(m) });
    assert.equal(broken.table.size, 0);
    assert.equal(broken.brokenAtOpen, true);
    assert.equal(
      await Deno.readTextFile(`${dir}/${LEARNED_FILE}.broken`),
      '{"version":1,"cards":[["a"',
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /set aside as gates-learned\.json\.broken/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("learned table survives a SIGKILL of the process saving it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./learned_child.ts", import.meta.url).pathname, dir],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    let lastSaved = 0;
    while (lastSaved < 40) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      const m = [...text.matchAll(/saved (\d+)\n/g)].pop();
      if (m) lastSaved = Number(m[1]);
    }
    child.kill("SIGKILL"); // mid-way through a later save, most likely
    await reader.cancel();
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    assert.ok(lastSaved >= 40, `child printed only ${lastSaved} saves`);

    const s = await LearnedStore.open(dir);
    assert.equal(s.brokenAtOpen, false);
    // every save acknowledged before the kill is there, in order, with the right state
    assert.ok(s.table.size >= lastSaved, `${s.table.size} < ${lastSaved}`);
    for (let i = 1; i <= lastSaved; i++) {
      assert.deepEqual(s.table.entry(`tag-${i}`), {
        rfidTag: `tag-${i}`,
        state: i % 3 === 0 ? "refused" : "known",
        learnedAt: 1_700_000_000_000 + i,
        lastSeen: 1_700_000_000_000 + i,
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("learned table is taught by the journal's durable outcomes (TeachingJournal)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const journal = await Journal.open(dir);
    const store = await LearnedStore.open(dir, { delayMs: 1 });
    const scan = (rfidTag: string) => ({
      reader: "gate-in",
      rfidTag,
      epochMs: 1_800_000_000_000,
      date: "2027-01-15",
      time: "08:00:00",
      utcOffsetMin: 120,
      bootId: "test",
      clockUnsynced: false,
      errorMsg: "",
    });
    for (const t of ["A1", "B2", "C3", "D4", "E5"]) await journal.append(scan(t));
    const teaching = new TeachingJournal(journal, store, () => 42);
    const recs = await teaching.pending(10);
    assert.deepEqual(recs.map((r) => r.rfidTag), ["A1", "B2", "C3", "D4", "E5"]);
    await teaching.recordOutcomes([
      { seq: recs[0]!.seq, outcome: { kind: "accepted" } },
      { seq: recs[1]!.seq, outcome: { kind: "duplicate" } },
      {
        seq: recs[2]!.seq,
        outcome: {
          kind: "rejected",
          field: "error_authenticate",
          message: SIM_MESSAGES.unknownCard("C3"),
        },
      },
      {
        seq: recs[3]!.seq,
        outcome: {
          kind: "rejected",
          field: "error_authenticate",
          message: SIM_MESSAGES.outsideEmployment,
        },
      },
      {
        seq: recs[4]!.seq,
        outcome: { kind: "rejected", field: "error_check_in_out", message: "se suprapune" },
      },
    ]);
    assert.deepEqual(
      store.table.cards().map((c) => [c.rfidTag, c.state, c.learnedAt]),
      [["A1", "known", 42], ["B2", "known", 42], ["C3", "refused", 42], ["D4", "refused", 42]],
    );
    assert.equal(journal.stats().pending, 0);
    await store.close();
    await journal.close();
    assert.equal((await LearnedStore.open(dir)).table.size, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
