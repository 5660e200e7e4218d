/**
 * The pontaj command line: `deno task start --config FILE` runs the agent,
 * `deno task cli <command>` does everything else.
 *
 * Exit codes: 0 done, 1 failed, 2 bad usage or bad config.
 *
 * @module
 */

import { ConfigError } from "./config/mod.ts";
import { checkConfigCommand } from "./cli/check_config.ts";
import { type Command, err, EXIT, out, UsageError } from "./cli/command.ts";
import { decodeCommand } from "./cli/decode.ts";
import { replayCommand } from "./cli/replay.ts";
import { captureCommand } from "./cli/capture.ts";
import { exportCommand } from "./cli/export.ts";
import { cardsCommand } from "./cli/cards.ts";
import { iflowSimCommand } from "./cli/iflow_sim.ts";
import { osdpCommand } from "./cli/osdp.ts";
import { retryRejectedCommand } from "./cli/retry_rejected.ts";
import { runCommand } from "./cli/run.ts";
import { statusCommand } from "./cli/status.ts";
import { syncCommand } from "./cli/sync.ts";
import { PACKAGE_VERSION } from "./iflow/config.ts";

/** Every command, in help order. */
export const COMMANDS: Command[] = [
  runCommand,
  statusCommand,
  exportCommand,
  cardsCommand,
  syncCommand,
  retryRejectedCommand,
  checkConfigCommand,
  decodeCommand,
  captureCommand,
  replayCommand,
  osdpCommand,
  iflowSimCommand,
];

function mainUsage(): string {
  return [
    `pontaj ${PACKAGE_VERSION}: RFID readers -> durable journal -> iFlow`,
    "",
    "Usage: deno task cli <command> [options]   (deno task start --config FILE = run)",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(15)} ${c.summary}`),
    "",
    "Every command takes --help. Exit codes: 0 ok, 1 failed, 2 bad usage or config.",
  ].join("\n");
}

/** Runs the CLI with `args`; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    out(topic ? topic.usage : mainUsage());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === "--version") {
    out(PACKAGE_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    err(`unknown command '${name}'\n`);
    err(mainUsage());
    return EXIT.usage;
  }
  if (!command.ownHelp && (rest.includes("--help") || rest.includes("-h"))) {
    out(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) err(p);
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      err(`${command.name}: ${e.message}\n`);
      err(command.usage);
      return EXIT.usage;
    }
    err(`${command.name}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
