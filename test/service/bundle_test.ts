import assert from "node:assert/strict";
import { encodeAsciiFrame } from "../../driver/ascii/mod.ts";
import { openPty } from "../../driver/serial/mod.ts";
import { DEMO_TOKEN } from "../../service/iflow/sim/model.ts";
import { startIflowSimulator } from "../../service/iflow/sim/simulator.ts";
import denoJson from "../../deno.json" with { type: "json" };
import { eventually, freePort } from "./agent/harness.ts";

// `deno compile` needs Deno's runtime download, which CI cannot reach; the
// bundle is the same single-file program, so it is what we run here: with
// `--help`, as the agent under exactly the compile task's permissions, and
// the demo.

const ROOT = new URL("../../", import.meta.url).pathname;

/** The `--allow-*` flags of the compile task, with the install paths moved to `dir`. */
function compilePermissions(dir: string): string[] {
  const first = denoJson.tasks.compile.split("&&")[0]!;
  return first.split(/\s+/).filter((a) => a.startsWith("--allow-")).map((a) =>
    a.replaceAll("/var/lib/pontaj", `${dir}/state`).replaceAll("/etc/pontaj", `${dir}/etc`)
  );
}

async function bundle(entry: string, out: string): Promise<void> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "deno", "-o", out, `${ROOT}${entry}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
}

Deno.test("bundle of the agent runs --help and the agent under the compile permissions", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-bundle-" });
  await Deno.mkdir(`${dir}/etc`);
  await Deno.mkdir(`${dir}/state`);
  const sim = await startIflowSimulator({ port: 0 });
  const pty = openPty();
  const js = `${dir}/pontaj.js`;
  try {
    await bundle("service/main.ts", js);
    const perms = compilePermissions(dir);
    assert.ok(perms.includes("--allow-ffi") && perms.some((p) => p.startsWith("--allow-write=")));
    const help = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...perms, js, "--help"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(help.code, 0, new TextDecoder().decode(help.stderr));
    assert.match(new TextDecoder().decode(help.stdout), /Commands:\n {2}run /);

    const statusPort = freePort();
    await Deno.writeTextFile(
      `${dir}/etc/pontaj.json`,
      JSON.stringify({
        journal: { dir: `${dir}/state/journal` },
        iflow: { url: sim.url, reconnectJitterMs: 0, pollMs: 100 },
        readers: [{ name: "gate", kind: "ascii", port: pty.path }],
        status: { listen: `127.0.0.1:${statusPort}` },
      }),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...perms, js, "run", "--config", `${dir}/etc/pontaj.json`],
      env: { PONTAJ_IFLOW_TOKEN: DEMO_TOKEN },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    try {
      await eventually(async () => {
        try {
          const h = await (await fetch(`http://127.0.0.1:${statusPort}/health`)).json();
          return h.readers[0].state === "online";
        } catch {
          return false;
        }
      }, "bundled agent online");
      await pty.master.write(encodeAsciiFrame(0x003b51c6n));
      await eventually(() => sim.stored().length === 1, "scan delivered by the bundled agent");
      assert.equal(sim.stored()[0]!.rfidTag, "0003887558");
    } finally {
      child.kill("SIGTERM");
    }
    assert.equal((await child.status).code, 0, await stderr);
  } finally {
    await pty.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bundle of the demo runs a short demo and exits 0 by itself", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-bundle-" });
  try {
    await bundle("service/demo.ts", `${dir}/demo.js`);
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${dir}/demo.js`, "--quick"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, out + new TextDecoder().decode(r.stderr));
    assert.match(out, /still pending {7}0/);
    assert.match(out, /debounced {11}1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
