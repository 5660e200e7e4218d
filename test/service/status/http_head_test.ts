import assert from "node:assert/strict";
import { headEnd, parseHead, wantsKeepAlive } from "../../../service/status/http_head.ts";
import { startStatusServer } from "../../../service/status/mod.ts";
import { healthySnapshot } from "./fixture.ts";
import { parseReply, readAll } from "./raw_http.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (s: string) => parseHead(bytes(s));

Deno.test("http head: the end is found only after the blank line", () => {
  const b = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next");
  assert.equal(headEnd(b, b.length), 27);
  assert.equal(headEnd(b, 26), -1);
  assert.equal(headEnd(bytes("GET / HTTP/1.1\n\n"), 16), -1, "bare LF is not a line end");
  // Searched in pieces (each call starts where the last one stopped): the same end, at every split.
  for (let step = 1; step <= 5; step++) {
    let searched = 0;
    let at = -1;
    for (let len = step; at < 0 && len <= b.length; len += step) {
      at = headEnd(b, len, searched);
      searched = len;
    }
    assert.equal(at, 27, `step ${step}`);
  }
});

Deno.test("http head: a valid head gives method, target, version and first header values", () => {
  const h = parse("\r\nGET /health?x=1 HTTP/1.1\r\nHost: a\r\nX-Y:  v w \r\nx-y: second\r\n\r\n")!;
  assert.equal(h.method, "GET");
  assert.equal(h.target, "/health?x=1");
  assert.equal(h.minor, 1);
  assert.equal(h.headers.get("host"), "a");
  assert.equal(h.headers.get("x-y"), "v w");
  assert.equal(wantsKeepAlive(h), true);
  assert.equal(wantsKeepAlive(parse("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n")!), false);
  assert.equal(wantsKeepAlive(parse("GET / HTTP/1.0\r\n\r\n")!), false);
  assert.equal(wantsKeepAlive(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")!), true);
});

Deno.test("http head: malformed or smuggling heads are refused", () => {
  for (
    const bad of [
      "GET /  HTTP/1.1\r\n\r\n", // two spaces
      "GET / HTTP/2.0\r\n\r\n",
      "G(T / HTTP/1.1\r\n\r\n",
      "GET /a b HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", // obs-fold
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n", // space before the colon
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
      "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n", // a control character
      "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "\r\n\r\n",
    ]
  ) assert.equal(parse(bad), null, JSON.stringify(bad));
});

Deno.test("http transport: pipelined requests on one connection are answered in order; HEAD gets no body", async () => {
  const server = await startStatusServer({ listen: "127.0.0.1:0", snapshot: healthySnapshot });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(bytes(
      "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n" +
        "HEAD /health HTTP/1.1\r\nHost: localhost\r\n\r\n" +
        "GET /nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    ));
    const text = await readAll(conn);
    const statuses = [...text.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => m[1]);
    assert.deepEqual(statuses, ["200", "405", "404"], "the server allows GET only");
    const heads = text.split(/(?=^HTTP\/1\.1 )/m);
    assert.equal(heads.length, 3);
    assert.match(heads[0]!, /transfer-encoding: chunked\r\n/);
    assert.match(heads[0]!, /connection: keep-alive\r\n/);
    assert.ok(heads[1]!.endsWith("\r\n\r\n"), "HEAD: the head alone, no body");
    assert.match(heads[2]!, /connection: close\r\n/);
    assert.match(heads[2]!, /"not found: \/nope"/);
  } finally {
    conn.close();
    await server.close();
  }
});

Deno.test("http transport: a malformed head gets 400, is counted, and the connection closes", async () => {
  const server = await startStatusServer({ listen: "127.0.0.1:0", snapshot: healthySnapshot });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(bytes("GET / HTTP/1.1\r\nHost: localhost\r\n folded\r\n\r\n"));
    assert.match(await readAll(conn), /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(server.stats().badRequests, 1);
  } finally {
    conn.close();
    await server.close();
  }
});

Deno.test("http transport: a client that half-closes after its request still gets the whole reply", async () => {
  const server = await startStatusServer({ listen: "127.0.0.1:0", snapshot: healthySnapshot });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(bytes("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    await conn.closeWrite();
    const text = await readAll(conn);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(text.endsWith("\r\n0\r\n\r\n"), "the last chunk came");
    const body = parseReply(text).body;
    assert.equal(JSON.parse(body).bootId, healthySnapshot().bootId);
  } finally {
    conn.close();
    await server.close();
  }
});
