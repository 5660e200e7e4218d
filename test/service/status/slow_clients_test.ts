import assert from "node:assert/strict";
import { startStatusServer, type StatusServer } from "../../../service/status/mod.ts";
import { healthySnapshot } from "./fixture.ts";
import { readAll } from "./raw_http.ts";

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

Deno.test("status slow clients: half-open sockets beyond the cap are closed at once, the rest at the head deadline, then /health answers", async () => {
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
    await waitFor(() => server.stats().refused + server.stats().connections === 200, "accepts");
    assert.equal(server.stats().connections, 16);
    assert.equal(server.stats().refused, 184);
    assert.ok(server.stats().open <= 16);
    // Every socket ends: refused ones at once, held ones when the head deadline passes.
    const replies = await Promise.all(conns.map(readAll));
    const timeouts = replies.filter((r) => r.startsWith("HTTP/1.1 408 ")).length;
    assert.equal(replies.filter((r) => r !== "" && !r.startsWith("HTTP/1.1 408 ")).length, 0);
    await waitFor(() => server.stats().open === 0, "held sockets closed");
    assert.equal(server.stats().timedOut, 16);
    assert.ok(timeouts <= 16, `408 replies ${timeouts}`);
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).bootId, healthySnapshot().bootId);
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
      new TextEncoder().encode("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"),
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
