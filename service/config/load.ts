/**
 * Loading the config file: JSON or JSONC, the token from `PONTAJ_IFLOW_TOKEN`
 * when set, validation, and one human message per problem naming the file,
 * the key path and what is expected. The CLI exits with code 2 on a
 * {@link ConfigError}.
 *
 * @module
 */

import { ConfigError, readConfigFile, TOO_DEEP } from "./read.ts";
import { type Config, ConfigSchema } from "./schema.ts";
import { applyStatusTokenEnv, STATUS_TOKEN_ENV, statusTokenFromEnv } from "../status/config.ts";

/** Environment variable that overrides `iflow.accessToken`. */
export const TOKEN_ENV = "PONTAJ_IFLOW_TOKEN";

export { ConfigError, MAX_CONFIG_BYTES } from "./read.ts";

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
  let obj: Record<string, unknown>;
  try {
    obj = structuredClone(raw) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof RangeError) throw new ConfigError([`${file}: ${TOO_DEEP}`]);
    throw err;
  }
  const token = env[TOKEN_ENV];
  if (token) {
    const iflow = obj.iflow;
    if (iflow === undefined) obj.iflow = { accessToken: token };
    else if (typeof iflow === "object" && iflow !== null && !Array.isArray(iflow)) {
      (iflow as Record<string, unknown>).accessToken = token;
    }
  }
  applyStatusTokenEnv(obj, STATUS_TOKEN_ENV in env ? env[STATUS_TOKEN_ENV] : statusTokenFromEnv());
  const result = ConfigSchema.safeParse(obj);
  if (!result.success) {
    const lines = renderIssues(file, result.error.issues);
    // A bad token from the environment is the variable's fault, not the file's.
    const fromEnv = `${file}: iflow.accessToken: `;
    throw new ConfigError(
      token
        ? lines.map((l) =>
          l.startsWith(fromEnv)
            ? `${TOKEN_ENV} (replaces iflow.accessToken in ${file}): ${l.slice(fromEnv.length)}`
            : l
        )
        : lines,
    );
  }
  return result.data;
}

/** Reads, parses and validates the config file at `path`. */
export async function loadConfig(
  path: string,
  env: Record<string, string | undefined> = { [TOKEN_ENV]: Deno.env.get(TOKEN_ENV) },
): Promise<Config> {
  const raw = await readConfigFile(path);
  try {
    return validateConfig(raw, path, env);
  } catch (err) {
    if (err instanceof RangeError) throw new ConfigError([`${path}: ${TOO_DEEP}`]);
    throw err;
  }
}
