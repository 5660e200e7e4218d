/**
 * The pontaj command line: `deno task start --config FILE` runs the agent,
 * `deno task cli <command>` does everything else.
 *
 * Exit codes: 0 done, 1 failed, 2 bad usage or bad config.
 *
 * @module
 */

import { type Command, err, EXIT, out, UsageError } from "./cli/command.ts";
import { PACKAGE_VERSION } from "./version.ts";

/**
 * One command in the list: its name and summary, and its module, loaded
 * only when it runs (or its `--help` is asked for), so `run` does not carry
 * the code of `decode`, `replay`, `iflow-sim` and the rest, and `export`
 * not the agent's.
 */
export interface CommandEntry {
  /** The word after `cli`. */
  name: string;
  /** One line for the command list (the command's own `summary`). */
  summary: string;
  /** Imports the command's module. */
  load(): Promise<Command>;
}

/** Every command, in help order. */
export const COMMANDS: CommandEntry[] = [
  {
    name: "run",
    summary: "run the agent in the foreground (deno task start --config FILE)",
    load: async () => (await import("./cli/run.ts")).runCommand,
  },
  {
    name: "status",
    summary: "show the agent's status (or the journal's, when the agent is not running)",
    load: async () => (await import("./cli/status.ts")).statusCommand,
  },
  {
    name: "export",
    summary: "export journaled scans with their state (jsonl or csv)",
    load: async () => (await import("./cli/export.ts")).exportCommand,
  },
  {
    name: "cards",
    summary: "export the cards learned from iFlow's answers (gates)",
    load: async () => (await import("./cli/cards.ts")).cardsCommand,
  },
  {
    name: "sync",
    summary: "push the journal's backlog to iFlow now (--once), then exit",
    load: async () => (await import("./cli/sync.ts")).syncCommand,
  },
  {
    name: "retry-rejected",
    summary: "make rejected scans pending again",
    load: async () => (await import("./cli/retry_rejected.ts")).retryRejectedCommand,
  },
  {
    name: "check-config",
    summary: "validate a config file",
    load: async () => (await import("./cli/check_config.ts")).checkConfigCommand,
  },
  {
    name: "decode",
    summary: "decode one captured frame and print it as JSON",
    load: async () => (await import("./cli/decode.ts")).decodeCommand,
  },
  {
    name: "capture",
    summary: "record a reader's raw traffic to a file (agent running or stopped)",
    load: async () => (await import("./cli/capture.ts")).captureCommand,
  },
  {
    name: "replay",
    summary: "replay a capture through the decoders (or into a pty as the reader)",
    load: async () => (await import("./cli/replay.ts")).replayCommand,
  },
  {
    name: "osdp",
    summary: "OSDP reader maintenance: rekey (new Secure Channel key; agent stopped)",
    load: async () => (await import("./cli/osdp.ts")).osdpCommand,
  },
  {
    name: "iflow-sim",
    summary: "run a local iFlow simulator (both endpoints, faults on demand)",
    load: async () => (await import("./cli/iflow_sim.ts")).iflowSimCommand,
  },
];

/** A `ConfigError` (from `config/load.ts`), told by shape so this module does not load the config code. */
function configProblems(e: unknown): string[] | null {
  if (!(e instanceof Error) || e.name !== "ConfigError") return null;
  const problems = (e as Error & { problems?: unknown }).problems;
  return Array.isArray(problems) ? problems.map(String) : null;
}

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
    out(topic ? (await topic.load()).usage : mainUsage());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === "--version") {
    out(PACKAGE_VERSION);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    err(`unknown command '${name}'\n`);
    err(mainUsage());
    return EXIT.usage;
  }
  const command = await entry.load();
  if (!command.ownHelp && (rest.includes("--help") || rest.includes("-h"))) {
    out(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    const problems = configProblems(e);
    if (problems) {
      for (const p of problems) err(p);
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
