/**
 * Hostile config input (issue #14): each is refused with exit code 2 and one
 * line naming the file and the key (or what is wrong with the file), never a
 * stack trace, and never the token.
 */

import assert from "node:assert/strict";
import { ConfigError, loadConfig, validateConfig } from "../../../service/config/mod.ts";
import { MAX_JSONC_DEPTH } from "../../../service/config/jsonc.ts";
import { MAX_CONFIG_BYTES } from "../../../service/config/load.ts";
import { runMeasured } from "../../support/child_rss.ts";

const MAIN = new URL("../../../service/main.ts", import.meta.url).pathname;
const TOKEN = "7319042258170463";

function config(iflow: Record<string, unknown>): Record<string, unknown> {
  return {
    journal: { dir: "/var/lib/pontaj/journal" },
    iflow: { accessToken: TOKEN, ...iflow },
    readers: [],
  };
}

function problems(raw: unknown, env: Record<string, string> = {}): string[] {
  try {
    validateConfig(raw, "p.json", env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  throw new Error("expected a ConfigError");
}

const HTTP_REMOTE = "p.json: iflow.url: http:// would send the access token in clear; use " +
  "https:// (http is allowed only for localhost, 127.0.0.0/8 and [::1])";
const USERINFO =
  "p.json: iflow.url: must not contain a user name or password (user:pw@host); iFlow needs only the access token";
const VERSION =
  "p.json: iflow.version: expected a plain version like 1.0 (1–64 printable ASCII characters, no spaces or control characters)";
const SHORT =
  "too short: the device access token registered in iFlow needs at least 16 characters (iFlow recommends a big random number)";

Deno.test("hostile config: iflow.url is https unless loopback, and carries no userinfo", () => {
  assert.deepEqual(problems(config({ url: "http://app.iflow.ro/api/x" })), [HTTP_REMOTE]);
  assert.deepEqual(problems(config({ url: "http://10.0.0.5:8080/api/x" })), [HTTP_REMOTE]);
  assert.deepEqual(problems(config({ liveUrl: "http://iflow.example/live" })), [
    HTTP_REMOTE.replace("iflow.url", "iflow.liveUrl"),
  ]);
  assert.deepEqual(problems(config({ url: "https://bob:pw@app.iflow.ro/api/x" })), [USERINFO]);
  assert.deepEqual(problems(config({ url: "http://bob@127.0.0.1:9/api/x" })), [USERINFO]);
  for (const url of ["https://app.iflow.ro/api/x?a=1", "https://app.iflow.ro/api/x#f"]) {
    assert.deepEqual(problems(config({ url })), [
      "p.json: iflow.url: expected a URL without a query string or fragment",
    ]);
  }
  for (
    const url of [
      "http://127.0.0.1:9/api/x",
      "http://127.3.4.5/api/x",
      "http://localhost:8080/api/x",
      "http://[::1]:8080/api/x",
      "https://app.iflow.ro/api/x",
    ]
  ) {
    assert.equal(validateConfig(config({ url }), "p.json", {}).iflow.url, url);
  }
});

Deno.test("hostile config: iflow.version is a plain token", () => {
  for (
    const version of ["1\r\nX-Injected: yes", "1.0 beta", "", "v".repeat(65), "1.0\u0000", "1.ă"]
  ) {
    assert.deepEqual(problems(config({ version })), [VERSION], JSON.stringify(version));
  }
  assert.equal(
    validateConfig(config({ version: "v".repeat(64) }), "p", {}).iflow.version.length,
    64,
  );
  assert.equal(
    validateConfig(config({ version: "2.0.1-rc1+b7" }), "p", {}).iflow.version,
    "2.0.1-rc1+b7",
  );
});

Deno.test("hostile config: a short token is refused, from the file or from PONTAJ_IFLOW_TOKEN", () => {
  assert.deepEqual(problems(config({ accessToken: "123456789012345" })), [
    `p.json: iflow.accessToken: ${SHORT}`,
  ]);
  const env = problems(config({}), { PONTAJ_IFLOW_TOKEN: "short-env" });
  assert.deepEqual(env, [`PONTAJ_IFLOW_TOKEN (replaces iflow.accessToken in p.json): ${SHORT}`]);
  assert.ok(!env.join("\n").includes("short-env"));
  const c = validateConfig(config({ accessToken: "x" }), "p", { PONTAJ_IFLOW_TOKEN: TOKEN });
  assert.equal(c.iflow.accessToken, TOKEN);
});

Deno.test("hostile config: deep nesting, huge and non-regular files are one clear line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-hostile-config-" });
  try {
    const deep = `${dir}/deep.json`;
    await Deno.writeTextFile(deep, `{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    const big = `${dir}/big.json`;
    await Deno.writeTextFile(big, `{"timezone":"UTC"}${" ".repeat(2 * 1024 * 1024)}`);
    const expected: [string, string][] = [
      [
        deep,
        `${deep}: nested deeper than ${MAX_JSONC_DEPTH} levels at line 1 (a config is a few levels deep)`,
      ],
      [
        big,
        `${big}: too large (${
          2 * 1024 * 1024 + 18
        } bytes); a config file may have at most ${MAX_CONFIG_BYTES} bytes`,
      ],
      ["/dev/zero", "/dev/zero: not a regular file"],
      [dir, `${dir}: not a regular file`],
    ];
    for (const [path, line] of expected) {
      await assert.rejects(loadConfig(path, {}), (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.deepEqual(err.problems, [line]);
        return true;
      });
    }
    // Nesting at the limit still parses (and then fails on the unknown key).
    const ok = `${dir}/ok.json`;
    const inner = `${"[".repeat(MAX_JSONC_DEPTH - 1)}${"]".repeat(MAX_JSONC_DEPTH - 1)}`;
    await Deno.writeTextFile(ok, `{"x":${inner}}`);
    await assert.rejects(loadConfig(ok, {}), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.problems.join("\n"), /x: unknown key/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hostile config: check-config exits 2 with the one line, in a child process, small", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-hostile-cli-" });
  try {
    const write = async (name: string, text: string) => {
      await Deno.writeTextFile(`${dir}/${name}`, text);
      return `${dir}/${name}`;
    };
    const good = config({});
    const cases: [string, RegExp][] = [
      [
        await write("deep.json", `{"x":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`),
        /: nested deeper than 64 levels at line 1/,
      ],
      [await write("big.json", " ".repeat(2 * 1024 * 1024)), /: too large \(2097152 bytes\)/],
      ["/dev/zero", /^\/dev\/zero: not a regular file$/],
      [
        await write("http.json", JSON.stringify(config({ url: "http://iflow.example/api/x" }))),
        /: iflow\.url: http:\/\/ would send the access token in clear/,
      ],
      [
        await write(
          "userinfo.json",
          JSON.stringify(config({ url: "https://u:pw@iflow.example/a" })),
        ),
        /: iflow\.url: must not contain a user name or password/,
      ],
      [
        await write("version.json", JSON.stringify(config({ version: "1\r\nX-Injected: yes" }))),
        /: iflow\.version: expected a plain version/,
      ],
      [
        await write("token.json", JSON.stringify(config({ accessToken: "12345" }))),
        /: iflow\.accessToken: too short/,
      ],
      [await write("good.json", JSON.stringify(good)), /^$/],
    ];
    for (const [path, re] of cases) {
      const run = await runMeasured(
        Deno.execPath(),
        ["run", "-A", MAIN, "check-config", path],
        60_000,
      );
      const ctx = `${path}: exit ${run.code}, peak ${run.peakKiB} KiB, stderr ${
        run.stderr.slice(0, 400)
      }`;
      assert.equal(run.timedOut, false, ctx);
      assert.ok(run.peakKiB < 150 * 1024, ctx);
      if (path.endsWith("good.json")) {
        assert.equal(run.code, 0, ctx);
        continue;
      }
      assert.equal(run.code, 2, ctx);
      const lines = run.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, ctx);
      assert.ok(lines[0]!.startsWith(path), ctx);
      assert.match(lines[0]!, re, ctx);
      assert.ok(!run.stderr.includes("12345") && !run.stderr.includes(TOKEN), ctx);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
