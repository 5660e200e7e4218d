import assert from "node:assert/strict";
import { createLogger, isLogLevel, type Logger, redactSecrets } from "../../service/log.ts";

const TOKEN = "tok_9f8e7d6c5b4a";
const T0 = Date.UTC(2025, 2, 3, 8, 15, 0, 123);

function capture(level: "debug" | "info" | "warn" | "error" = "debug"): {
  log: Logger;
  lines: string[];
  records: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const log = createLogger({ level, redact: [TOKEN], sink: (l) => lines.push(l), now: () => T0 });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l)) };
}

Deno.test("log writes one JSON object per line with ts, level, msg then the fields", () => {
  const { log, lines } = capture();
  log("info", "scan journaled", { seq: 42, reader: "gate-1", ok: true, tags: ["a", "b"] });
  assert.deepEqual(lines, [
    '{"ts":"2025-03-03T08:15:00.123Z","level":"info","msg":"scan journaled","seq":42,"reader":"gate-1","ok":true,"tags":["a","b"]}',
  ]);
  log("warn", "no fields");
  assert.equal(lines[1], '{"ts":"2025-03-03T08:15:00.123Z","level":"warn","msg":"no fields"}');
});

Deno.test("log drops lines below the threshold", () => {
  const { log, records } = capture("warn");
  log("debug", "d");
  log("info", "i");
  log("warn", "w");
  log("error", "e");
  assert.deepEqual(records().map((r) => [r.level, r.msg]), [["warn", "w"], ["error", "e"]]);
  assert.throws(() => createLogger({ level: "loud" as "info" }), /unknown log level: loud/);
  assert.equal(isLogLevel("debug"), true);
  assert.equal(isLogLevel("trace"), false);
});

Deno.test("log redacts the token in the message", () => {
  const { log, lines } = capture();
  log("error", `iFlow refused token ${TOKEN} (401)`);
  assert.equal(JSON.parse(lines[0]!).msg, "iFlow refused token *** (401)");
  assert.equal(lines[0]!.includes(TOKEN), false);
});

Deno.test("log redacts the token in fields, nested objects, arrays, keys and errors", () => {
  const { log, lines, records } = capture();
  log("warn", "sync failed", {
    token: TOKEN,
    request: { headers: { authorization: `Bearer ${TOKEN}` }, attempts: [1, `x${TOKEN}y`] },
    [`key-${TOKEN}`]: 1,
    error: new Error(`fetch failed for ${TOKEN}`),
    deep: { a: { b: { c: { d: TOKEN } } } },
  });
  assert.equal(lines[0]!.includes(TOKEN), false);
  const r = records()[0]!;
  assert.equal(r.token, "***");
  assert.deepEqual(r.request, { headers: { authorization: "Bearer ***" }, attempts: [1, "x***y"] });
  assert.equal(r["key-***"], 1);
  assert.equal(r.error, "fetch failed for ***");
  assert.deepEqual(r.deep, { a: { b: { c: { d: "***" } } } });
});

Deno.test("log redacts access_token in URLs, whatever its value", () => {
  const { log, records } = capture();
  const url = "https://iflow.example/api/pontaj?v=2&access_token=other-secret&rfid=1";
  log("info", `GET ${url}`, {
    url,
    link: new URL("https://iflow.example/x?ACCESS_TOKEN=abc"),
    encoded: "https://proxy/?next=%2Fapi%3Faccess_token%3Dabc%26x%3D1",
    list: [`https://h/?access_token=${TOKEN}`],
  });
  const r = records()[0]!;
  assert.equal(r.msg, "GET https://iflow.example/api/pontaj?v=2&access_token=***&rfid=1");
  assert.equal(r.url, "https://iflow.example/api/pontaj?v=2&access_token=***&rfid=1");
  assert.equal(r.link, "https://iflow.example/x?ACCESS_TOKEN=***");
  assert.equal(r.encoded, "https://proxy/?next=%2Fapi%3Faccess_token%3D***%26x%3D1");
  assert.deepEqual(r.list, ["https://h/?access_token=***"]);
});

Deno.test("log redactSecrets replaces raw and URL-encoded secrets, longest first", () => {
  assert.equal(
    redactSecrets("a=abc&access_token=zzz b=abc", ["abc"]),
    "a=***&access_token=*** b=***",
  );
  assert.equal(redactSecrets("p=a%2Fb%3D and a/b=", ["a/b="]), "p=*** and ***");
  assert.equal(redactSecrets("secret-long secret", ["secret", "secret-long"]), "*** ***");
  assert.equal(redactSecrets("nothing here", ["", "x y"]), "nothing here");
});

Deno.test("log renders odd values safely and never throws", () => {
  const { log, records } = capture();
  const cyclic: Record<string, unknown> = { name: "c" };
  cyclic.self = cyclic;
  log("debug", "odd", {
    big: 12345678901234567890n,
    nan: NaN,
    when: new Date(T0),
    bytes: new Uint8Array(7),
    cyclic,
    map: new Map([["k", TOKEN]]),
    set: new Set([1, 2]),
    fn: function probe() {},
    missing: undefined,
    ts: "user ts",
  });
  const r = records()[0]!;
  assert.equal(r.ts, "2025-03-03T08:15:00.123Z");
  assert.equal(r._ts, "user ts");
  assert.equal(r.big, "12345678901234567890");
  assert.equal(r.nan, "NaN");
  assert.equal(r.when, "2025-03-03T08:15:00.123Z");
  assert.equal(r.bytes, "[Uint8Array 7 bytes]");
  assert.deepEqual(r.cyclic, { name: "c", self: "[circular]" });
  assert.deepEqual(r.map, { k: "***" });
  assert.deepEqual(r.set, [1, 2]);
  assert.equal(r.fn, "[function probe]");
  assert.equal("missing" in r, false);
  const throwing = createLogger({
    sink: () => {
      throw new Error("stderr closed");
    },
  });
  throwing("error", "still fine");
});

Deno.test("log writes to stderr by default", async () => {
  const code = `
    import { createLogger } from ${
    JSON.stringify(new URL("../../service/log.ts", import.meta.url).href)
  };
    const log = createLogger({ level: "info", redact: ["s3cret"] });
    log("debug", "hidden");
    log("info", "hello s3cret", { n: 1 });
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(out.code, 0);
  assert.equal(new TextDecoder().decode(out.stdout), "");
  const lines = new TextDecoder().decode(out.stderr).split("\n");
  assert.equal(lines.length, 2);
  assert.equal(lines[1], "");
  const r = JSON.parse(lines[0]!);
  assert.equal(r.level, "info");
  assert.equal(r.msg, "hello ***");
  assert.equal(r.n, 1);
  assert.match(r.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
});
