/**
 * Kernel pseudo-terminals as real serial lines for tests, simulators and the
 * demo: `posix_openpt`/`grantpt`/`unlockpt`/`ptsname_r` through FFI.
 *
 * The master end is where a simulated device sits; the slave path
 * (`/dev/pts/N`) is opened by {@link SerialPort} like any serial device.
 * The pty keeps one slave descriptor of its own, in raw mode, so the master
 * never sees a hang-up while the code under test closes and reopens the port,
 * and so nothing written before the port opens is echoed or line-buffered.
 *
 * @module
 */

import { cString, errno, libc, O } from "../libc.ts";
import { SerialError } from "./errors.ts";
import { FdStream } from "./fd_stream.ts";
import { applyRawSettings, IOCTL, TERMIOS2_SIZE } from "./termios.ts";

/** An open pty pair. */
export interface Pty {
  /** Path of the slave end, e.g. `/dev/pts/7`: open it with {@link SerialPort}. */
  readonly path: string;
  /** The master end: what the simulated device reads and writes. */
  readonly master: FdStream;
  /** Closes the master (the slave side then sees a hang-up). */
  close(): Promise<void>;
}

/** Opens a new pty pair. Throws {@link SerialError} when the system has no ptys left. */
export function openPty(): Pty {
  const c = libc();
  const fd = c.posix_openpt(O.RDWR | O.NOCTTY | O.NONBLOCK | O.CLOEXEC);
  if (fd < 0) throw new SerialError("io", "/dev/ptmx", `posix_openpt failed (errno ${errno()})`);
  const name = new Uint8Array(128);
  if (
    c.grantpt(fd) !== 0 || c.unlockpt(fd) !== 0 || c.ptsname_r(fd, name, BigInt(name.length)) !== 0
  ) {
    const err = errno();
    c.close(fd);
    throw new SerialError("io", "/dev/ptmx", `cannot set up pty (errno ${err})`);
  }
  const path = new TextDecoder().decode(name.subarray(0, name.indexOf(0)));
  const keeper = c.open(cString(path), O.RDWR | O.NOCTTY | O.NONBLOCK | O.CLOEXEC, 0);
  if (keeper < 0) {
    const err = errno();
    c.close(fd);
    throw new SerialError("io", path, `cannot open pty slave ${path} (errno ${err})`);
  }
  const t = new Uint8Array(TERMIOS2_SIZE);
  if (c.ioctl(keeper, IOCTL.TCGETS2, t) === 0) {
    applyRawSettings(t, { baudRate: 9600, dataBits: 8, parity: "none", stopBits: 1 });
    c.ioctl(keeper, IOCTL.TCSETS2, t);
  }
  let keeperOpen = true;
  const dropKeeper = () => {
    if (keeperOpen) c.close(keeper);
    keeperOpen = false;
  };
  const master = new FdStream(fd, `pty master of ${path}`, dropKeeper);
  return {
    path,
    master,
    close: () => master.close(),
  };
}
