import assert from "node:assert/strict";
import {
  type ExportObject,
  parseListen,
  startStatusServer,
  type StatusExportOptions,
  type StatusServer,
  StatusServerError,
  type StatusServerOptions,
} from "../../../service/status/mod.ts";
import { degradedSnapshot, healthySnapshot } from "./fixture.ts";

async function withServer(
  opts: Partial<StatusServerOptions>,
  fn: (server: StatusServer) => Promise<void>,
): Promise<void> {
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: healthySnapshot,
    ...opts,
  });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** Reads from `reader` until `text` holds at least `lines` complete lines. */
async function readLines(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  lines: number,
  carry = "",
): Promise<string> {
  const dec = new TextDecoder();
  let text = carry;
  while (text.split("\n").length - 1 < lines) {
    const r = await reader.read();
    if (r.done) break;
    text += dec.decode(r.value, { stream: true });
  }
  return text;
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

Deno.test("status server /health answers 200 with the snapshot when healthy", async () => {
  await withServer({}, async (server) => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.port > 0);
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-store");
    const body = await res.json();
    assert.deepEqual(body, healthySnapshot());
    assert.equal(body.journal.pending, 3);
    assert.equal(body.readers[0]?.name, "gate-1");
  });
});

Deno.test("status server /health answers 503 when degraded", async () => {
  await withServer({ snapshot: degradedSnapshot }, async (server) => {
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.healthy, false);
    assert.deepEqual(body.alarms, ["iFlow rejected the device token"]);
    assert.equal(body.journal.degraded, "disk full");
  });
});

Deno.test("status server /health answers 503 with the reason when the snapshot throws", async () => {
  const logged: string[] = [];
  const snapshot = () => {
    throw new Error("journal index unavailable");
  };
  await withServer({ snapshot, logger: (_l, msg) => logged.push(msg) }, async (server) => {
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      healthy: false,
      error: "cannot build status: journal index unavailable",
    });
    const m = await fetch(`${server.url}/metrics`);
    assert.equal(m.status, 503);
    await m.body?.cancel();
  });
  assert.equal(logged.filter((m) => m === "status: cannot build the snapshot").length, 2);
});

Deno.test("status server /metrics serves Prometheus text with the snapshot's values", async () => {
  await withServer({}, async (server) => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const lines = (await res.text()).split("\n");
    for (
      const want of [
        'pontaj_scans_total{reader="gate-1"} 12',
        'pontaj_scans_total{reader="gate-2"} 8',
        'pontaj_reader_up{reader="gate-2",kind="osdp"} 0',
        "pontaj_journal_pending 3",
        'pontaj_sync_latency_seconds_bucket{le="+Inf"} 14',
        "pontaj_healthy 1",
      ]
    ) assert.ok(lines.includes(want), `missing line: ${want}`);
  });
});

Deno.test("status server / serves the HTML page with a strict CSP", async () => {
  await withServer({}, async (server) => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const html = await res.text();
    assert.ok(html.startsWith("<!doctype html>"));
    assert.ok(html.includes('data-reader="gate-1"'));
    assert.ok(html.includes('<div class="v" id="journal-pending">3</div>'));
  });
});

