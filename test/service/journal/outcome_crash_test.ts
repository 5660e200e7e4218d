import assert from "node:assert/strict";
import { Journal } from "../../../service/journal/mod.ts";
import { testScan } from "./fixtures/build_journal.ts";

const CHILD = new URL("./fixtures/outcome_child.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

/** Runs the child until it prints a line starting with `until`, then SIGKILLs it; returns its lines. */
async function runUntil(dir: string, mode: string, until: string): Promise<string[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, CHILD, dir, mode],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines: string[] = [];
  let buf = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (!lines.some((l) => l.startsWith(until))) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      lines.push(...parts);
    }
  } finally {
    child.kill("SIGKILL");
    await reader.cancel();
    await child.status;
  }
  return lines;
}

Deno.test("journal outcome: killed between send and record, the batch is pending again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-outcome-" });
  try {
    const j = await Journal.open(dir);
    for (let i = 0; i < 8; i++) await j.append(testScan(i));
    await j.close();

    const lines = await runUntil(dir, "send", "sent");
    assert.deepEqual(lines, ["sent 1,2,3,4,5"]);
    let k = await Journal.open(dir);
    assert.deepEqual((await k.pending(10)).map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
    await k.close();

    const lines2 = await runUntil(dir, "record", "recorded");
    assert.deepEqual(lines2, ["sent 1,2,3,4,5", "recorded"]);
    k = await Journal.open(dir);
    assert.deepEqual((await k.pending(10)).map((r) => r.seq), [6, 7, 8]);
    assert.equal(k.stats().synced, 5);
    await k.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
