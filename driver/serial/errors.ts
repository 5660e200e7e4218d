/**
 * Serial errors with a machine-readable code and a message an integrator can act on.
 *
 * @module
 */

import { E } from "../libc.ts";
import { DeviceError } from "../device_error.ts";

/** Why a serial operation failed. */
export type SerialErrorCode =
  | "not-found"
  | "permission"
  | "busy"
  | "disconnected"
  | "closed"
  | "unsupported"
  | "io";

/** A failed serial operation; `code` says what happened, the message says what to do. */
export class SerialError extends DeviceError<SerialErrorCode> {
  /** Creates an error for `path`. */
  constructor(code: SerialErrorCode, path: string, message: string, errno = 0) {
    super(code, path, message, errno);
    this.name = "SerialError";
  }
}

/** Maps an errno from `open`/`read`/`write` on `path` to a {@link SerialError}. */
export function serialErrorFromErrno(path: string, err: number, action: string): SerialError {
  switch (err) {
    case E.ENOENT:
    case E.ENODEV:
      return new SerialError(
        "not-found",
        path,
        `${action} ${path}: no such serial port (check the device path and that the adapter is plugged in)`,
        err,
      );
    case E.EACCES:
    case E.EPERM:
      return new SerialError(
        "permission",
        path,
        `${action} ${path}: permission denied (add the service user to the 'dialout' group)`,
        err,
      );
    case E.EBUSY:
    case E.EAGAIN:
      return new SerialError(
        "busy",
        path,
        `${action} ${path}: port busy (another program has it open)`,
        err,
      );
    case E.EIO:
    case E.ENXIO:
    case E.EBADF:
      return new SerialError(
        "disconnected",
        path,
        `${action} ${path}: port disconnected (hang-up or device removed); reopen it`,
        err,
      );
    default:
      return new SerialError("io", path, `${action} ${path}: I/O error (errno ${err})`, err);
  }
}
