import assert from "node:assert/strict";
import { startStatusServer, type StatusServer } from "../../../service/status/mod.ts";
import { healthySnapshot } from "./fixture.ts";
import { rawRequest, readAll } from "./raw_http.ts";

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

function closeAll(conns: Deno.Conn[]): void {
  for (const c of conns) {
    try {
      c.close();
    } catch { /* closed by the server */ }
  }
}

Deno.test("status slow clients: a flood of half-open sockets holds at most the cap, new clients still get answers", async () => {
  const server: StatusServer = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: healthySnapshot,
    limits: { maxConnections: 16, headersTimeoutMs: 400, idleTimeoutMs: 60_000 },
  });
  const conns: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port: server.port }));
    }
    // Half of them send a partial request head and then stall (slowloris).
    const partial = new TextEncoder().encode("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ");
    for (let i = 0; i < conns.length; i += 2) await conns[i]!.write(partial).catch(() => 0);
    await waitFor(() => server.stats().connections === 200, "accepts");
    assert.equal(server.stats().evicted, 184, "the oldest idle ones make room");
    assert.equal(server.stats().refused, 0);
    assert.equal(server.stats().open, 16);
    // A new client is answered at once, while the flood still holds the cap.
    const during = await rawRequest(server.port, "GET", "/health", { host: "localhost" });
    assert.equal(during.status, 200);
    assert.equal(JSON.parse(during.body).bootId, healthySnapshot().bootId);
    assert.equal(server.stats().evicted, 185);
    // Every flood socket ends: evicted ones at once, the last 15 when the head deadline passes.
    const replies = await Promise.all(conns.map(readAll));
    assert.equal(replies.filter((r) => r !== "" && !r.startsWith("HTTP/1.1 408 ")).length, 0);
    assert.ok(replies.filter((r) => r.startsWith("HTTP/1.1 408 ")).length <= 15);
    await waitFor(() => server.stats().open === 0, "held sockets closed");
    assert.equal(server.stats().timedOut, 15);
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
  } finally {
    closeAll(conns);
    await server.close();
  }
});

Deno.test("status slow clients: a new connection is refused only when every open one is busy", async () => {
  let release = () => {};
  const parked = new Promise<void>((r) => release = r);
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: async () => {
      await parked; // every request waits here: its connection stays busy
      return healthySnapshot();
    },
    limits: { maxConnections: 3 },
  });
  const conns: Deno.Conn[] = [];
  try {
    const head = new TextEncoder().encode(
      "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    for (let i = 0; i < 3; i++) {
      const c = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      await c.write(head);
      conns.push(c);
    }
    await waitFor(() => server.stats().connections === 3, "three busy connections");
    const extra = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    conns.push(extra);
    assert.equal(await readAll(extra), "", "closed without an answer");
    assert.equal(server.stats().refused, 1);
    assert.equal(server.stats().evicted, 0);
    release();
    for (const c of conns.slice(0, 3)) {
      const r = await readAll(c);
      assert.match(r, /^HTTP\/1\.1 200 /);
    }
  } finally {
    closeAll(conns);
    await server.close();
  }
});

Deno.test("status slow clients: a silent connection is closed after the idle timeout and counted", async () => {
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: healthySnapshot,
    limits: { maxConnections: 4, headersTimeoutMs: 60_000, idleTimeoutMs: 300 },
  });
  const conns: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port: server.port }));
    }
    // A kept-alive connection that got its answer and then says nothing.
    await conns[0]!.write(
      new TextEncoder().encode(
        "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
      ),
    );
    const replies = await Promise.all(conns.map(readAll));
    assert.match(replies[0]!, /^HTTP\/1\.1 200 /);
    assert.deepEqual(replies.slice(1), ["", "", ""]);
    await waitFor(() => server.stats().open === 0, "idle sockets closed");
    assert.equal(server.stats().refused, 0);
    assert.ok(server.stats().timedOut >= 3, `timedOut ${server.stats().timedOut}`);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
  } finally {
    closeAll(conns);
    await server.close();
  }
});

Deno.test("status slow clients: an oversized request head gets 431 and is counted", async () => {
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: healthySnapshot,
    limits: { maxHeaderBytes: 4096 },
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    const head = `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(8000)}\r\n\r\n`;
    await conn.write(new TextEncoder().encode(head)).catch(() => 0);
    const reply = await readAll(conn);
    assert.match(reply, /^HTTP\/1\.1 431 /);
    await waitFor(() => server.stats().badRequests === 1, "bad request counted");
  } finally {
    closeAll([conn]);
    await server.close();
  }
});
