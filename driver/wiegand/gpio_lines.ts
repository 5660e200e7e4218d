/**
 * D0/D1 as a stream of `gpio_v2_line_event` bytes: requests the two lines
 * (inputs, both edges, pull-up, monotonic clock) and reads events with the
 * poll + wake-pipe pattern, so `close()` is prompt and leaves no FFI call
 * pending.
 *
 * @module
 */

import { FdStream } from "../serial/fd_stream.ts";
import { buildLineRequest, GPIO_V2_REQUEST_FD_OFFSET } from "./gpio_event.ts";
import { type GpioIoctl, kernelGpioIoctl } from "./gpio_ffi.ts";
import { E } from "../libc.ts";
import { DeviceError } from "../device_error.ts";

/** Why the GPIO lines could not be used. */
export type GpioErrorCode = "not-found" | "permission" | "busy" | "invalid" | "io";

/** A GPIO failure with a code and a message saying what to check. */
export class GpioError extends DeviceError<GpioErrorCode> {
  /** Creates an error about `chip`. */
  constructor(code: GpioErrorCode, chip: string, message: string, errno = 0) {
    super(code, chip, message, errno);
    this.name = "GpioError";
  }

  /** The chip path. */
  get chip(): string {
    return this.path;
  }
}

const { ENOENT, ENXIO, EPERM, EACCES, EBUSY, ENODEV, EINVAL, ENOTTY } = E;

/** Options for {@link openGpioLines}. */
export interface GpioLinesOptions {
  /** Chip path, e.g. `/dev/gpiochip0`. */
  chip: string;
  /** Line offset of D0. */
  d0: number;
  /** Line offset of D1. */
  d1: number;
  /** Consumer label (default `"pontaj-wiegand"`). */
  consumer?: string;
  /** `"pull-up"` (default) or `"none"`. */
  bias?: "pull-up" | "none";
  /** Kernel layer (default: the real one); tests inject a fake. */
  ioctl?: GpioIoctl;
}

/** The message for a failed chip open. */
export function openError(chip: string, err: number): GpioError {
  if (err === ENOENT || err === ENODEV || err === ENXIO) {
    return new GpioError(
      "not-found",
      chip,
      `GPIO chip ${chip} not found: check the path (ls /dev/gpiochip*) and that the board's GPIO driver is loaded`,
      err,
    );
  }
  if (err === EACCES || err === EPERM) {
    return new GpioError(
      "permission",
      chip,
      `permission denied opening ${chip}: add the service user to the group owning it (often 'gpio') or add a udev rule`,
      err,
    );
  }
  return new GpioError("io", chip, `cannot open GPIO chip ${chip} (errno ${err})`, err);
}

/** The message for a failed line request. */
function requestError(chip: string, d0: number, d1: number, err: number): GpioError {
  const lines = `lines ${d0} (D0) and ${d1} (D1) on ${chip}`;
  switch (err) {
    case EBUSY:
      return new GpioError(
        "busy",
        chip,
        `${lines} are busy: another program or a kernel driver holds them (see gpioinfo ${chip})`,
        err,
      );
    case EACCES:
    case EPERM:
      return new GpioError("permission", chip, `permission denied requesting ${lines}`, err);
    case EINVAL:
      return new GpioError(
        "invalid",
        chip,
        `the kernel refused ${lines}: an offset is out of range for this chip, or the lines cannot do edge detection`,
        err,
      );
    case ENOTTY:
      return new GpioError(
        "invalid",
        chip,
        `${chip} does not take GPIO v2 line requests: not a GPIO chip, or a kernel older than 5.10`,
        err,
      );
    default:
      return new GpioError("io", chip, `requesting ${lines} failed (errno ${err})`, err);
  }
}

/** The two Wiegand lines, readable as `gpio_v2_line_event` bytes. */
export class GpioLines {
  /** The chip path. */
  readonly chip: string;
  /** The line fd. */
  readonly fd: number;
  readonly #stream: FdStream;

  /** Wraps a non-blocking line fd (use {@link openGpioLines}); closing closes `fd`. */
  constructor(chip: string, fd: number) {
    this.chip = chip;
    this.fd = fd;
    this.#stream = new FdStream(fd, chip);
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#stream.closed;
  }

  /**
   * Reads whole or partial event records into `buf`; resolves with the byte
   * count, or 0 when `timeoutMs` passes with no event or after {@link close}.
   * Rejects with a {@link GpioError} `io` when the fd fails.
   */
  async read(buf: Uint8Array<ArrayBuffer>, timeoutMs = -1): Promise<number> {
    try {
      return await this.#stream.read(buf, timeoutMs);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new GpioError("io", this.chip, `reading GPIO events from ${this.chip} failed: ${msg}`);
    }
  }

  /** Wakes a waiting read and releases the lines. */
  close(): Promise<void> {
    return this.#stream.close();
  }
}

/**
 * Requests D0 and D1 as inputs with both edges, pull-up bias and the
 * monotonic event clock. Throws {@link GpioError} (`not-found`, `permission`,
 * `busy`, `invalid`, `io`) with a message naming the chip and lines.
 */
export function openGpioLines(opts: GpioLinesOptions): GpioLines {
  const io = opts.ioctl ?? kernelGpioIoctl;
  if (opts.d0 === opts.d1) {
    throw new GpioError("invalid", opts.chip, `D0 and D1 are both line ${opts.d0}`);
  }
  const req = buildLineRequest({
    offsets: [opts.d0, opts.d1],
    consumer: opts.consumer ?? "pontaj-wiegand",
    bias: opts.bias ?? "pull-up",
  });
  const fd = requestLineFd(io, opts.chip, req);
  if (fd < 0) throw requestError(opts.chip, opts.d0, opts.d1, -fd);
  return new GpioLines(opts.chip, fd);
}

/**
 * Opens `chip`, submits the line request `req` (built by `buildLineRequest`
 * or an output request) and closes the chip again: the line fd the kernel
 * wrote into the request, or `-errno` when the request failed. Throws
 * {@link GpioError} when the chip cannot be opened.
 */
export function requestLineFd(
  io: GpioIoctl,
  chip: string,
  req: Uint8Array<ArrayBuffer>,
): number {
  const chipFd = io.openChip(chip);
  if (chipFd < 0) throw openError(chip, -chipFd);
  let r: number;
  try {
    r = io.requestLines(chipFd, req);
  } finally {
    io.close(chipFd); // the line fd stays valid without the chip fd
  }
  if (r < 0) return r;
  return new DataView(req.buffer, req.byteOffset).getInt32(GPIO_V2_REQUEST_FD_OFFSET, true);
}
