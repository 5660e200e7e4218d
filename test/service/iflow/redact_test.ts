import assert from "node:assert/strict";
import { makeRedactor, redactingLogger, redactUrl } from "../../../service/iflow/mod.ts";
import { createLogger, logsAt } from "../../../service/log.ts";

Deno.test("redactUrl hides every access_token value", () => {
  assert.deepEqual(
    redactUrl("GET https://x/api?access_token=123&csv_data=%5B%5D (and ?ACCESS_TOKEN=9)"),
    "GET https://x/api?access_token=***&csv_data=%5B%5D (and ?ACCESS_TOKEN=***)",
  );
});

Deno.test("redactingLogger scrubs raw and URL-encoded token from message and fields", () => {
  const token = "tok en/1";
  const lines: string[] = [];
  const log = redactingLogger((level, msg, fields) => {
    lines.push(`${level} ${msg} ${JSON.stringify(fields)}`);
  }, token);
  log("warn", `failed for ${token}`, {
    url: `http://h/p?x=1&access_token=${encodeURIComponent(token)}`,
    nested: { list: [`a ${encodeURIComponent(token)} b`, 3] },
    err: new Error(`bad ${token}`),
  });
  assert.deepEqual(lines, [
    'warn failed for *** {"url":"http://h/p?x=1&access_token=***","nested":{"list":["a *** b",3]},"err":"Error: bad ***"}',
  ]);
  assert.deepEqual(makeRedactor("")("nothing to hide"), "nothing to hide");
});

Deno.test("redactingLogger keeps the logger's level and drops lines below it unscrubbed", () => {
  const lines: string[] = [];
  const inner = createLogger({ level: "info", sink: (l) => lines.push(l) });
  let scrubbed = 0;
  const fields = {
    get url() {
      scrubbed++;
      return "http://h/p?access_token=abcdef";
    },
  };
  const log = redactingLogger(inner, "abcdef");
  assert.deepEqual([log.level, logsAt(log, "debug"), logsAt(log, "info")], ["info", false, true]);
  log("debug", "batch delivered", fields);
  assert.deepEqual([lines.length, scrubbed], [0, 0]);
  log("info", "batch delivered", fields);
  assert.deepEqual([lines.length, scrubbed], [1, 1]);
  assert.deepEqual(JSON.parse(lines[0]!).url, "http://h/p?access_token=***");
  // A plain function has no level: every line goes through.
  assert.deepEqual(logsAt(redactingLogger(() => {}, "abcdef"), "debug"), true);
});
