/**
 * A Linux serial port through libc: opened `O_RDWR|O_NOCTTY|O_NONBLOCK`,
 * claimed exclusively (`TIOCEXCL` and `flock`), configured raw with termios2
 * so any baud rate works, optionally switched to kernel RS-485 mode.
 *
 * @example
 * ```ts ignore
 * import { SerialPort } from "@pontaj/pontaj/driver";
 * const port = await SerialPort.open("/dev/ttyUSB0", { baudRate: 9600 });
 * const buf = new Uint8Array(256);
 * const n = await port.read(buf); // waits for at least one byte
 * await port.close();
 * ```
 *
 * @module
 */

import { cString, E, errno, libc, O } from "../libc.ts";
import type { CaptureTap } from "../capture/tap.ts";
import { SerialError, serialErrorFromErrno } from "./errors.ts";
import { FdStream } from "./fd_stream.ts";
import {
  applyRawSettings,
  IOCTL,
  type LineSettings,
  readSettings,
  rs485Struct,
  TERMIOS2_SIZE,
} from "./termios.ts";

/** How to open a port. Only `baudRate` is required: 8N1 otherwise. */
export interface SerialOptions {
  /** Bits per second (9600 … 921600, or any odd rate the UART can make). */
  baudRate: number;
  /** 7 or 8 (default 8). */
  dataBits?: 7 | 8;
  /** Default `"none"`. */
  parity?: "none" | "even" | "odd";
  /** 1 or 2 (default 1). */
  stopBits?: 1 | 2;
  /** Enable the kernel's RS-485 mode (RTS driven while sending). Default false. */
  rs485?: boolean;
  /** Called with a warning, e.g. when RS-485 mode is not supported by the device. */
  onWarning?: (message: string) => void;
}

const LOCK_EX = 2, LOCK_NB = 4;

/** An open serial port. Reads and writes may run concurrently (one of each). */
export class SerialPort {
  /** The device path. */
  readonly path: string;
  /** The settings in force. */
  readonly settings: LineSettings;
  /** Whether kernel RS-485 mode was enabled. */
  readonly rs485: boolean;
  readonly #stream: FdStream;

  private constructor(path: string, stream: FdStream, settings: LineSettings, rs485: boolean) {
    this.path = path;
    this.#stream = stream;
    this.settings = settings;
    this.rs485 = rs485;
  }

  /**
   * Opens and configures `path`. Rejects with a {@link SerialError}:
   * `not-found`, `permission` (hint: the `dialout` group), `busy`, or `io`.
   */
  static open(path: string, options: SerialOptions): Promise<SerialPort> {
    const settings: LineSettings = {
      baudRate: options.baudRate,
      dataBits: options.dataBits ?? 8,
      parity: options.parity ?? "none",
      stopBits: options.stopBits ?? 1,
    };
    if (!Number.isInteger(settings.baudRate) || settings.baudRate <= 0) {
      return Promise.reject(
        new SerialError("io", path, `open ${path}: invalid baud rate ${options.baudRate}`),
      );
    }
    try {
      return Promise.resolve(SerialPort.#openSync(path, settings, options));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  static #openSync(path: string, settings: LineSettings, options: SerialOptions): SerialPort {
    const c = libc();
    const fd = c.open(cString(path), O.RDWR | O.NOCTTY | O.NONBLOCK | O.CLOEXEC, 0);
    if (fd < 0) throw serialErrorFromErrno(path, errno(), "open");
    const fail = (err: SerialError): never => {
      c.close(fd);
      throw err;
    };
    if (c.flock(fd, LOCK_EX | LOCK_NB) !== 0) {
      fail(new SerialError("busy", path, `open ${path}: port busy (another program has it open)`));
    }
    c.ioctl_int(fd, IOCTL.TIOCEXCL, 0n);
    const t = new Uint8Array(TERMIOS2_SIZE);
    if (c.ioctl(fd, IOCTL.TCGETS2, t) !== 0) {
      const err = errno();
      fail(
        err === E.ENOTTY || err === E.EINVAL
          ? new SerialError("io", path, `open ${path}: not a serial port (tcgets2 failed)`, err)
          : serialErrorFromErrno(path, err, "configure"),
      );
    }
    applyRawSettings(t, settings);
    if (c.ioctl(fd, IOCTL.TCSETS2, t) !== 0) {
      fail(serialErrorFromErrno(path, errno(), "configure"));
    }
    let rs485 = false;
    if (options.rs485) {
      if (c.ioctl(fd, IOCTL.TIOCSRS485, rs485Struct()) === 0) {
        rs485 = true;
      } else {
        const err = errno();
        options.onWarning?.(
          `${path}: RS-485 mode not supported by this device (errno ${err}); ` +
            `continuing without it (use an adapter with automatic direction control)`,
        );
      }
    }
    return new SerialPort(path, new FdStream(fd, path), settings, rs485);
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#stream.closed;
  }

  /**
   * Reads at least one byte into `buf`; resolves with the count, or 0 when
   * `timeoutMs` passed with nothing to read or the port was closed. Rejects
   * with `disconnected` on hang-up: close and reopen the port.
   */
  read(buf: Uint8Array<ArrayBuffer>, timeoutMs = -1): Promise<number> {
    return this.#stream.read(buf, timeoutMs);
  }

  /**
   * The capture tap every chunk read and written is copied into (null: none).
   * @internal
   */
  get tap(): CaptureTap | null {
    return this.#stream.tap;
  }

  /**
   * Attaches (or with null, detaches) a capture tap.
   * @internal
   */
  set tap(tap: CaptureTap | null) {
    this.#stream.tap = tap;
  }

  /** Writes all of `data` (partial writes and `EAGAIN` handled). */
  write(data: Uint8Array): Promise<void> {
    return this.#stream.write(data);
  }

  /** The line settings as the kernel holds them now (reads them back). */
  currentSettings(): LineSettings & { raw: boolean } {
    const t = new Uint8Array(TERMIOS2_SIZE);
    if (libc().ioctl(this.#stream.fd, IOCTL.TCGETS2, t) !== 0) {
      throw serialErrorFromErrno(this.path, errno(), "tcgets2");
    }
    return readSettings(t);
  }

  /** Changes the baud rate of the open port (e.g. after telling the device to switch). */
  setBaudRate(baudRate: number): void {
    const c = libc();
    const t = new Uint8Array(TERMIOS2_SIZE);
    if (c.ioctl(this.#stream.fd, IOCTL.TCGETS2, t) !== 0) {
      throw serialErrorFromErrno(this.path, errno(), "tcgets2");
    }
    const next = { ...this.settings, baudRate };
    applyRawSettings(t, next);
    if (c.ioctl(this.#stream.fd, IOCTL.TCSETS2, t) !== 0) {
      throw serialErrorFromErrno(this.path, errno(), "tcsets2");
    }
    (this as { settings: LineSettings }).settings = next;
  }

  /** Wakes a waiting read (it resolves 0) and closes the port. Safe to call twice. */
  close(): Promise<void> {
    return this.#stream.close();
  }
}
