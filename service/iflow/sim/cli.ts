/**
 * `deno task cli iflow-sim`: runs the iFlow simulator until SIGINT/SIGTERM.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseEmployees, type SimEmployee } from "./model.ts";
import { type SimFaults, startIflowSimulator } from "./simulator.ts";

const USAGE = `Usage: iflow-sim [options]

Runs a local iFlow (both endpoints) on 127.0.0.1.

Options:
  --port N               TCP port (default 8088; 0 = any free port)
  --employees FILE       employees JSON: [{id, fullName, rfid, from, to?}] (default: demo employees)
  --token T              registered device token (repeatable; default: the demo token)
  --error-rate R         fraction of requests answered 5xx with an HTML body
  --hang-rate R          fraction of requests never answered
  --reset-rate R         fraction of requests dropped before any processing
  --lost-reply-rate R    fraction of requests stored, then the connection dropped
  --max-url N            reply 414 to URLs longer than N bytes
  --latency MS           delay before every reply
  --latency-jitter MS    extra random delay up to MS
  --retry-after S        send Retry-After: S with injected errors
  --fault-scope S        endpoints the faults hit: both | offline | live (default both)
  --auth-style S         how an unknown token is refused: json | 401 | 403 (default json)
  --seed N               seed of the fault generator (default 1)
  --help                 this text
`;

function rate(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new Error(`--${name}: expected 0..1, got "${v}"`);
  }
  return n;
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`--${name}: expected an integer ≥ 0, got "${v}"`);
  }
  return n;
}

/**
 * Entry point of `cli iflow-sim`: parses `args`, starts the simulator, prints
 * its URLs and waits for SIGINT/SIGTERM. Resolves with the exit code (2 on bad
 * arguments).
 */
export async function runIflowSim(
  args: string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  let sim;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        port: { type: "string" },
        employees: { type: "string" },
        token: { type: "string", multiple: true },
        "error-rate": { type: "string" },
        "hang-rate": { type: "string" },
        "reset-rate": { type: "string" },
        "lost-reply-rate": { type: "string" },
        "max-url": { type: "string" },
        latency: { type: "string" },
        "latency-jitter": { type: "string" },
        "retry-after": { type: "string" },
        "auth-style": { type: "string" },
        "fault-scope": { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean" },
      },
    });
    if (values.help) {
      out(USAGE);
      return 0;
    }
    let employees: SimEmployee[] | undefined;
    if (values.employees !== undefined) {
      let text: string;
      try {
        text = await Deno.readTextFile(values.employees);
      } catch (err) {
        throw new Error(`--employees ${values.employees}: ${(err as Error).message}`);
      }
      try {
        employees = parseEmployees(JSON.parse(text));
      } catch (err) {
        throw new Error(`--employees ${values.employees}: ${(err as Error).message}`);
      }
    }
    const authStyle = values["auth-style"];
    if (authStyle !== undefined && !["json", "401", "403"].includes(authStyle)) {
      throw new Error(`--auth-style: expected json, 401 or 403, got "${authStyle}"`);
    }
    const scope = values["fault-scope"];
    if (scope !== undefined && !["both", "offline", "live"].includes(scope)) {
      throw new Error(`--fault-scope: expected both, offline or live, got "${scope}"`);
    }
    const faults: SimFaults = {
      scope: scope as SimFaults["scope"],
      errorRate: rate("error-rate", values["error-rate"]),
      hangRate: rate("hang-rate", values["hang-rate"]),
      resetRate: rate("reset-rate", values["reset-rate"]),
      lostReplyRate: rate("lost-reply-rate", values["lost-reply-rate"]),
      maxUrlBytes: int("max-url", values["max-url"]),
      latencyMs: int("latency", values.latency),
      latencyJitterMs: int("latency-jitter", values["latency-jitter"]),
      retryAfterSec: int("retry-after", values["retry-after"]),
      authStyle: authStyle as SimFaults["authStyle"],
    };
    const port = int("port", values.port) ?? 8088;
    sim = await startIflowSimulator({
      port,
      tokens: values.token,
      employees,
      faults,
      seed: int("seed", values.seed) ?? 1,
    });
  } catch (err) {
    console.error(`iflow-sim: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  out(`iflow-sim listening on ${sim.origin}`);
  out(`  offline: ${sim.url}`);
  out(`  live:    ${sim.liveUrl}`);
  out(`  inspect: ${sim.origin}/__sim/attendances`);
  const { promise, resolve } = Promise.withResolvers<void>();
  const onSignal = () => resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  await promise;
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
  await sim.close();
  out(`iflow-sim stopped (${sim.stored().length} attendances stored)`);
  return 0;
}
