/**
 * The agent's logger: one JSON object per line on stderr, with levels, and
 * secrets (the iFlow access token) scrubbed from everything it writes.
 *
 * ```ts
 * import { createLogger } from "./log.ts";
 * const log = createLogger({ level: "info", redact: [token] });
 * log("info", "batch sent", { url, records: 50 });
 * // {"ts":"2025-03-01T07:58:02.113Z","level":"info","msg":"batch sent","url":"https://…?access_token=***","records":50}
 * ```
 *
 * @module
 */

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * The logger every part of the agent receives: `(level, msg, fields)`. Never
 * throws. `level`, when set, is the lowest level it writes: a caller may skip
 * building lines below it (see {@link logsAt}).
 */
export type Logger =
  & ((level: LogLevel, msg: string, fields?: Record<string, unknown>) => void)
  & { readonly level?: LogLevel };

/** The levels in order of severity. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** The text that replaces a secret. */
export const REDACTED = "***";

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written (default `info`). */
  level?: LogLevel;
  /** Secret strings to replace with `***` wherever they appear (empty strings are ignored). */
  redact?: readonly string[];
  /** Receives each line without its newline (default: written to stderr). */
  sink?: (line: string) => void;
  /** Clock for the `ts` field (default `Date.now`). */
  now?: () => number;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** True unless `logger` says it drops lines of `level` (a logger without `level` writes all). */
export function logsAt(logger: Logger, level: LogLevel): boolean {
  return logger.level === undefined || RANK[level] >= RANK[logger.level];
}
const RESERVED = new Set(["ts", "level", "msg"]);
/**
 * Longest string written in a log line (message or field), after scrubbing:
 * a last guard, since foreign text is clipped shorter where it enters.
 */
export const LOG_STRING_MAX = 1000;
const MAX_DEPTH = 8;
const ACCESS_TOKEN = /(access_token(?:=|%3D))(?:[^&\s"'<>)\]}%]|%(?!26))*/gi;

/** True when `value` names a log level. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && Object.hasOwn(RANK, value);
}

/** `\uXXXX` of a UTF-16 code unit, in `case`. */
function uEscape(code: number, upper: boolean): string {
  const hex = code.toString(16).padStart(4, "0");
  return `\\u${upper ? hex.toUpperCase() : hex}`;
}

/**
 * The spellings a secret can take in text that reaches a log: as given;
 * percent-encoded (`encodeURIComponent`, with lower-case hex too, and form
 * encoding with `+` for spaces); JSON-escaped (`JSON.stringify`'s, and PHP's
 * `json_encode` style with `\/` and `\uXXXX` for every non-ASCII character,
 * as iFlow would echo it).
 */
export function secretForms(secret: string): string[] {
  const pct = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  const php = (upper: boolean) =>
    json.replace(/\//g, "\\/").replace(/[^\u0020-\u007e]/g, (c) => uEscape(c.charCodeAt(0), upper));
  return [
    ...new Set([
      secret,
      pct,
      pct.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
      new URLSearchParams({ s: secret }).toString().slice(2),
      json,
      php(false),
      php(true),
    ]),
  ];
}

/**
 * Replaces every occurrence of each secret (in each of its {@link secretForms}) in `text`
 * with `***`, and the value of every `access_token=` parameter with `***`.
 *
 * @example
 * ```ts
 * redactSecrets("GET /a?access_token=abc&x=1 token abc", ["abc"]);
 * // "GET /a?access_token=***&x=1 token ***"
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secretScrubber(secrets)(text);
}

function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== "string" || s.length === 0) continue;
    for (const f of secretForms(s)) forms.add(f);
  }
  // Longest first, so a secret that contains another is replaced whole.
  const list = [...forms].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = text.replace(ACCESS_TOKEN, `$1${REDACTED}`);
    for (const f of list) if (out.includes(f)) out = out.split(f).join(REDACTED);
    return out;
  };
}

/** Turns any value into something JSON can hold, every string scrubbed. */
function clean(
  value: unknown,
  scrub: (s: string) => string,
  depth: number,
  seen: WeakSet<object>,
): unknown {
  switch (typeof value) {
    case "string":
      return bounded(scrub(value));
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value;
    case "undefined":
      return undefined;
    case "symbol":
      return scrub(value.toString());
    case "function":
      return `[function ${scrub(value.name || "anonymous")}]`;
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Error) return scrub(obj.message);
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  if (obj instanceof URL) return scrub(obj.href);
  if (ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
  if (seen.has(obj)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[…]";
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((v) => clean(v, scrub, depth + 1, seen) ?? null);
    if (obj instanceof Set) return [...obj].map((v) => clean(v, scrub, depth + 1, seen) ?? null);
    const entries: Iterable<[unknown, unknown]> = obj instanceof Map
      ? obj.entries()
      : Object.entries(obj);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[scrub(String(k))] = clean(v, scrub, depth + 1, seen);
    return out;
  } finally {
    seen.delete(obj);
  }
}

/** `s` cut to {@link LOG_STRING_MAX} characters, saying how long it was. */
function bounded(s: string): string {
  return s.length > LOG_STRING_MAX ? `${s.slice(0, LOG_STRING_MAX)}… (${s.length} chars)` : s;
}

const encoder = new TextEncoder();

function writeStderr(line: string): void {
  const bytes = encoder.encode(line + "\n");
  let off = 0;
  while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
}

/**
 * Creates a {@link Logger} writing one JSON object per line:
 * `{"ts":"<ISO>","level":"info","msg":"…",...fields}`.
 *
 * Lines below `level` are dropped before any work is done. Every string in
 * the message and the fields (nested objects, arrays, keys, URLs) is scrubbed
 * with {@link redactSecrets}. `Error` values are written as their message;
 * dates as ISO strings; fields named `ts`, `level` or `msg` are written as
 * `_ts`, `_level`, `_msg`. A failing sink is ignored (logging never throws).
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const log = createLogger({ level: "debug", redact: ["s3cret"], sink: (l) => lines.push(l) });
 * log("warn", "retrying", { err: new Error("401 for s3cret") });
 * // lines[0]: {"ts":"…","level":"warn","msg":"retrying","err":"401 for ***"}
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? "info"];
  if (threshold === undefined) throw new TypeError(`unknown log level: ${String(options.level)}`);
  const scrub = secretScrubber(options.redact ?? []);
  const sink = options.sink ?? writeStderr;
  const now = options.now ?? Date.now;
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    const rank = RANK[level];
    if (rank === undefined || rank < threshold) return;
    try {
      const record: Record<string, unknown> = {
        ts: new Date(now()).toISOString(),
        level,
        msg: bounded(scrub(String(msg))),
      };
      if (fields !== undefined && fields !== null) {
        let cleaned = clean(fields, scrub, 0, new WeakSet());
        if (cleaned === null || typeof cleaned !== "object" || Array.isArray(cleaned)) {
          cleaned = { fields: cleaned };
        }
        for (const [k, v] of Object.entries(cleaned as object)) {
          record[RESERVED.has(k) ? `_${k}` : k] = v;
        }
      }
      sink(JSON.stringify(record));
    } catch {
      // Logging must never take the agent down (closed stderr, throwing sink).
    }
  };
  return Object.assign(log, { level: options.level ?? "info" });
}
