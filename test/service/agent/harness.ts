/**
 * Test harness for the agent as a real child process: a config in a temp
 * dir, simulated readers on real ptys, the iFlow simulator on loopback.
 *
 * @module
 */

import { openPty, type Pty } from "../../../driver/serial/mod.ts";

const MAIN = new URL("../../../service/main.ts", import.meta.url).pathname;

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A running agent child process. */
export class AgentProcess {
  readonly child: Deno.ChildProcess;
  readonly logs: Record<string, unknown>[] = [];
  readonly stderrText: string[] = [];
  readonly #done: Promise<void>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
      env,
    }).spawn();
    this.#done = this.#readLogs();
    this.child.stdout.cancel();
  }

  async #readLogs(): Promise<void> {
    const dec = new TextDecoderStream();
    let rest = "";
    for await (const chunk of this.child.stderr.pipeThrough(dec)) {
      rest += chunk;
      let nl;
      while ((nl = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        this.stderrText.push(line);
        try {
          this.logs.push(JSON.parse(line));
        } catch { /* not JSON */ }
      }
    }
  }

  /** Waits until a log line matches (or the process exits / time runs out). */
  async waitForLog(
    pred: (l: Record<string, unknown>) => boolean,
    timeoutMs = 20_000,
  ): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const hit = this.logs.find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`log line not seen in ${timeoutMs} ms; stderr:\n${this.stderrText.join("\n")}`);
  }

  /** Sends `signal` and waits for the exit status. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    try {
      this.child.kill(signal);
    } catch { /* already gone */ }
    return await this.wait();
  }

  /** Waits for the process to exit. */
  async wait(): Promise<Deno.CommandStatus> {
    const status = await this.child.status;
    await this.#done;
    return status;
  }
}

/** Runs the CLI to completion. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env,
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * A pty behind a stable path (a symlink, like /dev/serial/by-id/…), so a
 * reader can be "unplugged" (pty closed) and "plugged back" (a new pty behind
 * the same path).
 */
export class PluggablePort {
  readonly path: string;
  pty: Pty;

  constructor(path: string) {
    this.path = path;
    this.pty = openPty();
    Deno.symlinkSync(this.pty.path, path);
  }

  /** Closes the pty: the reader sees a hang-up. */
  async unplug(): Promise<void> {
    await this.pty.close();
    Deno.removeSync(this.path);
  }

  /** A new pty behind the same path. */
  plug(): void {
    this.pty = openPty();
    Deno.symlinkSync(this.pty.path, this.path);
  }

  async close(): Promise<void> {
    await this.pty.close();
    try {
      Deno.removeSync(this.path);
    } catch { /* gone */ }
  }
}

/** Polls `cond` until true or the time runs out. */
export async function eventually(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}
