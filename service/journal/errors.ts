/**
 * The journal's error type and the mapping from operating-system errors to
 * its codes.
 *
 * @module
 */
import { CodedError } from "../../driver/device_error.ts";

/**
 * What went wrong, as a stable code for callers:
 * - `disk-full`: ENOSPC / EDQUOT while writing;
 * - `read-only`: EROFS;
 * - `permission`: EACCES / EPERM (the service user may not write there);
 * - `io`: any other I/O failure (EIO, ...);
 * - `locked`: another process holds the journal's lock;
 * - `closed`: the journal was closed;
 * - `invalid`: the caller passed something the journal cannot store.
 */
export type JournalErrorCode =
  | "disk-full"
  | "read-only"
  | "permission"
  | "io"
  | "locked"
  | "closed"
  | "invalid";

/** Error thrown (or rejected with) by the journal; `code` says what kind. */
export class JournalError extends CodedError<JournalErrorCode> {
  /** Creates an error with a code and a human message. */
  constructor(code: JournalErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = "JournalError";
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
  if (code === "EROFS") return "read-only";
  if (code === "EACCES" || code === "EPERM") return "permission";
  if (err instanceof Deno.errors.PermissionDenied) return "permission";
  return "io";
}

/**
 * Wraps any error into a {@link JournalError} whose message says what was
 * being done. A permission error names `dir` (the journal directory) first:
 * `journal: permission denied: DIR (while …)`.
 */
export function toJournalError(err: unknown, doing: string, dir?: string): JournalError {
  if (err instanceof JournalError) return err;
  const code = classify(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code === "permission") {
    const where = dir ?? /'([^']*)'/.exec(detail)?.[1] ?? "?";
    return new JournalError(
      code,
      `journal: permission denied: ${where} (while ${doing}; the service user needs to own it ` +
        `or have write access): ${detail}`,
      { cause: err },
    );
  }
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
    case "permission":
      return "permission denied";
    default:
      return "disk error";
  }
}

/** The `degraded` text of a failed write (a permission error already names the directory). */
export function degradedText(err: Error): { code: JournalErrorCode; text: string } {
  const code = err instanceof JournalError ? err.code : "io";
  const text = code === "permission"
    ? err.message.replace(/^journal: /, "")
    : `${degradedPhrase(code)}: ${err.message}`;
  return { code, text };
}
