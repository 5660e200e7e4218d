/**
 * `cli sync --once`, run as a real child process, against a server that
 * answers with each hostile reply of issue #14: it ends within its timeout,
 * its peak RSS stays under 150 MiB, nothing pending is lost, and what it
 * prints is short and free of the token.
 */

import assert from "node:assert/strict";
import { Journal } from "../../../service/journal/mod.ts";
import { runMeasured } from "../../support/child_rss.ts";
import { leaksToken, scan, TOKEN } from "../sync/support.ts";
import {
  type HostileReply,
  messageReply,
  numberArray,
  oneByteChunks,
  rejectingReply,
  startHostileIflow,
} from "./fixtures/hostile_iflow.ts";

const MAIN = new URL("../../../service/main.ts", import.meta.url).pathname;
const PEAK_LIMIT_KIB = 150 * 1024;
const TIMEOUT_MS = 90_000;
const T0 = Date.UTC(2024, 4, 6, 6, 0, 0);
const SCANS = [scan("0003887558", T0), scan("0012345678", T0 + 61_000), scan("7", T0 + 122_000)];

/** A journal with the three SCANS pending and a config sending them to `url`. */
async function prepare(url: string): Promise<{ dir: string; config: string }> {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-hostile-" });
  const journal = await Journal.open(`${dir}/journal`);
  for (const s of SCANS) await journal.append(s);
  await journal.close();
  const config = `${dir}/pontaj.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      journal: { dir: `${dir}/journal` },
      iflow: { url, accessToken: TOKEN, backoffBaseMs: 1, backoffCapMs: 5, timeoutMs: 30_000 },
      readers: [],
    }),
  );
  return { dir, config };
}

async function pendingIn(dir: string): Promise<number> {
  const journal = await Journal.open(`${dir}/journal`);
  try {
    return journal.stats().pending;
  } finally {
    await journal.close();
  }
}

/** Runs `sync --once` against `reply`; checks the bounds every case shares. */
async function syncAgainst(reply: HostileReply) {
  const server = startHostileIflow(reply);
  const { dir, config } = await prepare(server.url);
  try {
    const run = await runMeasured(
      Deno.execPath(),
      ["run", "-A", MAIN, "sync", "--config", config, "--once"],
      TIMEOUT_MS,
    );
    const ctx = `exit ${run.code}, peak ${run.peakKiB} KiB, stderr: ${run.stderr.slice(0, 2000)}`;
    assert.equal(run.timedOut, false, `killed after ${TIMEOUT_MS} ms; ${ctx}`);
    assert.ok(run.peakKiB > 0 && run.peakKiB < PEAK_LIMIT_KIB, ctx);
    assert.equal(leaksToken(run.stdout + run.stderr), false, ctx);
    const longest = Math.max(...(run.stdout + run.stderr).split("\n").map((l) => l.length));
    assert.ok(longest < 2000, `a line of ${longest} chars; ${ctx}`);
    console.log(`  sync --once: exit ${run.code}, peak RSS ${(run.peakKiB / 1024).toFixed(1)} MiB`);
    return { run, ctx, requests: server.requests(), pending: await pendingIn(dir) };
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("hostile sync: one-byte chunks of a 1 MB body are refused by the chunk cap, retried, nothing lost", async () => {
  const { run, ctx, requests, pending } = await syncAgainst(oneByteChunks(1_000_000));
  assert.equal(run.code, 1, ctx);
  assert.match(run.stderr, /giving up after 6 attempts: .*more than 16384 chunks/, ctx);
  assert.equal(requests, 6, ctx);
  assert.equal(pending, 3, ctx);
});

Deno.test("hostile sync: a 7.6 MiB array of numbers is refused by the body cap before parsing", async () => {
  const { run, ctx, requests, pending } = await syncAgainst(numberArray(7_969_178));
  assert.equal(run.code, 1, ctx);
  assert.match(run.stderr, /giving up after 6 attempts: .*reply body too large/, ctx);
  assert.equal(requests, 6, ctx);
  assert.equal(pending, 3, ctx);
});

Deno.test("hostile sync: a database message is a retryable failure, not a token alarm", async () => {
  const { run, ctx, requests, pending } = await syncAgainst(
    messageReply("Database access timeout, please retry"),
  );
  assert.equal(run.code, 1, ctx);
  assert.match(
    run.stderr,
    /sync stopped: giving up after 6 attempts: iFlow: Database access timeout, please retry/,
    ctx,
  );
  assert.doesNotMatch(run.stderr, /refused the device token|refuses the device access token/, ctx);
  assert.equal(requests, 6, ctx);
  assert.equal(pending, 3, ctx);
});

Deno.test("hostile sync: a 2 MB message is refused by the body cap and never printed", async () => {
  const { run, ctx, requests, pending } = await syncAgainst(messageReply("x".repeat(2_000_000)));
  assert.equal(run.code, 1, ctx);
  assert.match(run.stderr, /giving up after 6 attempts: .*reply body too large/, ctx);
  assert.doesNotMatch(run.stderr, /x{400}/, ctx);
  assert.equal(requests, 6, ctx);
  assert.equal(pending, 3, ctx);
});

Deno.test("hostile sync: 40 KB rejection messages are recorded, logged clipped", async () => {
  const wire = SCANS.map((s) => ({ date: s.date, time: s.time, rfidTag: s.rfidTag }));
  const { run, ctx, requests, pending } = await syncAgainst(
    rejectingReply(wire, "Rând invalid: " + "y".repeat(40_000)),
  );
  assert.equal(run.code, 0, ctx);
  assert.match(run.stdout, /sent 3 \(0 accepted, 0 already at iFlow, 3 rejected\)/, ctx);
  const rejected = run.stderr.split("\n").filter((l) => l.includes("iFlow rejected a scan"));
  assert.equal(rejected.length, 3, ctx);
  for (const line of rejected) {
    assert.match(line, /Rând invalid: y{100}/, ctx);
    assert.match(line, /… \(40014 chars\)/, ctx);
  }
  assert.equal(requests, 1, ctx);
  assert.equal(pending, 0, ctx);
});
