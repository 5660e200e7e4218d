/**
 * The errors pontaj throws carry a machine-readable `code` and a message an
 * integrator can act on; device transports add the device path and errno.
 *
 * @module
 */

/** An error with a stable machine-readable `code` beside its human message. */
export class CodedError<Code extends string> extends Error {
  /** What went wrong. */
  readonly code: Code;

  /** Creates an error with a code and a human message. */
  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A failed device operation; `code` says what happened, the message says what to do. */
export class DeviceError<Code extends string> extends CodedError<Code> {
  /** The device path involved. */
  readonly path: string;
  /** The errno behind it, or 0. */
  readonly errno: number;

  /** Creates an error about the device at `path`. */
  constructor(code: Code, path: string, message: string, errno = 0) {
    super(code, message);
    this.path = path;
    this.errno = errno;
  }
}