Deno.test("status server answers 404 for unknown paths and 405 for wrong methods", async () => {
  await withServer({}, async (server) => {
    for (const path of ["/nope", "/health/", "/actions/other", "/favicon.ico"]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.deepEqual(await res.json(), { error: `not found: ${path}` });
    }
    const put = await fetch(`${server.url}/health`, { method: "PUT", body: "x" });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET");
    await put.body?.cancel();
    const get = await fetch(`${server.url}/actions/retry-rejected`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    await get.body?.cancel();
    const post = await fetch(`${server.url}/metrics`, { method: "POST" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  });
});

Deno.test("status server retry-rejected calls the action with since and returns the count", async () => {
  const calls: (string | undefined)[] = [];
  const actions = {
    retryRejected: (since?: string) => {
      calls.push(since);
      return Promise.resolve(since ? 4 : 9);
    },
  };
  await withServer({ actions }, async (server) => {
    let res = await fetch(`${server.url}/actions/retry-rejected?since=2025-03-01`, {
      method: "POST",
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { reopened: 4 });
    res = await fetch(`${server.url}/actions/retry-rejected`, { method: "POST" });
    assert.deepEqual(await res.json(), { reopened: 9 });
    res = await fetch(
      `${server.url}/actions/retry-rejected?since=${
        encodeURIComponent("2025-03-01T08:00:00+02:00")
      }`,
      { method: "POST" },
    );
    assert.deepEqual(await res.json(), { reopened: 4 });
    // A bad date never reaches the action.
    res = await fetch(`${server.url}/actions/retry-rejected?since=yesterday`, { method: "POST" });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /^since: expected a date like 2025-03-01/);
    // A browser page from another origin cannot trigger it.
    res = await fetch(`${server.url}/actions/retry-rejected`, {
      method: "POST",
      headers: { origin: "http://evil.example" },
    });
    assert.equal(res.status, 403);
    await res.body?.cancel();
    // The page's own origin can.
    res = await fetch(`${server.url}/actions/retry-rejected`, {
      method: "POST",
      headers: { origin: server.url },
    });
    assert.deepEqual(await res.json(), { reopened: 9 });
  });
  assert.deepEqual(calls, ["2025-03-01", undefined, "2025-03-01T08:00:00+02:00", undefined]);
});

Deno.test("status server actions answer 501 when absent and 500 with the message when they fail", async () => {
  await withServer({}, async (server) => {
    let res = await fetch(`${server.url}/actions/retry-rejected`, { method: "POST" });
    assert.equal(res.status, 501);
    await res.body?.cancel();
    res = await fetch(`${server.url}/export`);
    assert.equal(res.status, 501);
    await res.body?.cancel();
  });
  const actions = {
    retryRejected: () => Promise.reject(new Error("journal is read-only")),
    export: (): AsyncIterable<ExportObject> => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("index broken")) }),
    }),
  };
  await withServer({ actions }, async (server) => {
    let res = await fetch(`${server.url}/actions/retry-rejected`, { method: "POST" });
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: "journal is read-only" });
    res = await fetch(`${server.url}/export`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: "index broken" });
  });
});

const ROWS: ExportObject[] = [
  {
    seq: 1,
    reader: "gate-1",
    rfidTag: "0004318546",
    date: "2025-03-03",
    time: "08:01:02",
    state: "synced",
  },
  {
    seq: 2,
    reader: "gate-2",
    rfidTag: "0000000001",
    date: "2025-03-03",
    time: "08:01:07",
    state: "rejected",
    error: 'card "1" unknown, ask HR',
  },
];

Deno.test("status server /export streams rows one at a time without buffering", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let produced = 0;
  let finished = false;
  let seen: StatusExportOptions | undefined;
  async function* rows(): AsyncGenerator<ExportObject> {
    try {
      produced++;
      yield ROWS[0]!;
      await gate;
      produced++;
      yield ROWS[1]!;
    } finally {
      finished = true;
    }
  }
  const actions = {
    export: (opts: StatusExportOptions) => {
      seen = opts;
      return rows();
    },
  };
  await withServer({ actions }, async (server) => {
    const res = await fetch(`${server.url}/export?state=rejected`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-ndjson; charset=utf-8");
    const reader = res.body!.getReader();
    const first = await readLines(reader, 1);
    // The first row arrived while the source is still waiting to produce the second.
    assert.deepEqual(JSON.parse(first.trimEnd()), ROWS[0]);
    assert.equal(produced, 1);
    assert.equal(finished, false);
    release();
    const all = await readLines(reader, 3, first);
    assert.equal(all, ROWS.map((r) => JSON.stringify(r) + "\n").join(""));
    assert.equal((await reader.read()).done, true);
  });
  assert.equal(produced, 2);
  assert.equal(finished, true);
  assert.equal(seen?.state, "rejected");
  assert.equal(seen?.format, "jsonl");
});

