/**
 * The error every device transport throws: a machine-readable code, the
 * device path, the errno behind it, and a message an integrator can act on.
 *
 * @module
 */

/** A failed device operation; `code` says what happened, the message says what to do. */
export class DeviceError<Code extends string> extends Error {
  /** What went wrong. */
  readonly code: Code;
  /** The device path involved. */
  readonly path: string;
  /** The errno behind it, or 0. */
  readonly errno: number;

  /** Creates an error about the device at `path`. */
  constructor(code: Code, path: string, message: string, errno = 0) {
    super(message);
    this.code = code;
    this.path = path;
    this.errno = errno;
  }
}
