/**
 * Shared harness of the reliability suite: simulated readers of every
 * implemented kind (the demo's table), unique card tags and the employees the
 * iFlow simulator knows them by, the agent as a real child process whose JSON
 * log is read for acknowledgements, `cli export`, and the delivery invariants.
 *
 * A reader kind joins every test here by joining `demoReaders()` in
 * `service/demo/sim_readers.ts`: a config entry plus `tap(tag)`.
 *
 * @module
 */

import { type DemoReader, demoReaders } from "../../service/demo/sim_readers.ts";
import type { SimEmployee } from "../../service/iflow/sim/model.ts";
import type { StatusSnapshot } from "../../service/status/snapshot.ts";
import { type Ack, type ExportedRow, isUnknownTag, UNKNOWN_TAG_BASE } from "./delivery.ts";
import { bridgeReaders } from "./sim_bridge.ts";
import type { FuzzResult } from "./fixtures/fuzz_child.ts";
import { DENO_JSON, START_FLAGS } from "../support/start_flags.ts";
import { freePort } from "../service/agent/harness.ts";

export { type Ack, type ExportedRow, isUnknownTag };

/** Path of the agent's entry point (`deno task start` = `deno run -A service/main.ts run`). */
export const AGENT_MAIN: string = new URL("../../service/main.ts", import.meta.url).pathname;
/** The same agent plus test-only layers from the environment (bridged simulators, fault fs). */
export const AGENT_ENTRY: string = new URL("./fixtures/agent_entry.ts", import.meta.url).pathname;
/** The repository's deno.json (children run with it, wherever the cwd is), and `deno task start`'s flags. */
export { DENO_JSON, START_FLAGS };

const FUZZ_CHILD = new URL("./fixtures/fuzz_child.ts", import.meta.url).pathname;

/** What the fuzz child printed (one JSON result per target), whether it exited 0, and its stderr. */
export interface FuzzRun {
  /** One line per target, parsed. */
  results: FuzzResult[];
  /** The child exited 0. */
  ok: boolean;
  /** The child's stderr. */
  err: string;
  /** The child's stdout. */
  out: string;
}

/** Runs every fuzz target in a child with a capped heap (unbounded growth would crash it). */
export async function runFuzzChild(inputs: number, seed: number): Promise<FuzzRun> {
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      DENO_JSON,
      "--v8-flags=--expose-gc,--max-old-space-size=192",
      FUZZ_CHILD,
      "--inputs",
      String(inputs),
      "--seed",
      String(seed),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(child.stdout);
  const results = out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as FuzzResult);
  return { results, ok: child.success, err: new TextDecoder().decode(child.stderr), out };
}

/** A simulated reader: its config entry and `tap(tag)` (see `DemoReader`). */
export type SimReader = DemoReader;

/** Simulated readers ready for an agent child process. */
export interface SimReaderSet {
  /** The readers the agent can read (one per implemented kind). */
  readers: SimReader[];
  /** Environment the agent child needs (bridged simulated kernel layers). */
  env: Record<string, string>;
  /** Readers that could not be bridged to another process, with why. */
  skipped: string[];
  /** Closes every simulator. */
  close(): Promise<void>;
}

/**
 * One simulated reader of every implemented kind (`demoReaders()`), made
 * readable from an agent in a child process (see `sim_bridge.ts`).
 */
export async function openSimReaders(): Promise<SimReaderSet> {
  const all = await demoReaders();
  const b = bridgeReaders(all);
  return {
    ...b,
    close: async () => {
      for (const r of all) await r.close().catch(() => {});
    },
  };
}

/** Name of a reader (from its config entry). */
export function readerName(r: SimReader): string {
  return r.config.name;
}

// Tags stay below 2^24: a Wiegand 26-bit card carries 24 bits of id (facility, card).
const KNOWN_BASE = 1_000_000;

/** The dec10 tag of the `i`-th known card (an employee of the simulated iFlow). */
export function knownTag(i: number): string {
  return String(KNOWN_BASE + i).padStart(10, "0");
}

