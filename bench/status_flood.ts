/**
 * Half-open socket flood against the real agent's status server (run by hand,
 * not part of `deno task bench`): starts `service/main.ts run` as
 * `deno task start` does, with no readers and a journal in a temporary
 * directory, opens N connections to its status port that never send a byte
 * (half of them a partial request head), and reports the agent's RSS before,
 * its peak, and `/health` (with the server's own counters: connections
 * refused at the cap, open, timed out) while they are held and after.
 *
 * Usage: deno run -A bench/status_flood.ts [N=8000] [ROUNDS=1]
 *
 * @module
 */

import { DENO_JSON, START_FLAGS } from "../test/support/start_flags.ts";

const N = Number(Deno.args[0] ?? 8000);
const ROUNDS = Number(Deno.args[1] ?? 1);
const MAIN = new URL("../service/main.ts", import.meta.url).pathname;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function rssKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(Deno.readTextFileSync(`/proc/${pid}/status`));
  return Number(m?.[1] ?? NaN);
}

/** `/health`'s HTTP status (0 when nothing answers) and its `statusServer` counters. */
async function health(port: number): Promise<{ status: number; counters?: unknown }> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5000) });
    const body = await r.json();
    return { status: r.status, counters: body.statusServer };
  } catch {
    return { status: 0 };
  }
}

const dir = await Deno.makeTempDir({ prefix: "pontaj-flood-" });
const port = freePort();
await Deno.writeTextFile(
  `${dir}/pontaj.json`,
  JSON.stringify({
    journal: { dir: `${dir}/journal` },
    iflow: { url: "http://127.0.0.1:9/api", accessToken: "flood-bench-token-0123456789" },
    status: { listen: `127.0.0.1:${port}` },
    log: { level: "error" },
  }),
);
const agent = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    "--config",
    DENO_JSON,
    ...START_FLAGS,
    MAIN,
    "run",
    "--config",
    `${dir}/pontaj.json`,
  ],
  stdout: "null",
  stderr: "null",
}).spawn();
try {
  for (let i = 0; i < 200 && (await health(port)).status === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const before = rssKiB(agent.pid, "VmRSS");
  const partial = new TextEncoder().encode("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ");
  for (let round = 1; round <= ROUNDS; round++) {
    const conns: Deno.Conn[] = [];
    let connectFailed = 0;
    for (let i = 0; i < N; i++) {
      try {
        const c = await Deno.connect({ hostname: "127.0.0.1", port });
        if (i % 2 === 0) await c.write(partial).catch(() => 0);
        conns.push(c);
      } catch {
        connectFailed++;
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    const during = await health(port);
    const held = rssKiB(agent.pid, "VmRSS");
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed by the agent */ }
    }
    await new Promise((r) => setTimeout(r, 2000));
    const after = await health(port);
    console.log(JSON.stringify({
      round,
      sockets: N,
      connectFailed,
      healthWhileFlooded: during.status,
      countersWhileFlooded: during.counters,
      healthAfter: after.status,
      rssBeforeMiB: +(before / 1024).toFixed(1),
      rssWhileHeldMiB: +(held / 1024).toFixed(1),
      rssAfterMiB: +(rssKiB(agent.pid, "VmRSS") / 1024).toFixed(1),
      rssPeakMiB: +(rssKiB(agent.pid, "VmHWM") / 1024).toFixed(1),
    }));
  }
} finally {
  agent.kill("SIGTERM");
  await agent.status;
  await Deno.remove(dir, { recursive: true });
}
