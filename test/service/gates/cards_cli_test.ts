import assert from "node:assert/strict";
import { LEARNED_FILE, serializeLearned } from "../../../service/gates/learned_store.ts";

const MAIN = new URL("../../../service/main.ts", import.meta.url).pathname;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

Deno.test("cli cards exports the learned table as jsonl and csv", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = `${dir}/pontaj.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        journal: { dir: `${dir}/journal` },
        iflow: { accessToken: "s3cret-token-0042" },
      }),
    );
    const none = await cli(["cards", "--config", config]);
    assert.deepEqual([none.code, none.stdout], [0, ""]);
    assert.match(none.stderr, /no learned cards yet/);

    await Deno.mkdir(`${dir}/journal`);
    await Deno.writeTextFile(
      `${dir}/journal/${LEARNED_FILE}`,
      serializeLearned([
        {
          rfidTag: "0003887558",
          state: "known",
          learnedAt: Date.UTC(2027, 0, 15, 6),
          lastSeen: Date.UTC(2027, 0, 16, 7),
        },
        {
          rfidTag: "059,20934",
          state: "refused",
          learnedAt: Date.UTC(2027, 0, 15, 8),
          lastSeen: Date.UTC(2027, 0, 15, 8),
        },
      ]),
    );
    const jsonl = await cli(["cards", "--config", config]);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    assert.deepEqual(jsonl.stdout.trim().split("\n").map((l) => JSON.parse(l)), [
      {
        rfidTag: "0003887558",
        state: "known",
        learnedAt: "2027-01-15T06:00:00.000Z",
        lastSeen: "2027-01-16T07:00:00.000Z",
      },
      {
        rfidTag: "059,20934",
        state: "refused",
        learnedAt: "2027-01-15T08:00:00.000Z",
        lastSeen: "2027-01-15T08:00:00.000Z",
      },
    ]);
    const csv = await cli(["cards", "--config", config, "--format", "csv"]);
    assert.equal(
      csv.stdout,
      "rfidTag,state,learnedAt,lastSeen\n" +
        "0003887558,known,2027-01-15T06:00:00.000Z,2027-01-16T07:00:00.000Z\n" +
        '"059,20934",refused,2027-01-15T08:00:00.000Z,2027-01-15T08:00:00.000Z\n',
    );
    await Deno.writeTextFile(`${dir}/journal/${LEARNED_FILE}`, "{not json");
    const broken = await cli(["cards", "--config", config]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /unreadable learned table/);
    const bad = await cli(["cards", "--config", config, "--format", "xml"]);
    assert.equal(bad.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
