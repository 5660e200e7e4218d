/**
 * `cli run --config FILE` (= `deno task start --config FILE`): the agent in
 * the foreground until SIGTERM or SIGINT, then a clean stop and exit 0.
 *
 * @module
 */

import { Agent } from "../agent.ts";
import { loadConfig } from "../config/mod.ts";
import { createLogger } from "../log.ts";
import { configWarnings } from "../config/warnings.ts";
import { type Command, EXIT, parseCommandArgs, UsageError } from "./command.ts";

/** Resolves on the first SIGTERM or SIGINT. */
export function untilSignal(): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
    const handlers = signals.map((sig) => {
      const h = () => {
        signals.forEach((s, i) => Deno.removeSignalListener(s, handlers[i]!));
        resolve(sig);
      };
      Deno.addSignalListener(sig, h);
      return h;
    });
  });
}

/** The `run` command. */
export const runCommand: Command = {
  name: "run",
  summary: "run the agent in the foreground (deno task start --config FILE)",
  usage: [
    "Usage: deno task start --config FILE",
    "       deno task cli run --config FILE",
    "",
    "Runs the agent: reads every configured reader, journals each scan durably,",
    "syncs to iFlow, serves status on status.listen. Logs one JSON object per",
    "line on stderr. SIGTERM or SIGINT stops it cleanly (exit 0). Exit 2 on a",
    "bad config.",
  ].join("\n"),
  async run(args) {
    const { values } = parseCommandArgs(args, { config: { type: "string" } });
    if (!values.config) throw new UsageError("run needs --config FILE");
    const config = await loadConfig(values.config as string);
    const logger = createLogger({
      level: config.log.level,
      redact: [
        config.iflow.accessToken,
        ...(config.status.token ? [config.status.token] : []),
      ],
    });
    for (const w of configWarnings(config, values.config as string)) {
      logger("warn", "config warning", { warning: w });
    }
    const agent = await Agent.start(config, { logger });
    const sig = await untilSignal();
    logger("info", "signal received; stopping", { signal: sig });
    await agent.stop();
    return EXIT.ok;
  },
};
