/**
 * The reply-side defences of issue #14, in process: the chunked decoder's
 * caps, the reply cap sized to the batch, cheap checks before validation,
 * auth only for token refusals, and foreign text clipped before it reaches
 * `lastError`, logs or `/health`.
 */

import assert from "node:assert/strict";
import {
  classifyLiveReply,
  classifyOfflineReply,
  IflowClient,
  isDeviceAuthMessage,
  parseIflowConfig,
  type WireRecord,
} from "../../../service/iflow/mod.ts";
import { replyBodyCap } from "../../../service/iflow/client.ts";
import { clipForeign } from "../../../service/clip.ts";
import { Http1Client } from "../../../service/iflow/http1.ts";
import { MAX_CHUNKS } from "../../../service/iflow/http1_wire.ts";
import { Journal } from "../../../service/journal/mod.ts";
import { SyncEngine } from "../../../service/sync/engine.ts";
import { captureLogs, fastConfig, scan, TOKEN } from "../sync/support.ts";
import {
  type HostileReply,
  messageReply,
  numberArray,
  oneByteChunks,
  startHostileIflow,
} from "./fixtures/hostile_iflow.ts";

const enc = new TextEncoder();
const sent: WireRecord[] = [
  { date: "2024-05-06", time: "08:00:00", rfidTag: "0003887558", errorMsg: "" },
  { date: "2024-05-06", time: "08:00:05", rfidTag: "0012345678", errorMsg: "" },
];

/** A reply made of raw pieces (for framing the fixture's helpers do not make). */
function raw(text: string): HostileReply {
  return () => [enc.encode(text)];
}

async function getWith(reply: HostileReply, maxBodyBytes: number) {
  const server = startHostileIflow(reply);
  const client = new Http1Client({ maxBodyBytes, proxy: null });
  try {
    return await client.get(server.url).then(
      (r) => ({ ok: true as const, body: r.body, requests: server.requests() }),
      (e: Error) => ({ ok: false as const, error: e.message, requests: server.requests() }),
    );
  } finally {
    client.close();
    await server.close();
  }
}

Deno.test("chunked: a body of one-byte chunks under the caps arrives whole", async () => {
  const r = await getWith(oneByteChunks(10_000), 64 * 1024);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.body.length, 10_000);
  assert.equal(r.body, `"${"a".repeat(9998)}"`);
});

Deno.test("chunked: more than MAX_CHUNKS chunks is refused, whatever the body cap", async () => {
  const r = await getWith(oneByteChunks(1_000_000), 8 * 1024 * 1024);
  assert.deepEqual(r, {
    ok: false,
    error: `reply has more than ${MAX_CHUNKS} chunks`,
    requests: 1,
  });
});

Deno.test("chunked: data past the body cap is refused", async () => {
  const chunk = `4000\r\n${"z".repeat(0x4000)}\r\n`;
  const r = await getWith(
    raw(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(5)}0\r\n\r\n`),
    64 * 1024,
  );
  assert.deepEqual(r, { ok: false, error: "reply body too large", requests: 1 });
});

Deno.test("chunked: framing (extensions, trailers) counts against the wire cap", async () => {
  const ext = `1;${"e".repeat(1000)}\r\na\r\n`; // 1 byte of body, ~1 KB of framing
  const a = await getWith(
    raw(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${ext.repeat(200)}0\r\n\r\n`),
    64 * 1024,
  );
  assert.deepEqual(a, { ok: false, error: "reply framing too large", requests: 1 });
  const trailer = `X-T: ${"t".repeat(900)}\r\n`;
  const b = await getWith(
    raw(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n${
        trailer.repeat(300)
      }\r\n`,
    ),
    64 * 1024,
  );
  assert.deepEqual(b, { ok: false, error: "reply framing too large", requests: 1 });
  const c = await getWith(
    raw(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${
        "e".repeat(2000)
      }\r\na\r\n0\r\n\r\n`,
    ),
    64 * 1024,
  );
  assert.deepEqual(c, { ok: false, error: "a chunk header longer than 1024 bytes", requests: 1 });
});

Deno.test("chunked: bad sizes and missing CRLFs are errors, not hangs", async () => {
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const cases: [string, string][] = [
    ["zz\r\nab\r\n0\r\n\r\n", "bad chunk size"],
    ["-1\r\na\r\n0\r\n\r\n", "bad chunk size"],
    ["123456789\r\n", "bad chunk size"],
    ["2\r\nabXY0\r\n\r\n", "bad chunk framing (no CRLF after a chunk's data)"],
  ];
  for (const [body, error] of cases) {
    assert.deepEqual(await getWith(raw(head + body), 64 * 1024), { ok: false, error, requests: 1 });
  }
});