Deno.test("status server /export writes CSV with a header and quoted fields", async () => {
  const actions = { export: () => ROWS };
  await withServer({ actions }, async (server) => {
    const res = await fetch(`${server.url}/export?format=csv`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8; header=present");
    assert.equal(
      await res.text(),
      "seq,reader,rfidTag,date,time,state,event,error,gate,decision,reason,passed\r\n" +
        "1,gate-1,0004318546,2025-03-03,08:01:02,synced,,,,,,\r\n" +
        '2,gate-2,0000000001,2025-03-03,08:01:07,rejected,,"card ""1"" unknown, ask HR",,,,\r\n',
    );
    const bad = await fetch(`${server.url}/export?format=xml`);
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: 'format: expected jsonl or csv, got "xml"' });
    const badState = await fetch(`${server.url}/export?state=lost`);
    assert.equal(badState.status, 400);
    await badState.body?.cancel();
  });
});

Deno.test("status server /export stops reading the source when the client goes away", async () => {
  let produced = 0;
  let finished = false;
  let signal: AbortSignal | undefined;
  async function* endless(): AsyncGenerator<ExportObject> {
    try {
      for (;;) {
        produced++;
        yield { seq: produced, reader: "gate-1", pad: "x".repeat(1000) };
        await new Promise((r) => setTimeout(r, 1));
      }
    } finally {
      finished = true;
    }
  }
  const actions = {
    export: (opts: StatusExportOptions) => {
      signal = opts.signal;
      return endless();
    },
  };
  await withServer({ actions }, async (server) => {
    const res = await fetch(`${server.url}/export`);
    const reader = res.body!.getReader();
    const text = await readLines(reader, 2);
    assert.equal(JSON.parse(text.split("\n")[0]!).seq, 1);
    await reader.cancel();
    await waitFor(() => finished, "the export source to be closed");
    await waitFor(() => signal?.aborted === true, "the export signal to abort");
  });
  assert.ok(produced >= 2);
});

Deno.test("status server close() cuts an export that is still running", async () => {
  let finished = false;
  async function* stuck(): AsyncGenerator<ExportObject> {
    try {
      yield ROWS[0]!;
      await new Promise<void>(() => {}); // the journal never answers
    } finally {
      finished = true;
    }
  }
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: healthySnapshot,
    actions: { export: stuck },
  });
  const res = await fetch(`${server.url}/export`);
  const reader = res.body!.getReader();
  assert.deepEqual(JSON.parse((await readLines(reader, 1)).trimEnd()), ROWS[0]);
  await server.close();
  await server.close(); // idempotent
  await assert.rejects(async () => {
    for (;;) if ((await reader.read()).done) return;
  });
  assert.equal(finished, false); // still parked in the journal; return() is queued behind it
});

Deno.test("status server start fails clearly when the address is in use", async () => {
  await withServer({}, async (server) => {
    await assert.rejects(
      () => startStatusServer({ listen: `127.0.0.1:${server.port}`, snapshot: healthySnapshot }),
      (e: unknown) =>
        e instanceof StatusServerError && e.code === "address-in-use" &&
        e.message === `status.listen 127.0.0.1:${server.port}: address already in use ` +
            "(is another pontaj agent running? pick another port in status.listen)",
    );
  });
});

Deno.test("status server parseListen accepts host:port forms and rejects others", () => {
  assert.deepEqual(parseListen("127.0.0.1:8780"), { hostname: "127.0.0.1", port: 8780 });
  assert.deepEqual(parseListen("[::1]:0"), { hostname: "::1", port: 0 });
  assert.deepEqual(parseListen(":9000"), { hostname: "0.0.0.0", port: 9000 });
  assert.deepEqual(parseListen("localhost:8780"), { hostname: "localhost", port: 8780 });
  for (const bad of ["8780", "127.0.0.1", "127.0.0.1:70000", "a:b", "::1:80", ""]) {
    assert.throws(
      () => parseListen(bad),
      (e: unknown) =>
        e instanceof StatusServerError && e.code === "bad-listen" &&
        e.message ===
          `status.listen: expected "host:port" (e.g. "127.0.0.1:8780", "[::1]:8780", ":8780"), got ${
            JSON.stringify(bad)
          }`,
      bad,
    );
  }
});
