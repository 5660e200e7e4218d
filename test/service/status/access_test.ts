import assert from "node:assert/strict";
import {
  bearerMatches,
  type ExportObject,
  hostAllowed,
  startStatusServer,
  type StatusServer,
  type StatusServerOptions,
} from "../../../service/status/mod.ts";
import { healthySnapshot } from "./fixture.ts";
import { lanAddress, rawRequest } from "./raw_http.ts";

const TOKEN = "s3cret-status-token-0123456789";
const ROW: ExportObject = {
  seq: 1,
  reader: "gate-1",
  rfidTag: "0003887558",
  date: "2025-03-03",
  time: "08:00:00",
  state: "pending",
};

async function withServer(
  opts: Partial<StatusServerOptions>,
  fn: (server: StatusServer, reopened: () => number) => Promise<void>,
): Promise<void> {
  let reopened = 0;
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: healthySnapshot,
    actions: {
      retryRejected: () => ++reopened,
      export: () => [ROW],
    },
    ...opts,
  });
  try {
    await fn(server, () => reopened);
  } finally {
    await server.close();
  }
}

Deno.test("status access refuses a DNS-rebinding Host with 421 on every path, Origin matching or not", async () => {
  await withServer({}, async (server, reopened) => {
    const evil = `evil.example:${server.port}`;
    for (
      const [method, path] of [
        ["GET", "/"],
        ["GET", "/health"],
        ["GET", "/metrics"],
        ["GET", "/export"],
        ["POST", "/actions/retry-rejected"],
      ]
    ) {
      const r = await rawRequest(server.port, method!, path!, {
        host: evil,
        origin: `http://${evil}`,
      });
      assert.equal(r.status, 421, `${method} ${path}`);
      assert.match(r.body, /status\.allowedHosts/);
      assert.doesNotMatch(r.body, /0003887558/);
    }
    assert.equal(reopened(), 0);
    assert.equal(server.stats().badHost, 5);
    // A missing Host and a malformed one are refused as well.
    assert.equal((await rawRequest(server.port, "GET", "/health", {})).status, 421);
    const odd = await rawRequest(server.port, "GET", "/health", { host: "127.0.0.1@evil.example" });
    assert.equal(odd.status, 421);
    assert.equal(server.stats().badHost, 7);
  });
});

Deno.test("status access answers localhost, the listen address and allowedHosts, case and trailing dot aside", async () => {
  await withServer({ allowedHosts: ["pontaj-gate.local"] }, async (server) => {
    for (
      const host of [
        `127.0.0.1:${server.port}`,
        `localhost:${server.port}`,
        "LOCALHOST",
        `pontaj-gate.local:${server.port}`,
        "Pontaj-Gate.Local.",
      ]
    ) {
      const r = await rawRequest(server.port, "GET", "/health", { host });
      assert.equal(r.status, 200, host);
    }
    for (const host of ["pontaj-gate.local.evil.example", "127.0.0.2", "[::1]", "10.0.0.1"]) {
      const r = await rawRequest(server.port, "GET", "/health", { host });
      assert.equal(r.status, 421, host);
    }
    assert.equal(server.stats().badHost, 4);
  });
});

Deno.test("status access hostAllowed takes any IP when bound to all interfaces, names only when listed", () => {
  const wild = { listenHost: "0.0.0.0", allowedHosts: ["gate.corp"] };
  assert.equal(hostAllowed("192.168.1.5:8780", wild), true);
  assert.equal(hostAllowed("[fe80::1]:8780", wild), true);
  assert.equal(hostAllowed("gate.corp:8780", wild), true);
  assert.equal(hostAllowed("evil.example:8780", wild), false);
  assert.equal(hostAllowed("192.168.1.5.nip.io", wild), false);
  const one = { listenHost: "192.168.1.5", allowedHosts: [] };
  assert.equal(hostAllowed("192.168.1.5:8780", one), true);
  assert.equal(hostAllowed("192.168.1.6:8780", one), false);
  assert.equal(hostAllowed("user@192.168.1.5", one), false);
  assert.equal(hostAllowed(null, one), false);
  const v6 = { listenHost: "::1", allowedHosts: [] };
  assert.equal(hostAllowed("[0:0:0:0:0:0:0:1]:8780", v6), true);
  assert.equal(hostAllowed("[::2]:8780", v6), false);
});