Deno.test("reply cap: sized to the batch, and applied by IflowClient", async () => {
  assert.equal(replyBodyCap(50), 50 * 2048 + 65536);
  assert.equal(replyBodyCap(1), 2048 + 65536);
  const server = startHostileIflow(numberArray(100_000));
  const small = new IflowClient({
    ...parseIflowConfig({ url: server.url, accessToken: TOKEN, batchSize: 1 }),
    proxy: null,
  });
  const large = new IflowClient({
    ...parseIflowConfig({ url: server.url, accessToken: TOKEN, batchSize: 50 }),
    proxy: null,
  });
  try {
    const a = await small.send(sent);
    assert.equal(a.reply.kind, "transient");
    assert.match((a.reply as { reason: string }).reason, /reply body too large/);
    const b = await large.send(sent);
    assert.deepEqual(b.reply, {
      kind: "transient",
      reason: "reply has 18519 entries for 2 records",
    });
  } finally {
    small.close();
    large.close();
    await server.close();
  }
});

Deno.test("classifyOfflineReply: the count is checked before any entry is validated", () => {
  const body = `[${Array.from({ length: 1_000_000 }, (_, i) => i).join(",")}]`;
  assert.deepEqual(classifyOfflineReply(sent, 200, null, body), {
    kind: "transient",
    reason: "reply has 1000000 entries for 2 records",
  });
});

Deno.test("classifyOfflineReply: only token refusals are auth; other messages are transient", () => {
  const transient = [
    "Database access timeout, please retry",
    "Device gateway busy, retry later",
    "Tokenizer error in request",
    "Server overloaded",
  ];
  for (const message of transient) {
    assert.deepEqual(classifyOfflineReply(sent, 200, null, JSON.stringify({ message })), {
      kind: "transient",
      reason: `iFlow: ${message}`,
    });
    assert.equal(isDeviceAuthMessage(message), false, message);
  }
  const auth = [
    "Dispozitivul RFID nu este înregistrat: access_token invalid",
    "Token invalid",
    "Invalid access token",
    "Device not registered",
    "access_token expirat",
  ];
  for (const message of auth) {
    assert.equal(classifyOfflineReply(sent, 200, null, JSON.stringify({ message })).kind, "auth");
    assert.equal(isDeviceAuthMessage(message), true, message);
  }
  assert.equal(classifyOfflineReply(sent, 200, null, "{}").kind, "transient");
  assert.equal(classifyOfflineReply(sent, 401, null, "").kind, "auth");
  assert.equal(classifyOfflineReply(sent, 403, null, "").kind, "auth");
  assert.equal(
    classifyOfflineReply(sent, 500, null, '{"error":"token invalid"}').kind,
    "transient",
  );
});

Deno.test("classify: foreign text in reasons is clipped and scrubbed", () => {
  const huge = "Eroare: " + "x".repeat(2_300_000);
  const r = classifyOfflineReply(sent, 200, null, JSON.stringify({ message: huge }));
  assert.equal(r.kind, "transient");
  const reason = (r as { reason: string }).reason;
  assert.ok(reason.length < 200, `${reason.length} chars`);
  assert.match(reason, /^iFlow: Eroare: x+… \(2300008 chars\)$/);
  const live = classifyLiveReply(
    200,
    JSON.stringify({ api_reply: { scan_msg: huge, user: null } }),
  );
  assert.ok(
    live.kind === "not-stored" && live.reason.length < 400,
    JSON.stringify(live).length.toString(),
  );
  // The token cut in half by a clip would escape redaction: scrubbing comes first.
  const echo = `Token ${"z".repeat(110)}${TOKEN} invalid`;
  const scrub = (s: string) => s.split(TOKEN).join("***");
  const a = classifyOfflineReply(sent, 200, null, JSON.stringify({ error: echo }), scrub);
  assert.equal(a.kind, "auth");
  assert.ok(!(a as { reason: string }).reason.includes(TOKEN.slice(0, 4)), JSON.stringify(a));
  assert.equal(clipForeign("a\u0000b\r\nc"), "a?b??c");
});

Deno.test("engine: a 100 KB message becomes a clipped lastError and log line", async () => {
  const server = startHostileIflow(messageReply("Database busy: " + "q".repeat(100_000)));
  const dir = await Deno.makeTempDir({ prefix: "pontaj-clip-" });
  const journal = await Journal.open(dir);
  const logs = captureLogs();
  const engine = new SyncEngine(journal, {
    iflow: fastConfig(server.url),
    logger: logs.logger,
    random: () => 0.5, // the backoff jitter, fixed: no randomness in this test
  });
  try {
    await journal.append(scan("0003887558", Date.UTC(2024, 4, 6, 6)));
    const r = await engine.syncOnce({ maxRetries: 1 });
    assert.equal(r.ok, false);
    const st = engine.status();
    assert.ok(st.lastError !== null && st.lastError.length <= 400, st.lastError ?? "null");
    assert.match(st.lastError!, /^iFlow: Database busy: q+… \(100015 chars\)$/);
    assert.equal(st.alarms.length, 0);
    assert.ok(logs.lines.length > 0);
    for (const line of logs.lines) assert.ok(line.length < 1000, `${line.length} chars`);
  } finally {
    await engine.stop(0);
    await journal.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
