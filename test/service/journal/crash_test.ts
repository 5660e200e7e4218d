import assert from "node:assert/strict";
import { Journal } from "../../../service/journal/mod.ts";
import { type Prng, withSeed } from "../../support/prng.ts";
import { runKilledAfter } from "../../support/child.ts";

const CHILD = new URL("./fixtures/append_child.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

interface RunResult {
  ready: boolean;
  printed: { seq: number; tag: string }[];
}

/** Starts the child, SIGKILLs it `killAfterMs` after spawn, returns what it printed. */
async function runAndKill(
  dir: string,
  run: number,
  workers: number,
  killAfterMs: number,
): Promise<RunResult> {
  const out = await runKilledAfter(
    ["--config", CONFIG, CHILD, dir, String(run), String(workers)],
    killAfterMs,
  );
  assert.equal(
    out.signal,
    "SIGKILL",
    `child exited by itself: ${new TextDecoder().decode(out.stderr)}`,
  );
  const lines = new TextDecoder().decode(out.stdout).split("\n");
  const res: RunResult = { ready: false, printed: [] };
  for (const line of lines) {
    if (line.startsWith("ready ")) res.ready = true;
    const m = line.match(/^(\d+) (\d+-\d+)$/);
    if (m) res.printed.push({ seq: Number(m[1]), tag: m[2]! });
  }
  return res;
}

Deno.test("journal survives SIGKILL at 24 random moments: every printed seq is intact", () =>
  withSeed(0x51c1c1, async (rng: Prng) => {
    const dir = await Deno.makeTempDir({ prefix: "pontaj-crash-" });
    const jd = `${dir}/j`;
    const acked = new Map<number, string>();
    let maxAcked = 0;
    let kills = 0;
    let readyKills = 0;
    try {
      for (let run = 0; run < 24; run++) {
        const workers = 1 + rng.int(8);
        const delay = 30 + rng.int(300);
        const res = await runAndKill(jd, run, workers, delay);
        kills++;
        if (res.ready) readyKills++;
        let prev = 0;
        for (const { seq, tag } of res.printed) {
          assert.ok(
            seq > maxAcked,
            `run ${run}: seq ${seq} not above ${maxAcked} from earlier runs`,
          );
          assert.ok(!acked.has(seq), `run ${run}: seq ${seq} printed twice`);
          acked.set(seq, tag);
          if (seq > prev) prev = seq;
        }
        maxAcked = Math.max(maxAcked, prev);
        // Reopen (recovery) and check every acknowledged record, every few runs and at the end.
        if (run % 6 === 5 || run === 23) {
          const j = await Journal.open(jd, { segmentBytes: 16 * 1024 });
          const seen = new Map<number, string>();
          let last = 0;
          for await (const r of j.export()) {
            assert.ok(r.seq > last, "export order strictly increasing");
            last = r.seq;
            seen.set(r.seq, r.rfidTag);
          }
          for (const [seq, tag] of acked) {
            assert.equal(seen.get(seq), tag, `acked seq ${seq} lost or changed`);
          }
          assert.ok(j.stats().lastSeq >= maxAcked);
          assert.equal(j.stats().corruption.count, 0);
          await j.close();
        }
      }
      assert.ok(kills >= 20);
      assert.ok(readyKills >= 10, `only ${readyKills} kills after the child was appending`);
      assert.ok(acked.size > 100, `only ${acked.size} appends acknowledged`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));
