/**
 * The iFlow simulator as a child process for `bench/sync_bench.ts`, and what
 * it says about its own pace: the delay it really applied before each reply
 * (a 1 ms timer fires late) and its own time per request (from the handler's
 * `/__sim/stats` counters), plus its CPU time.
 *
 * @module
 */

/** The simulator's figures over one phase of a bench run (differences of its counters). */
export interface SimPhase {
  /** Offline requests it answered. */
  batches: number;
  /** Mean delay really applied before a reply, ms. */
  delayMs: number;
  /** Mean handler time apart from the delay, ms. */
  serviceMs: number;
  /** The simulator process's CPU time, ms (10 ms resolution). */
  cpuMs: number;
}

/** The counters of `/__sim/stats` a phase needs. */
interface SimStats {
  offline: number;
  delayedMs: number;
  serviceMs: number;
}

/** A simulator running in a child process. */
export interface SimChild {
  /** Its offline endpoint. */
  url: string;
  /** Starts a phase; the returned function ends it with the phase's figures. */
  phase(): Promise<() => Promise<SimPhase>>;
  /** Stops it. */
  close(): Promise<void>;
}

/** CPU time (user + system, all threads) of process `pid` so far, ms; 10 ms resolution. */
export function procCpuMs(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10; // utime, stime in USER_HZ (100/s) ticks
}

/** Options of {@link startSimChild}. */
export interface SimChildOptions {
  /** deno.json of the project. */
  config: string;
  /** Directory for the employees file. */
  dir: string;
  /** Registered token. */
  token: string;
  /** Employees: id, name, card code. */
  employees: { id: string; fullName: string; rfid: string; from: string }[];
  /** Delay before every reply, ms (0: none). */
  latencyMs: number;
}

/** Starts `cli iflow-sim` in a child process on a free loopback port. */
export async function startSimChild(o: SimChildOptions): Promise<SimChild> {
  const file = `${o.dir}/employees.json`;
  await Deno.writeTextFile(file, JSON.stringify(o.employees));
  const cli = new URL("../service/iflow/sim/cli.ts", import.meta.url).href;
  const args = ["--port", "0", "--employees", file, "--token", o.token];
  if (o.latencyMs > 0) args.push("--latency", String(o.latencyMs));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--config",
      o.config,
      `import { runIflowSim } from "${cli}"; Deno.exit(await runIflowSim(${
        JSON.stringify(args)
      }));`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/offline: \S+\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`simulator did not start: ${text}`);
    text += value;
  }
  const url = /offline: (\S+)/.exec(text)![1]!;
  const statsUrl = `${new URL(url).origin}/__sim/stats`;
  const stats = async (): Promise<SimStats> => await (await fetch(statsUrl)).json();
  return {
    url,
    phase: async () => {
      const s0 = await stats();
      const c0 = procCpuMs(child.pid);
      return async () => {
        const cpuMs = procCpuMs(child.pid) - c0;
        const s1 = await stats();
        const batches = s1.offline - s0.offline;
        const per = (a: number, b: number) => batches > 0 ? (b - a) / batches : 0;
        return {
          batches,
          delayMs: per(s0.delayedMs, s1.delayedMs),
          serviceMs: per(s0.serviceMs, s1.serviceMs),
          cpuMs,
        };
      };
    },
    close: async () => {
      child.kill("SIGTERM");
      while (!(await reader.read()).done) { /* drain */ }
      await child.status;
    },
  };
}
