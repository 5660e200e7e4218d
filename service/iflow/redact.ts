/**
 * Keeps the device access token out of logs, errors and status output.
 *
 * @module
 */

import { type Logger, type LogLevel, logsAt, REDACTED, redactSecrets } from "../log.ts";

export { REDACTED };
export type { Logger, LogLevel };

/** Replaces the value of every `access_token` query parameter in `text` with `***`. */
export function redactUrl(text: string): string {
  return redactSecrets(text, []);
}

/** Tokens shorter than this are only scrubbed after `access_token=` (scrubbing every
 * occurrence of a 1–5 character string would mangle ordinary text). */
export const MIN_SCRUB_LENGTH = 6;

/**
 * Returns a function that scrubs `token` (raw and URL-encoded, when at least
 * {@link MIN_SCRUB_LENGTH} characters) and any `access_token=` value from a string.
 */
export function makeRedactor(token: string): (text: string) => string {
  const secrets = token.length >= MIN_SCRUB_LENGTH ? [token] : [];
  return (text: string): string => redactSecrets(text, secrets);
}

/** Scrubs every string inside `value` (objects and arrays copied) with `redact`. */
export function redactDeep(value: unknown, redact: (s: string) => string, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  if (value instanceof Error) return redact(`${value.name}: ${value.message}`);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact, depth + 1);
  return out;
}

/**
 * Wraps `logger` so nothing it receives can contain `token`. Lines below the
 * logger's `level` are dropped before they are scrubbed.
 */
export function redactingLogger(logger: Logger, token: string): Logger {
  const redact = makeRedactor(token);
  const wrapped = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (!logsAt(logger, level)) return;
    logger(
      level,
      redact(msg),
      fields === undefined ? undefined : redactDeep(fields, redact) as Record<string, unknown>,
    );
  };
  return logger.level === undefined ? wrapped : Object.assign(wrapped, { level: logger.level });
}
