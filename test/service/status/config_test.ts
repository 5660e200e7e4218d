import assert from "node:assert/strict";
import { ConfigError, validateConfig } from "../../../service/config/mod.ts";
import { agentFetch } from "../../../service/cli/agent_link.ts";
import { startStatusServer, STATUS_TOKEN_ENV } from "../../../service/status/mod.ts";
import { runCli } from "../agent/harness.ts";
import { healthySnapshot } from "./fixture.ts";

const TOKEN = "status-token-for-tests-0123456789";
const IFLOW = { accessToken: "iflow-token-0123456789abcdef" };

function problems(status: unknown, env: Record<string, string | undefined> = {}): string[] {
  try {
    validateConfig({ journal: { dir: "/tmp/j" }, iflow: IFLOW, status }, "c.json", {
      [STATUS_TOKEN_ENV]: undefined,
      ...env,
    });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
}

Deno.test("status config refuses listen addresses a server cannot bind", () => {
  for (const listen of ["0.0.0.0:99999", "127.0.0.1:0", "300.1.1.1:8780", "[::g]:80", "a..b:80"]) {
    const p = problems({ listen, token: TOKEN });
    assert.equal(p.length, 1, `${listen}: ${p}`);
    assert.match(p[0]!, /^c\.json: status\.listen: expected "host:port" .* port 1–65535/);
  }
  for (const listen of ["127.0.0.1:8780", "[::1]:1", "localhost:65535", "gate.local:8780"]) {
    assert.deepEqual(problems({ listen, token: TOKEN }), [], listen);
  }
});

Deno.test("status config: a listen that is not loopback needs a token, from the file or the env", () => {
  for (
    const listen of ["0.0.0.0:8780", ":8780", "192.168.1.5:8780", "[::]:8780", "gate.local:80"]
  ) {
    const p = problems({ listen });
    assert.equal(p.length, 1, listen);
    assert.match(
      p[0]!,
      /^c\.json: status\.token: required when status\.listen .* PONTAJ_STATUS_TOKEN/,
    );
    assert.deepEqual(problems({ listen, token: TOKEN }), []);
    assert.deepEqual(problems({ listen }, { [STATUS_TOKEN_ENV]: TOKEN }), []);
  }
  assert.deepEqual(problems({ listen: "127.0.0.1:8780" }), []);
  assert.deepEqual(problems({ listen: "[::1]:8780" }), []);
  assert.deepEqual(problems({ listen: "localhost:8780" }), []);
});

Deno.test("status config: PONTAJ_STATUS_TOKEN wins over the file; short or spaced tokens are refused", () => {
  const c = validateConfig(
    { journal: { dir: "/tmp/j" }, iflow: IFLOW, status: { token: "file-token-0123456789" } },
    "c.json",
    { [STATUS_TOKEN_ENV]: TOKEN },
  );
  assert.equal(c.status.token, TOKEN);
  const d = validateConfig({ journal: { dir: "/tmp/j" }, iflow: IFLOW }, "c.json", {
    [STATUS_TOKEN_ENV]: TOKEN,
  });
  assert.deepEqual(d.status, { listen: "127.0.0.1:8780", token: TOKEN, allowedHosts: [] });
  assert.match(problems({ token: "short" })[0]!, /status\.token: expected at least 16/);
  assert.match(problems({ token: "has a space in it 0123" })[0]!, /status\.token: .*printable/);
  assert.match(
    problems({ allowedHosts: ["gate.local:8780"] })[0]!,
    /status\.allowedHosts\[0\]: expected a host name/,
  );
  assert.deepEqual(
    validateConfig(
      { journal: { dir: "/tmp/j" }, iflow: IFLOW, status: { allowedHosts: ["Gate.Local"] } },
      "c.json",
      {
        [STATUS_TOKEN_ENV]: undefined,
      },
    ).status.allowedHosts,
    ["gate.local"],
  );
});

Deno.test("status config check-config exits 2 naming status.listen / status.token, 0 with the env token", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-status-cfg-" });
  try {
    const file = `${dir}/c.json`;
    const write = (listen: string) =>
      Deno.writeTextFile(
        file,
        JSON.stringify({ journal: { dir: `${dir}/j` }, iflow: IFLOW, status: { listen } }),
      );
    await write("0.0.0.0:99999");
    let r = await runCli(["check-config", file], { [STATUS_TOKEN_ENV]: TOKEN });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /c\.json: status\.listen: expected "host:port"/);
    await write("0.0.0.0:8780");
    r = await runCli(["check-config", file], { [STATUS_TOKEN_ENV]: "" });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /c\.json: status\.token: required when status\.listen \(0\.0\.0\.0:8780\)/,
    );
    r = await runCli(["check-config", file], { [STATUS_TOKEN_ENV]: TOKEN });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /status on 0\.0\.0\.0:8780/);
    assert.match(r.stdout, /status export and actions: bearer token \(set\)/);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(TOKEN));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("status config: the CLI sends the status token to the running agent", async () => {
  let reopened = 0;
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: healthySnapshot,
    token: TOKEN,
    actions: { retryRejected: () => ++reopened },
  });
  const dir = await Deno.makeTempDir({ prefix: "pontaj-status-cli-" });
  try {
    const listen = `127.0.0.1:${server.port}`;
    const without = await agentFetch({ listen }, "/actions/retry-rejected", { method: "POST" });
    assert.equal(without?.status, 401);
    await without?.body?.cancel();
    const withToken = await agentFetch({ listen, token: TOKEN }, "/actions/retry-rejected", {
      method: "POST",
    });
    assert.equal(withToken?.status, 200);
    assert.deepEqual(await withToken?.json(), { reopened: 1 });
    // The real CLI, the token from the environment.
    const file = `${dir}/c.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ journal: { dir: `${dir}/j` }, iflow: IFLOW, status: { listen } }),
    );
    const r = await runCli(["retry-rejected", "--config", file], { [STATUS_TOKEN_ENV]: TOKEN });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /2 rejected scan\(s\) are pending again \(through the running agent\)/);
    const refused = await runCli(["retry-rejected", "--config", file], { [STATUS_TOKEN_ENV]: "" });
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /the agent refused: HTTP 401/);
    assert.equal(reopened, 2);
    assert.equal(server.stats().unauthorized, 2);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