/** The dec10 tag of the `i`-th unknown card (iFlow rejects it). */
export function unknownTag(i: number): string {
  return String(UNKNOWN_TAG_BASE + i).padStart(10, "0");
}

/** `count` employees owning `knownTag(0 .. count-1)`, each card used once (no overlaps, no duplicates). */
export function employeesFor(count: number): SimEmployee[] {
  const out: SimEmployee[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      id: String(100_000 + i),
      fullName: `Card ${i}`,
      rfid: knownTag(i),
      from: "2020-01-01",
    });
  }
  return out;
}

/** The agent config the reliability tests run: small segments, fast backoff. */
export function agentConfig(
  journalDir: string,
  iflowUrl: string,
  token: string,
  readers: SimReader[],
  iflow: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    timezone: "Europe/Bucharest",
    journal: { dir: journalDir, segmentBytes: 4096, archive: true },
    iflow: {
      url: iflowUrl,
      accessToken: token,
      backoffBaseMs: 20,
      backoffCapMs: 250,
      reconnectJitterMs: 100,
      timeoutMs: 800,
      pollMs: 100,
      batchSize: 10,
      ...iflow,
    },
    readers: readers.map((r) => r.config),
    debounceMs: 2000, // tags are unique per tap: only a card still in an RC522's field is debounced
    status: { listen: `127.0.0.1:${freePort()}` }, // a config file must name a real port
    log: { level: "info" },
    ...extra,
  };
}

/** Writes `config` as JSONC into `path`. */
export async function writeConfig(path: string, config: Record<string, unknown>): Promise<void> {
  await Deno.writeTextFile(path, `// reliability suite\n${JSON.stringify(config, null, 2)}\n`);
}

/** Options of {@link AgentChild}. */
export interface AgentChildOptions {
  /** Config file. */
  configPath: string;
  /**
   * Entry script, run as `deno run -A <entry> run --config FILE`; default
   * {@link AGENT_MAIN} when `env` is empty, else {@link AGENT_ENTRY}.
   */
  entry?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Called for every JSON log line. */
  onLog?: (line: Record<string, unknown>) => void;
  /** Which start this is (recorded in its acks). */
  run?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The agent as a child process, its stderr log parsed line by line. */
export class AgentChild {
  /** The process. */
  readonly child: Deno.ChildProcess;
  /** Epoch ms at spawn. */
  readonly spawnedAt: number = Date.now();
  /** Scans acknowledged, in log order. */
  readonly acks: Ack[] = [];
  /** Status base URL, once logged. */
  statusUrl: string | null = null;
  /** Reader names logged online (each "reader online" line). */
  readonly online: Set<string> = new Set();
  /** Epoch ms (log ts) when the last reader went online. */
  onlineAt: number | null = null;
  /** Log lines seen. */
  lines = 0;
  /** The last 300 stderr lines (for failure messages). */
  readonly tail: string[] = [];
  /** Error-level messages seen. */
  readonly errors: string[] = [];
  /** How often each log message was seen. */
  readonly messages: Map<string, number> = new Map();
  /** Resolves with the exit status once stderr is drained. */
  readonly exited: Promise<Deno.CommandStatus>;
  #exit: Deno.CommandStatus | null = null;
  readonly #onLog?: (line: Record<string, unknown>) => void;
  readonly #run: number;

