import assert from "node:assert/strict";
import { createLogger, secretForms } from "../../../service/log.ts";
import { makeRedactor } from "../../../service/iflow/redact.ts";

/** A token with characters that JSON, PHP's json_encode and percent-encoding all change. */
const TOKEN = 'dev-7731/ăț+&=tok "q" \\z';

/** The token as PHP's json_encode writes it (`\/` and `\uXXXX`), in lower and upper hex. */
const PHP_LOWER = 'dev-7731\\/\\u0103\\u021b+&=tok \\"q\\" \\\\z';
const PHP_UPPER = PHP_LOWER.replace("021b", "021B");

Deno.test("redaction: every spelling of the token is scrubbed from logs", () => {
  const spellings = [
    TOKEN,
    encodeURIComponent(TOKEN),
    encodeURIComponent(TOKEN).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    new URLSearchParams({ t: TOKEN }).toString().slice(2),
    JSON.stringify(TOKEN).slice(1, -1),
    PHP_LOWER,
    PHP_UPPER,
  ];
  assert.deepEqual(new Set(secretForms(TOKEN)), new Set(spellings));
  const lines: string[] = [];
  const log = createLogger({ level: "debug", redact: [TOKEN], sink: (l) => lines.push(l) });
  for (const s of spellings) {
    log("warn", `iFlow said: token ${s} invalid`, {
      echo: JSON.stringify({ error: `bad ${TOKEN}` }),
    });
  }
  assert.equal(lines.length, spellings.length);
  for (const line of lines) {
    assert.ok(!line.includes("7731"), line);
    assert.match(line, /token \*\*\* invalid/);
  }
  const redact = makeRedactor(TOKEN);
  const php = JSON.stringify({ e: `Token ${TOKEN} invalid` }).replace(/\//g, "\\/")
    .replace(/ă/g, "\\u0103").replace(/ț/g, "\\u021B");
  assert.equal(redact(php), '{"e":"Token *** invalid"}');
});

Deno.test("redaction: log strings are bounded whatever their source", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "debug", sink: (l) => lines.push(l) });
  log("warn", "m".repeat(5000), { a: "a".repeat(5000), nested: { b: ["b".repeat(3000)] } });
  assert.equal(lines.length, 1);
  const rec = JSON.parse(lines[0]!);
  assert.equal(rec.msg, `${"m".repeat(1000)}… (5000 chars)`);
  assert.equal(rec.a, `${"a".repeat(1000)}… (5000 chars)`);
  assert.equal(rec.nested.b[0], `${"b".repeat(1000)}… (3000 chars)`);
});
