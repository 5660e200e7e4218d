/**
 * Bounding foreign text (iFlow's messages, reply snippets, status lines)
 * before it reaches a log line, `lastError`, an alarm or `/health`.
 *
 * @module
 */

/** How many characters of a foreign string are kept by default. */
export const FOREIGN_TEXT_MAX = 300;

/**
 * `text` on one line, control characters shown as `?`, at most `max`
 * characters (then `…` and how long it was: `total`, when `text` is already a
 * cut of a longer string). Only the kept prefix is examined, so a 2 MB
 * message costs no more than a short one.
 *
 * @example
 * ```ts
 * import { clipForeign } from "./clip.ts";
 * clipForeign("Database access\r\ntimeout", 20); // "Database access??tim… (24 chars)"
 * ```
 */
export function clipForeign(
  text: string,
  max: number = FOREIGN_TEXT_MAX,
  total: number = text.length,
): string {
  const cut = text.length > max || total > text.length;
  const head = text.length > max ? text.slice(0, max) : text;
  // deno-lint-ignore no-control-regex
  const one = head.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return cut ? `${one}… (${Math.max(total, text.length)} chars)` : one;
}
