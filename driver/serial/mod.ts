/**
 * Linux serial ports through `Deno.dlopen` (libc): termios2 for any baud
 * rate, poll + wake pipe so close never leaves an FFI call pending, kernel
 * RS-485 mode, clear errors, and ptys for tests and simulators.
 *
 * @module
 */

export { type SerialOptions, SerialPort } from "./port.ts";
export { SerialError, type SerialErrorCode } from "./errors.ts";
export { openPty, type Pty } from "./pty.ts";
export { FdStream } from "./fd_stream.ts";
export type { LineSettings } from "./termios.ts";
