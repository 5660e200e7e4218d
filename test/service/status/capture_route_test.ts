import assert from "node:assert/strict";
import { startStatusServer, type StatusServer } from "../../../service/status/mod.ts";
import type { CaptureAction } from "../../../service/status/capture_route.ts";
import { CaptureError } from "../../../service/readers/capture.ts";
import { healthySnapshot } from "./fixture.ts";

const TOKEN = "s3cret-status-token-0123456789";

async function withServer(
  capture: CaptureAction | undefined,
  fn: (server: StatusServer) => Promise<void>,
): Promise<void> {
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: healthySnapshot,
    actions: capture ? { capture } : {},
    token: TOKEN,
  });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

function post(server: StatusServer, query: string, token: string | null = TOKEN) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${server.url}/actions/capture${query}`, { method: "POST", headers });
}

Deno.test("status capture route: token-protected like /export, checks its parameters, sends the file", async () => {
  const calls: [string, number][] = [];
  const action: CaptureAction = (reader, seconds) => {
    calls.push([reader, seconds]);
    if (reader === "ghost") return Promise.reject(new CaptureError('no reader named "ghost"'));
    return Promise.resolve(Uint8Array.of(1, 2, 3));
  };
  await withServer(action, async (server) => {
    const noToken = await post(server, "?reader=gate&seconds=5", null);
    assert.equal(noToken.status, 401);
    await noToken.body?.cancel();
    const wrong = await post(server, "?reader=gate&seconds=5", "not-the-token-0123456789");
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    for (
      const q of [
        "?reader=gate&seconds=0",
        "?reader=gate&seconds=601",
        "?reader=gate&seconds=1.5",
        "?reader=gate",
        "?reader=a%20b&seconds=5",
        "?seconds=5",
      ]
    ) {
      const r = await post(server, q);
      assert.equal(r.status, 400, q);
      assert.match((await r.json()).error, /^(reader|seconds): expected/, q);
    }
    const get = await fetch(`${server.url}/actions/capture?reader=gate&seconds=5`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(get.status, 405);
    await get.body?.cancel();
    assert.deepEqual(calls, []);
    const ok = await post(server, "?reader=gate&seconds=5");
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("content-disposition"), 'attachment; filename="pontaj-gate.pjcap"');
    assert.deepEqual([...new Uint8Array(await ok.arrayBuffer())], [1, 2, 3]);
    const ghost = await post(server, "?reader=ghost&seconds=1");
    assert.equal(ghost.status, 404);
    assert.deepEqual(await ghost.json(), { error: 'no reader named "ghost"' });
    assert.deepEqual(calls, [["gate", 5], ["ghost", 1]]);
  });
  await withServer(undefined, async (server) => {
    const r = await post(server, "?reader=gate&seconds=5");
    assert.equal(r.status, 501);
    await r.body?.cancel();
  });
});

Deno.test("status capture route: a capture longer than the idle timeout still arrives", async () => {
  // The idle timeout is for idle clients; a capture keeps the connection quiet
  // while the server records, so the route pauses it until the file is ready.
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: healthySnapshot,
    token: TOKEN,
    limits: { idleTimeoutMs: 200 },
    actions: {
      capture: () => new Promise((r) => setTimeout(() => r(Uint8Array.of(9, 8, 7)), 900)),
    },
  });
  try {
    const r = await post(server, "?reader=gate&seconds=1");
    assert.equal(r.status, 200);
    assert.deepEqual([...new Uint8Array(await r.arrayBuffer())], [9, 8, 7]);
    assert.equal(server.stats().timedOut, 0);
    // An unauthorised request gets no such pause: the guard answers at once.
    const wrong = await post(server, "?reader=gate&seconds=1", "not-the-token-0123456789");
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
  } finally {
    await server.close();
  }
});
