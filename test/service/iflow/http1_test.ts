import assert from "node:assert/strict";
import { Http1Client, Http1Error } from "../../../service/iflow/http1.ts";

const enc = new TextEncoder();

/** A raw TCP server answering each request on a connection with `reply(n)` (n counts requests). */
function rawServer(reply: (n: number, conn: Deno.Conn) => Promise<boolean | void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let requests = 0;
  let connections = 0;
  const conns = new Set<Deno.Conn>();
  const loop = (async () => {
    for await (const conn of listener) {
      connections++;
      conns.add(conn);
      (async () => {
        const buf = new Uint8Array(65536);
        let text = "";
        try {
          for (;;) {
            const n = await conn.read(buf);
            if (n === null) break;
            text += new TextDecoder().decode(buf.subarray(0, n));
            while (text.includes("\r\n\r\n")) {
              text = text.slice(text.indexOf("\r\n\r\n") + 4);
              if ((await reply(++requests, conn)) === false) {
                conn.close();
                return;
              }
            }
          }
        } catch { /* closed */ }
        conns.delete(conn);
        try {
          conn.close();
        } catch { /* closed */ }
      })();
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    stats: () => ({ requests, connections }),
    close: async () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await loop.catch(() => {});
    },
  };
}

Deno.test("Http1Client reads content-length, chunked and close-delimited bodies", async () => {
  const bodies = [
    "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-A: 1\r\nX-A: 2\r\n\r\n[1,2,3]",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n3\r\năb\r\n0\r\nTrailer: x\r\n\r\n",
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\nRetry-After: 9\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.0 200 OK\r\n\r\nuntil close",
  ];
  const srv = rawServer(async (n, conn) => {
    await conn.write(enc.encode(bodies[n - 1]!));
    return n < 4;
  });
  const c = new Http1Client();
  try {
    const url = `http://127.0.0.1:${srv.port}/p?q=1`;
    const a = await c.get(url);
    assert.deepEqual([a.status, a.body, a.headers.get("x-a")], [200, "[1,2,3]", "1, 2"]);
    const b = await c.get(url);
    assert.deepEqual([b.status, b.body], [200, "abcăb"]);
    const d = await c.get(url);
    assert.deepEqual([d.status, d.body, d.headers.get("retry-after")], [503, "", "9"]);
    const e = await c.get(url);
    assert.deepEqual([e.status, e.body], [200, "until close"]);
    assert.deepEqual(srv.stats(), { requests: 4, connections: 1 });
  } finally {
    c.close();
    await srv.close();
  }
});

Deno.test("Http1Client retries once when a kept-alive connection was closed by the server", async () => {
  const srv = rawServer(async (_n, conn) => {
    await conn.write(enc.encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    return false; // close after every reply, without saying so
  });
  const c = new Http1Client();
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    for (let i = 0; i < 3; i++) assert.deepEqual((await c.get(url)).body, "ok");
    assert.deepEqual(srv.stats(), { requests: 3, connections: 3 });
  } finally {
    c.close();
    await srv.close();
  }
});

Deno.test("Http1Client reports truncated replies, oversize replies and aborts with their stage", async () => {
  const replies = [
    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[1,", // then close: lost reply
    "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + "x".repeat(5000),
    "garbage\r\n\r\n",
  ];
  const srv = rawServer(async (n, conn) => {
    if (n <= replies.length) await conn.write(enc.encode(replies[n - 1]!));
    return n > replies.length; // the 4th request hangs
  });
  const c = new Http1Client({ maxBodyBytes: 1000 });
  const url = `http://127.0.0.1:${srv.port}/`;
  const fail = async (signal?: AbortSignal) => {
    try {
      await c.get(url, signal);
      return null;
    } catch (err) {
      assert.ok(err instanceof Http1Error);
      return [err.stage, err.aborted, err.message];
    }
  };
  try {
    assert.deepEqual(await fail(), ["body", false, "connection closed in the reply body"]);
    assert.deepEqual(await fail(), ["body", false, "reply body too large"]);
    assert.deepEqual((await fail())?.slice(0, 2), ["head", false]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    assert.deepEqual(await fail(ac.signal), ["head", true, "aborted"]);
  } finally {
    c.close();
    await srv.close();
  }
});

Deno.test("Http1Client speaks https with a trusted certificate", async () => {
  const dir = new URL("./fixtures/", import.meta.url);
  const cert = await Deno.readTextFile(new URL("localhost_cert.pem", dir));
  const key = await Deno.readTextFile(new URL("localhost_key.pem", dir));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    (req) => new Response(new URL(req.url).search),
  );
  const ca = await Deno.readTextFile(new URL("test_ca.pem", dir));
  const c = new Http1Client({ caCerts: [ca] });
  try {
    const url = `https://localhost:${server.addr.port}/api?access_token=1&csv_data=%5B%5D`;
    const r = await c.get(url);
    assert.deepEqual([r.status, r.body], [200, "?access_token=1&csv_data=%5B%5D"]);
    assert.deepEqual((await c.get(url)).status, 200);
  } finally {
    c.close();
    await server.shutdown();
  }
});

Deno.test("Http1Client gives up on a TLS handshake that never finishes when aborted", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const acceptLoop = (async () => {
    for await (const conn of listener) accepted.push(conn); // never answers
  })();
  const c = new Http1Client();
  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort(), 50);
  try {
    await c.get(`https://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`, ac.signal);
    throw new Error("expected an abort");
  } catch (err) {
    assert.ok(err instanceof Http1Error);
    // Deno completes the handshake on the first write: the request waits there
    assert.deepEqual([err.stage, err.aborted], ["write", true]);
  }
  assert.ok(Date.now() - t0 < 10_000);
  c.close();
  listener.close();
  for (const conn of accepted) conn.close();
  await acceptLoop.catch(() => {});
  await new Promise((r) => setTimeout(r, 20)); // let the failed handshake settle
});
