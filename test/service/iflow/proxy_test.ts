import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Http1Client, Http1Error } from "../../../service/iflow/http1.ts";
import { IflowClient } from "../../../service/iflow/client.ts";
import {
  bypassesProxy,
  parseNoProxy,
  parseProxyUrl,
  proxyRouter,
  proxySettings,
  proxySettingsFromEnv,
} from "../../../service/iflow/proxy.ts";
import {
  closeQuietly,
  enc,
  FIXTURES,
  heads,
  http1Error,
  startOrigin,
  startProxy,
  startTlsOrigin,
  writeAll,
} from "./fixtures/test_proxy.ts";

const dec = new TextDecoder();

Deno.test("proxy NO_PROXY matching: exact host, domain suffix, *, IP, IPv6 and port", () => {
  const list = parseNoProxy(
    " Example.com, .corp.local,*.intra , 10.0.0.7:8080 ,[::1]:3000, 0:0::2",
  );
  assert.deepEqual(list, {
    all: false,
    rules: [
      { host: "example.com", port: null, ip: false },
      { host: "corp.local", port: null, ip: false },
      { host: "intra", port: null, ip: false },
      { host: "10.0.0.7", port: 8080, ip: true },
      { host: "::1", port: 3000, ip: true },
      { host: "::2", port: null, ip: true },
    ],
  });
  const cases: [string, number, boolean][] = [
    ["example.com", 443, true],
    ["EXAMPLE.com.", 80, true],
    ["api.example.com", 443, true],
    ["badexample.com", 443, false],
    ["example.org", 443, false],
    ["corp.local", 80, true],
    ["a.b.corp.local", 80, true],
    ["x.intra", 80, true],
    ["10.0.0.7", 8080, true],
    ["10.0.0.7", 80, false],
    ["110.0.0.7", 8080, false],
    ["[::1]", 3000, true],
    ["[::1]", 3001, false],
    ["[::2]", 1, true],
    ["127.0.0.1", 80, false], // NO_PROXY itself has no loopback rule (see proxyRouter)
    ["localhost", 80, false],
  ];
  for (const [host, port, want] of cases) {
    assert.deepEqual([host, port, bypassesProxy(list, host, port)], [host, port, want]);
  }
  // a suffix never matches inside an IP address
  assert.deepEqual(bypassesProxy(parseNoProxy("0.0.1"), "127.0.0.1", 80), false);
  // `*` anywhere in the list bypasses every host; bad ports and empty entries are skipped
  assert.deepEqual(bypassesProxy(parseNoProxy("example.com, *"), "anything.test", 1), true);
  assert.deepEqual(parseNoProxy("a.test:x, b.test:0, c.test:70000, , .").rules, []);
  assert.deepEqual(bypassesProxy(parseNoProxy(""), "localhost", 80), false);
});

Deno.test("proxy settings from the environment: lowercase wins, empty counts as unset", () => {
  const env: Record<string, string> = {
    HTTPS_PROXY: "upper:1",
    https_proxy: "lower:2",
    HTTP_PROXY: "upper:3",
    http_proxy: " ",
    NO_PROXY: "upper.test",
    no_proxy: "lower.test",
  };
  const asked: string[] = [];
  const settings = proxySettingsFromEnv((name) => (asked.push(name), env[name]));
  assert.deepEqual(settings, {
    https: { value: "lower:2", source: "https_proxy" },
    http: { value: "upper:3", source: "HTTP_PROXY" },
    noProxy: "lower.test",
    loopbackDirect: true,
  });
  // the uppercase name is only read when the lowercase one is unset or empty
  assert.deepEqual(asked.sort(), ["HTTP_PROXY", "http_proxy", "https_proxy", "no_proxy"]);
  assert.deepEqual(proxySettingsFromEnv(() => undefined), {
    http: undefined,
    https: undefined,
    noProxy: undefined,
    loopbackDirect: true,
  });
});

