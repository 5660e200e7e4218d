/**
 * The OSDP parser's error codes ({@link ParseError}, kept in
 * `OsdpParser.lastError`) and their names for logs. Re-exported by
 * driver/osdp/parser.ts.
 *
 * @example
 * ```ts
 * import { ParseError, parseErrorName } from "./parse_error.ts";
 * parseErrorName(ParseError.CHECK); // "check"
 * ```
 *
 * @module
 */

/** Error codes kept in `OsdpParser.lastError`. */
export const ParseError = {
  NONE: 0,
  /** CRC-16 or checksum mismatch. */
  CHECK: 1,
  /** Length field below the minimum or above the maximum. */
  LENGTH: 2,
  /** Security block or MAC does not fit in the frame. */
  LAYOUT: 3,
  /** A partial frame was dropped by `OsdpParser.reset`. */
  TRUNCATED: 4,
} as const;

const ERROR_NAMES = ["none", "check", "length", "layout", "truncated"];

/** Name of a {@link ParseError} code for logs (`check`), or `unknown N`. */
export function parseErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `unknown ${code}`;
}