Deno.test("status access needs the bearer token for /export and actions; /, /health, /metrics stay open", async () => {
  await withServer({ token: TOKEN }, async (server, reopened) => {
    const host = `127.0.0.1:${server.port}`;
    for (const path of ["/", "/health", "/metrics"]) {
      assert.equal((await rawRequest(server.port, "GET", path, { host })).status, 200, path);
    }
    const bad: Record<string, string>[] = [
      {},
      { authorization: "" },
      { authorization: `Basic ${btoa("pontaj:" + TOKEN)}` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}X` }, // same length, last byte differs
      { authorization: `Bearer ${TOKEN.slice(0, 8)}` }, // a prefix
      { authorization: `Bearer ${TOKEN}x` }, // longer
      { authorization: "Bearer" },
    ];
    for (const h of bad) {
      const ex = await rawRequest(server.port, "GET", "/export", { host, ...h });
      assert.equal(ex.status, 401, JSON.stringify(h));
      assert.equal(ex.headers.get("www-authenticate"), 'Bearer realm="pontaj"');
      assert.doesNotMatch(ex.body, /0003887558/);
      assert.doesNotMatch(ex.body, new RegExp(TOKEN));
      const act = await rawRequest(server.port, "POST", "/actions/retry-rejected", {
        host,
        ...h,
      });
      assert.equal(act.status, 401, JSON.stringify(h));
    }
    assert.equal(reopened(), 0);
    assert.equal(server.stats().unauthorized, bad.length * 2);
    const ok = await rawRequest(server.port, "GET", "/export", {
      host,
      authorization: `Bearer ${TOKEN}`,
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body.trimEnd()), ROW);
    const act = await rawRequest(server.port, "POST", "/actions/retry-rejected", {
      host,
      authorization: `bearer  ${TOKEN}`,
    });
    assert.equal(act.status, 200);
    assert.deepEqual(JSON.parse(act.body), { reopened: 1 });
    assert.equal(reopened(), 1);
  });
});

Deno.test("status access refuses cross-site browser requests even with the token", async () => {
  await withServer({ token: TOKEN }, async (server, reopened) => {
    const host = `127.0.0.1:${server.port}`;
    const auth = `Bearer ${TOKEN}`;
    const cases: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { origin: `http://localhost:${server.port}` }, // another allowed name is still another origin
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
    ];
    for (const h of cases) {
      for (const [method, path] of [["GET", "/export"], ["POST", "/actions/retry-rejected"]]) {
        const r = await rawRequest(server.port, method!, path!, {
          host,
          authorization: auth,
          ...h,
        });
        assert.equal(r.status, 403, `${method} ${path} ${JSON.stringify(h)}`);
        assert.match(r.body, /cross-origin/);
      }
    }
    assert.equal(reopened(), 0);
    assert.equal(server.stats().forbidden, cases.length * 2);
    const same = await rawRequest(server.port, "POST", "/actions/retry-rejected", {
      host,
      authorization: auth,
      origin: `http://${host}`,
      "sec-fetch-site": "same-origin",
    });
    assert.equal(same.status, 200);
  });
});

Deno.test("status access refuses a request body with 413 and counts it", async () => {
  await withServer({}, async (server, reopened) => {
    const r = await rawRequest(server.port, "POST", "/actions/retry-rejected", {
      host: `127.0.0.1:${server.port}`,
      "content-length": "3",
    });
    assert.equal(r.status, 413);
    assert.equal(reopened(), 0);
    assert.equal(server.stats().badRequests, 1);
  });
});

const LAN = lanAddress();

Deno.test({
  name: "status access without a token answers /export and actions to loopback peers only",
  ignore: LAN === null,
  fn: async () => {
    await withServer({ listen: "0.0.0.0:0" }, async (server, reopened) => {
      const lanHost = `${LAN}:${server.port}`;
      // From the LAN address: open paths answer, the export and the action do not.
      const health = await rawRequest(server.port, "GET", "/health", { host: lanHost }, {
        hostname: LAN!,
      });
      assert.equal(health.status, 200);
      const ex = await rawRequest(server.port, "GET", "/export", { host: lanHost }, {
        hostname: LAN!,
      });
      assert.equal(ex.status, 403);
      assert.match(ex.body, /status\.token/);
      assert.doesNotMatch(ex.body, /0003887558/);
      const act = await rawRequest(server.port, "POST", "/actions/retry-rejected", {
        host: lanHost,
      }, { hostname: LAN! });
      assert.equal(act.status, 403);
      assert.equal(reopened(), 0);
      assert.equal(server.stats().forbidden, 2);
      // From loopback: allowed.
      const local = await rawRequest(server.port, "GET", "/export", {
        host: `127.0.0.1:${server.port}`,
      });
      assert.equal(local.status, 200);
      assert.deepEqual(JSON.parse(local.body.trimEnd()), ROW);
    });
  },
});

Deno.test({
  name: "status access with a token answers /export to a LAN peer that sends it",
  ignore: LAN === null,
  fn: async () => {
    await withServer({ listen: "0.0.0.0:0", token: TOKEN }, async (server) => {
      const host = `${LAN}:${server.port}`;
      const no = await rawRequest(server.port, "GET", "/export", { host }, { hostname: LAN! });
      assert.equal(no.status, 401);
      const yes = await rawRequest(server.port, "GET", "/export", {
        host,
        authorization: `Bearer ${TOKEN}`,
      }, { hostname: LAN! });
      assert.equal(yes.status, 200);
      assert.deepEqual(JSON.parse(yes.body.trimEnd()), ROW);
    });
  },
});

Deno.test("status access bearerMatches compares whole tokens only", () => {
  assert.equal(bearerMatches(`Bearer ${TOKEN}`, TOKEN), true);
  assert.equal(bearerMatches(`bearer ${TOKEN}`, TOKEN), true);
  assert.equal(bearerMatches(TOKEN, TOKEN), false);
  assert.equal(bearerMatches(`Bearer ${TOKEN} extra`, TOKEN), false);
  assert.equal(bearerMatches(`Bearer ${TOKEN.toUpperCase()}`, TOKEN), false);
  assert.equal(bearerMatches(null, TOKEN), false);
  assert.equal(bearerMatches("Bearer ", TOKEN), false);
});