Deno.test("proxy variables the process may not read count as unset", async () => {
  const child = new URL("proxy_env_child.ts", FIXTURES).pathname;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-env=PONTAJ_IFLOW_TOKEN,https_proxy", child],
    env: {
      https_proxy: "allowed.test:3128",
      HTTP_PROXY: "forbidden.test:3128",
      NO_PROXY: "forbidden.test",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.deepEqual(r.code, 0, dec.decode(r.stderr));
  assert.deepEqual(JSON.parse(dec.decode(r.stdout)), {
    https: { value: "allowed.test:3128", source: "https_proxy" },
    loopbackDirect: true,
  });
});

Deno.test("proxy URLs: host:port, credentials, default port, refused schemes", () => {
  assert.deepEqual(parseProxyUrl("proxy.corp:3128"), {
    hostname: "proxy.corp",
    port: 3128,
    label: "proxy.corp:3128",
    authorization: null,
  });
  assert.deepEqual(parseProxyUrl("HTTP://[::1]"), {
    hostname: "::1",
    port: 80,
    label: "[::1]:80",
    authorization: null,
  });
  const p = parseProxyUrl("http://us%40er:p%C4%83ss%3A@10.1.2.3:8080/");
  assert.deepEqual(p.label, "10.1.2.3:8080");
  assert.deepEqual(p.authorization, `Basic ${Buffer.from("us@er:păss:").toString("base64")}`);

  const route = proxyRouter({
    https: { value: "https://bob:s3cretpw@proxy.corp:443", source: "HTTPS_PROXY" },
    http: { value: "socks5://bob:s3cretpw@proxy.corp:1080", source: "http_proxy" },
  });
  const https = route(new URL("https://app.iflow.ro/"));
  const http = route(new URL("http://app.iflow.ro/"));
  assert.deepEqual(https.kind, "invalid");
  assert.deepEqual(http.kind, "invalid");
  const messages = [https, http].map((r) => r.kind === "invalid" ? r.message : "");
  assert.ok(/^HTTPS_PROXY: https:\/\/ proxies .* not supported/.test(messages[0]!), messages[0]);
  assert.ok(/^http_proxy: unsupported proxy scheme socks5:\/\//.test(messages[1]!), messages[1]);
  for (const m of messages) assert.ok(!m.includes("s3cretpw") && !m.includes("bob"), m);
});

Deno.test("Http1Client via proxy: an http URL goes in absolute form, the reply comes back", async () => {
  const origin = startOrigin();
  const proxy = startProxy();
  const c = new Http1Client({ proxy: proxy.url });
  try {
    const url = `http://127.0.0.1:${origin.port}/api/x?access_token=1&csv_data=%5B%5D`;
    const r = await c.get(url);
    assert.deepEqual([r.status, r.body], [200, "GET /api/x?access_token=1&csv_data=%5B%5D"]);
    assert.deepEqual((await c.get(url.replace("/x", "/y"))).status, 200);
    assert.deepEqual(proxy.seen.lines, [
      `GET ${url} HTTP/1.1`,
      `GET ${url.replace("/x", "/y")} HTTP/1.1`,
    ]);
    assert.deepEqual(proxy.seen.auth, [null, null]);
    assert.deepEqual(proxy.seen.connections, 1);
  } finally {
    c.close();
    await proxy.close();
    await origin.close();
  }
});

Deno.test("Http1Client via proxy: https through CONNECT, TLS in the tunnel, one CONNECT for two requests", async () => {
  const origin = await startTlsOrigin();
  const proxy = startProxy();
  const c = new Http1Client({ proxy: proxy.label, caCerts: [origin.ca] });
  try {
    const url = `https://localhost:${origin.port}/api?access_token=1&csv_data=%5B%5D`;
    const a = await c.get(url);
    assert.deepEqual([a.status, a.body], [200, "tls ?access_token=1&csv_data=%5B%5D"]);
    const b = await c.get(url.replace("csv_data=%5B%5D", "n=2"));
    assert.deepEqual([b.status, b.body], [200, "tls ?access_token=1&n=2"]);
    assert.deepEqual(proxy.seen.lines, [`CONNECT localhost:${origin.port} HTTP/1.1`]);
    assert.deepEqual(proxy.seen.connections, 1);
  } finally {
    c.close();
    await proxy.close();
    await origin.close();
  }
});

Deno.test("Http1Client via proxy: the TLS certificate is checked through the tunnel", async () => {
  const origin = await startTlsOrigin();
  const proxy = startProxy();
  const c = new Http1Client({ proxy: proxy.url }); // the test CA is not trusted here
  try {
    const err = await http1Error(c.get(`https://localhost:${origin.port}/`));
    assert.deepEqual(err.aborted, false);
    assert.ok(/certificate|UnknownIssuer/i.test(err.message), err.message);
    assert.deepEqual(proxy.seen.lines, [`CONNECT localhost:${origin.port} HTTP/1.1`]);
  } finally {
    c.close();
    await proxy.close();
    await origin.close();
  }
});

Deno.test("Http1Client via proxy sends Basic Proxy-Authorization for CONNECT and absolute-form GETs", async () => {
  const origin = startOrigin();
  const tlsOrigin = await startTlsOrigin();
  const proxy = startProxy();
  const withAuth = proxy.url.replace("http://", "http://us%40er:p%C4%83ss@");
  const c = new Http1Client({ proxy: withAuth, caCerts: [tlsOrigin.ca] });
  try {
    assert.deepEqual((await c.get(`http://127.0.0.1:${origin.port}/a`)).body, "GET /a");
    assert.deepEqual((await c.get(`https://localhost:${tlsOrigin.port}/?b`)).body, "tls ?b");
    const expected = `Basic ${Buffer.from("us@er:păss", "utf8").toString("base64")}`;
    assert.deepEqual(expected, "Basic dXNAZXI6cMSDc3M=");
    assert.deepEqual(proxy.seen.auth, [expected, expected]);
    assert.deepEqual(proxy.seen.lines[1], `CONNECT localhost:${tlsOrigin.port} HTTP/1.1`);
  } finally {
    c.close();
    await proxy.close();
    await tlsOrigin.close();
    await origin.close();
  }
});

Deno.test("Http1Client via proxy: a refused CONNECT is an Http1Error at stage connect, without the password", async () => {
  const proxy = startProxy(() => "HTTP/1.1 407 Proxy Authentication Required");
  const c = new Http1Client({ proxy: proxy.url.replace("http://", "http://bob:s3cretpw@") });
  try {
    const err = await http1Error(c.get("https://localhost:1/?access_token=tok123456"));
    assert.deepEqual([err.stage, err.aborted], ["connect", false]);
    assert.deepEqual(
      err.message,
      `proxy ${proxy.label} refused CONNECT: HTTP/1.1 407 Proxy Authentication Required`,
    );
    // the next request asks again (nothing is cached from a refusal)
    const again = await http1Error(c.get("https://localhost:1/"));
    assert.deepEqual(again.message, err.message);
    assert.deepEqual(proxy.seen.lines, [
      "CONNECT localhost:1 HTTP/1.1",
      "CONNECT localhost:1 HTTP/1.1",
    ]);
    assert.deepEqual(proxy.seen.auth, ["Basic Ym9iOnMzY3JldHB3", "Basic Ym9iOnMzY3JldHB3"]);
    assert.ok(!err.message.includes("s3cretpw") && !err.message.includes("Ym9iOnMzY3JldHB3"));
  } finally {
    c.close();
    await proxy.close();
  }
  const bad = startProxy(() => "HTTP/1.1 502 Bad Gateway");
  const c2 = new Http1Client({ proxy: bad.url });
  try {
    const err = await http1Error(c2.get("https://localhost:1/"));
    assert.deepEqual([err.stage, err.message], [
      "connect",
      `proxy ${bad.label} refused CONNECT: HTTP/1.1 502 Bad Gateway`,
    ]);
  } finally {
    c2.close();
    await bad.close();
  }
});

Deno.test("Http1Client via proxy: an unreachable proxy is named in the connect error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const c = new Http1Client({ proxy: `http://bob:s3cretpw@127.0.0.1:${port}` });
  try {
    const err = await http1Error(c.get("http://example.test/"));
    assert.deepEqual(err.stage, "connect");
    assert.ok(err.message.startsWith(`connect to proxy 127.0.0.1:${port} failed: `), err.message);
    assert.ok(!err.message.includes("s3cretpw"), err.message);
  } finally {
    c.close();
  }
});

Deno.test("Http1Client via proxy: an abort while the proxy hangs on CONNECT rejects promptly", async () => {
  const proxy = startProxy("hang");
  const c = new Http1Client({ proxy: proxy.url });
  try {
    const settled = http1Error(c.get("https://localhost:1/", AbortSignal.timeout(100)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<"unsettled">((r) => timer = setTimeout(() => r("unsettled"), 10_000));
    const first = await Promise.race([settled, bound]);
    clearTimeout(timer);
    assert.ok(first instanceof Http1Error, "the request did not settle within 10 s");
    assert.deepEqual([first.stage, first.aborted, first.message], ["connect", true, "aborted"]);
    assert.deepEqual(proxy.seen.lines, ["CONNECT localhost:1 HTTP/1.1"]);
  } finally {
    c.close();
    await proxy.close();
  }
});

Deno.test("Http1Client via proxy retries once when the kept-alive proxy connection was closed", async () => {
  // An origin that closes after every reply without saying so; the proxy passes the close on.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const originConns = new Set<Deno.Conn>();
  const loop = (async () => {
    for await (const conn of listener) {
      originConns.add(conn);
      const reader = heads(conn);
      if ((await reader.next()) !== null) {
        await writeAll(conn, enc.encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
      }
      closeQuietly(conn);
    }
  })();
  const proxy = startProxy();
  const c = new Http1Client({ proxy: proxy.url });
  try {
    const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`;
    for (let i = 0; i < 3; i++) {
      assert.deepEqual((await c.get(url)).body, "ok");
      await new Promise((r) => setTimeout(r, 20)); // let the close reach the client
    }
    assert.deepEqual(proxy.seen.connections, 3);
    assert.deepEqual(proxy.seen.lines, [
      `GET ${url} HTTP/1.1`,
      `GET ${url} HTTP/1.1`,
      `GET ${url} HTTP/1.1`,
    ]);
  } finally {
    c.close();
    await proxy.close();
    listener.close();
    for (const conn of originConns) closeQuietly(conn);
    await loop.catch(() => {});
  }
});

Deno.test("Http1Client via proxy opens a new tunnel when the proxy dropped the idle one", async () => {
  const origin = await startTlsOrigin();
  const proxy = startProxy();
  const c = new Http1Client({ proxy: proxy.url, caCerts: [origin.ca] });
  try {
    const url = `https://localhost:${origin.port}/?n=`;
    assert.deepEqual((await c.get(url + 1)).body, "tls ?n=1");
    proxy.dropConnections();
    await new Promise((r) => setTimeout(r, 20)); // let the close reach the client
    assert.deepEqual((await c.get(url + 2)).body, "tls ?n=2");
    assert.deepEqual(proxy.seen.lines, Array(2).fill(`CONNECT localhost:${origin.port} HTTP/1.1`));
    assert.deepEqual(proxy.seen.connections, 2);
  } finally {
    c.close();
    await proxy.close();
    await origin.close();
  }
});

Deno.test("Http1Client routes by scheme and NO_PROXY read through its env getter", async () => {
  const direct = startOrigin();
  const proxied = startOrigin();
  const proxy = startProxy();
  // 0.0.0.0 reaches this machine without DNS and is not a loopback name, so the
  // environment's proxy and NO_PROXY decide its route.
  const env: Record<string, string> = {
    HTTP_PROXY: "http://127.0.0.1:9", // loses to the lowercase one
    http_proxy: proxy.url,
    HTTPS_PROXY: "https://proxy.test:443", // unusable: only https URLs fail on it
    NO_PROXY: `example.com, 0.0.0.0:${direct.port}, 0.0.0.0:1`,
  };
  const c = new Http1Client({ proxyEnv: (name) => env[name] });
  try {
    assert.deepEqual((await c.get(`http://0.0.0.0:${direct.port}/d`)).body, "GET /d");
    assert.deepEqual(proxy.seen.lines, []);
    // the same host on a port NO_PROXY does not list goes through the proxy
    const url = `http://0.0.0.0:${proxied.port}/p`;
    assert.deepEqual((await c.get(url)).body, "GET /p");
    assert.deepEqual(proxy.seen.lines, [`GET ${url} HTTP/1.1`]);
    // loopback never goes through a proxy from the environment
    assert.deepEqual((await c.get(`http://127.0.0.1:${proxied.port}/l`)).body, "GET /l");
    assert.deepEqual((await c.get(`http://localhost:${proxied.port}/l2`)).body, "GET /l2");
    assert.deepEqual(proxy.seen.lines.length, 1);
    const err = await http1Error(c.get("https://iflow.test/"));
    assert.deepEqual(err.stage, "connect");
    assert.ok(err.message.startsWith("HTTPS_PROXY: https:// proxies"), err.message);
    // NO_PROXY applies to the unusable setting too: a bypassed https host connects directly
    const direct2 = await http1Error(c.get("https://0.0.0.0:1/"));
    assert.ok(direct2.message.startsWith("connect failed: "), direct2.message);
    // a proxy given as null turns the environment off
    const off = new Http1Client({ proxy: null, proxyEnv: (name) => env[name] });
    try {
      assert.deepEqual((await off.get(url)).body, "GET /p");
      assert.deepEqual(proxy.seen.lines.length, 1);
    } finally {
      off.close();
    }
  } finally {
    c.close();
    await proxy.close();
    await direct.close();
    await proxied.close();
  }
});

Deno.test("proxy from the environment never carries loopback targets; an explicit proxy does", () => {
  const env = proxySettingsFromEnv((name) => ({ HTTPS_PROXY: "proxy.corp:3128" })[name]);
  const route = proxyRouter(env);
  for (const host of ["localhost", "api.localhost", "127.0.0.1", "127.9.8.7", "[::1]"]) {
    assert.deepEqual([host, route(new URL(`https://${host}:8443/`)).kind], [host, "direct"]);
  }
  for (const host of ["app.iflow.ro", "128.0.0.1", "localhost.example", "[::2]"]) {
    assert.deepEqual([host, route(new URL(`https://${host}/`)).kind], [host, "proxy"]);
  }
  const explicit = proxyRouter(proxySettings("proxy.corp:3128"));
  assert.deepEqual(explicit(new URL("https://localhost:8443/")).kind, "proxy");
});

Deno.test("IflowClient via proxy: a 407 echoing the URL reaches the caller with the token redacted", async () => {
  const token = "tok-87315600429917";
  const proxy = startProxy((line) => `HTTP/1.1 407 denied ${line}`);
  const client = new IflowClient({
    url: "http://iflow.test/api/rfid_v2/offline_attendance/store_attendances",
    accessToken: token,
    version: "test",
    timeoutMs: 5000,
    proxy: proxy.url.replace("http://", "http://bob:s3cretpw@"),
  });
  try {
    const r = await client.send([{
      date: "2024-05-06",
      time: "08:00:00",
      rfidTag: "1",
      errorMsg: "",
    }]);
    assert.deepEqual([r.reply.kind, r.status], ["transient", 0]);
    const reason = r.reply.kind === "transient" ? r.reply.reason : "";
    assert.ok(
      reason.startsWith(
        `network error while connecting: proxy ${proxy.label} refused the request: HTTP/1.1 407 denied GET http://iflow.test/`,
      ),
      reason,
    );
    assert.ok(reason.includes("access_token=***"), reason);
    assert.ok(!reason.includes(token) && !reason.includes("s3cretpw"), reason);
    assert.ok(proxy.seen.lines[0]!.includes(`access_token=${token}`)); // the proxy did see it
  } finally {
    client.close();
    await proxy.close();
  }
});
