/**
 * The shape of a CLI command, and small helpers every command shares.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseSince } from "../export_row.ts";

/** Exit codes: 0 done, 1 failed, 2 bad usage or bad config. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** One `deno task cli <name>` command. */
export interface Command {
  /** The word after `cli`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  usage: string;
  /** True when the command prints its own `--help`. */
  ownHelp?: boolean;
  /** Runs with the arguments after the command name; resolves with the exit code. */
  run(args: string[]): Promise<number>;
}

/** A usage problem: printed with the command's usage hint, exit 2. */
export class UsageError extends Error {
  /** Creates a usage error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** `parseArgs` in strict mode, turning its errors into {@link UsageError}s. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options, strict: true, allowPositionals });
    return {
      values: r.values as Record<string, string | boolean | undefined>,
      positionals: r.positionals,
    };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Parses a `--since DATE` option value to epoch ms (usage error when it is not a date). */
export function sinceOption(value: string | boolean | undefined): number | undefined {
  try {
    return parseSince(value as string | undefined);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Writes a line to stdout. */
export function out(line: string): void {
  console.log(line);
}

/** Writes a line to stderr. */
export function err(line: string): void {
  console.error(line);
}
