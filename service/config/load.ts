/**
 * Loading the config file: JSON or JSONC, the token from `PONTAJ_IFLOW_TOKEN`
 * when set, validation, and one human message per problem naming the file,
 * the key path and what is expected. The CLI exits with code 2 on a
 * {@link ConfigError}.
 *
 * @module
 */

import { parseJsonc } from "./jsonc.ts";
import { type Config, ConfigSchema } from "./schema.ts";

/** Environment variable that overrides `iflow.accessToken`. */
export const TOKEN_ENV = "PONTAJ_IFLOW_TOKEN";

/** A config that cannot be used; `problems` has one line per problem. */
export class ConfigError extends Error {
  /** `FILE: key.path: what is expected`, one per problem. */
  readonly problems: string[];

  /** Creates an error listing `problems`. */
  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** `readers[0].rawLengths`: a key path as the messages print it. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  }
  return out || "(top level)";
}

/** The parts of a zod issue the messages use. */
export interface ConfigIssue {
  /** Zod's issue code. */
  readonly code: string;
  /** Key path of the problem. */
  readonly path: readonly PropertyKey[];
  /** Zod's message. */
  readonly message: string;
  /** Unknown keys (for `unrecognized_keys`). */
  readonly keys?: readonly string[];
  /** Expected type (for `invalid_type`). */
  readonly expected?: unknown;
}

/** Renders zod issues for humans, one line each, prefixed with `file`. */
export function renderIssues(file: string, issues: readonly ConfigIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const where = keyPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys ?? []) {
        const full = where === "(top level)" ? key : `${where}.${key}`;
        lines.push(
          `${file}: ${full}: unknown key (check the spelling; unknown keys are not allowed)`,
        );
      }
      continue;
    }
    let msg = issue.message.replace(/^Invalid input: /, "");
    if (issue.code === "invalid_type" && /received undefined/.test(msg)) {
      msg = `missing; expected ${String(issue.expected)}`;
    }
    lines.push(`${file}: ${where}: ${msg}`);
  }
  return lines;
}

/** Validates an already parsed config object (the token env applied first). */
export function validateConfig(
  raw: unknown,
  file = "config",
  env: Record<string, string | undefined> = { [TOKEN_ENV]: Deno.env.get(TOKEN_ENV) },
): Config {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError([`${file}: (top level): expected a JSON object`]);
  }
  const obj = structuredClone(raw) as Record<string, unknown>;
  const token = env[TOKEN_ENV];
  if (token) {
    const iflow = obj.iflow;
    if (iflow === undefined) obj.iflow = { accessToken: token };
    else if (typeof iflow === "object" && iflow !== null && !Array.isArray(iflow)) {
      (iflow as Record<string, unknown>).accessToken = token;
    }
  }
  const result = ConfigSchema.safeParse(obj);
  if (!result.success) throw new ConfigError(renderIssues(file, result.error.issues));
  return result.data;
}

/** Reads, parses and validates the config file at `path`. */
export async function loadConfig(
  path: string,
  env: Record<string, string | undefined> = { [TOKEN_ENV]: Deno.env.get(TOKEN_ENV) },
): Promise<Config> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : String(err);
    throw new ConfigError([`${path}: cannot read the config file (${why})`]);
  }
  let raw: unknown;
  try {
    raw = parseJsonc(text);
  } catch (err) {
    throw new ConfigError([`${path}: ${(err as Error).message}`]);
  }
  return validateConfig(raw, path, env);
}
