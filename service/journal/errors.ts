/**
 * The journal's error type and the mapping from operating-system errors to
 * its codes.
 *
 * @module
 */

/**
 * What went wrong, as a stable code for callers:
 * - `disk-full`: ENOSPC / EDQUOT while writing;
 * - `read-only`: EROFS (or EACCES/EPERM while writing);
 * - `io`: any other I/O failure (EIO, ...);
 * - `locked`: another process holds the journal's lock;
 * - `closed`: the journal was closed;
 * - `invalid`: the caller passed something the journal cannot store.
 */
export type JournalErrorCode = "disk-full" | "read-only" | "io" | "locked" | "closed" | "invalid";

/** Error thrown (or rejected with) by the journal; `code` says what kind. */
export class JournalError extends Error {
  /** Stable machine-readable code. */
  readonly code: JournalErrorCode;
  /** Creates an error with a code and a human message. */
  constructor(code: JournalErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JournalError";
    this.code = code;
  }
}

/** The errno name of an error thrown by Deno's file APIs (`ENOSPC`, ...), or "". */
export function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

/** Maps an OS error to a {@link JournalErrorCode}. */
export function classify(err: unknown): JournalErrorCode {
  if (err instanceof JournalError) return err.code;
  const code = errnoOf(err);
  if (code === "ENOSPC" || code === "EDQUOT") return "disk-full";
  if (code === "EROFS" || code === "EACCES" || code === "EPERM") return "read-only";
  if (err instanceof Deno.errors.PermissionDenied) return "read-only";
  return "io";
}

/** Wraps any error into a {@link JournalError} whose message says what was being done. */
export function toJournalError(err: unknown, doing: string): JournalError {
  if (err instanceof JournalError) return err;
  const code = classify(err);
  const detail = err instanceof Error ? err.message : String(err);
  const what = code === "disk-full"
    ? "disk full"
    : code === "read-only"
    ? "disk is read-only"
    : "I/O error";
  return new JournalError(code, `journal: ${what} while ${doing}: ${detail}`, { cause: err });
}

/** The short status phrase for an error code ("disk full", "read-only disk", ...). */
export function degradedPhrase(code: JournalErrorCode): string {
  switch (code) {
    case "disk-full":
      return "disk full";
    case "read-only":
      return "read-only disk";
    default:
      return "disk error";
  }
}