  /** Spawns `deno run -A <START_FLAGS> <entry> run --config <configPath>`. */
  constructor(opts: AgentChildOptions) {
    this.#onLog = opts.onLog;
    this.#run = opts.run ?? 0;
    const env = opts.env ?? {};
    const entry = opts.entry ?? (Object.keys(env).length > 0 ? AGENT_ENTRY : AGENT_MAIN);
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        ...START_FLAGS,
        "--config",
        DENO_JSON,
        entry,
        "run",
        "--config",
        opts.configPath,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env,
    }).spawn();
    const drained = this.#readLog();
    this.exited = Promise.all([this.child.status, drained]).then(([s]) => (this.#exit = s));
  }

  /** True once the process has exited. */
  get dead(): boolean {
    return this.#exit !== null;
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid;
  }

  async #readLog(): Promise<void> {
    let rest = "";
    const dec = new TextDecoder();
    for await (const chunk of this.child.stderr) {
      rest += dec.decode(chunk, { stream: true });
      let nl;
      while ((nl = rest.indexOf("\n")) >= 0) {
        this.#line(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    }
    if (rest) this.#line(rest);
  }

  #line(text: string): void {
    this.lines++;
    this.tail.push(text);
    if (this.tail.length > 300) this.tail.shift();
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text);
    } catch {
      return;
    }
    const msg = o.msg;
    if (msg === "scan journaled") {
      this.acks.push({
        seq: Number(o.seq),
        tag: String(o.rfidTag),
        reader: String(o.reader),
        run: this.#run,
      });
    } else if (msg === "status: listening") this.statusUrl = String(o.url);
    else if (msg === "reader online") {
      for (const n of (o.readers as string[] | undefined) ?? []) this.online.add(n);
      this.onlineAt = Date.parse(String(o.ts));
    }
    if (o.level === "error") this.errors.push(String(msg));
    this.messages.set(String(msg), (this.messages.get(String(msg)) ?? 0) + 1);
    this.#onLog?.(o);
  }

  /** Waits until the status server is up and `readers` readers are online; throws if it dies. */
  async waitReady(readers: number, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.statusUrl === null || this.online.size < readers) {
      if (this.dead) throw new Error(`agent exited while starting:\n${this.tail.join("\n")}`);
      if (Date.now() > end) {
        throw new Error(`agent not ready in ${timeoutMs} ms:\n${this.tail.join("\n")}`);
      }
      await sleep(10);
    }
  }

  /** `/health` as JSON, or null when the agent does not answer. */
  async health(): Promise<StatusSnapshot | null> {
    if (this.statusUrl === null || this.dead) return null;
    try {
      const res = await fetch(`${this.statusUrl}/health`, { signal: AbortSignal.timeout(5000) });
      return (await res.json()) as StatusSnapshot;
    } catch {
      return null;
    }
  }

  /** Resident set size now and its peak (VmRSS, VmHWM), KiB; null when gone. */
  rss(): { rssKiB: number; peakKiB: number } | null {
    try {
      const s = Deno.readTextFileSync(`/proc/${this.pid}/status`);
      const rss = /VmRSS:\s+(\d+)/.exec(s);
      const hwm = /VmHWM:\s+(\d+)/.exec(s);
      if (!rss || !hwm) return null;
      return { rssKiB: Number(rss[1]), peakKiB: Number(hwm[1]) };
    } catch {
      return null;
    }
  }

  /** SIGKILL, then waits for the exit. */
  async kill(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.exited;
  }

  /** SIGTERM (clean stop), then the exit status. */
  async stop(): Promise<Deno.CommandStatus> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // already gone
    }
    return await this.exited;
  }
}

/** Polls `cond` every `everyMs` until true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  everyMs = 25,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Runs the CLI (`deno run -A service/main.ts ...args`) to completion. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, AGENT_MAIN, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env,
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** `cli export --config FILE` parsed (throws when the command fails). */
export async function exportRows(configPath: string): Promise<ExportedRow[]> {
  const r = await runCli(["export", "--config", configPath]);
  if (r.code !== 0) throw new Error(`cli export failed (${r.code}): ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l.trim() !== "").map((l) =>
    JSON.parse(l) as ExportedRow
  );
}

/** Prints a figures table (name, value) to stdout. */
export function printFigures(title: string, figures: Record<string, string | number>): void {
  const w = Math.max(...Object.keys(figures).map((k) => k.length));
  console.log(`\n${title}`);
  for (const [k, val] of Object.entries(figures)) console.log(`  ${k.padEnd(w)}  ${val}`);
}
