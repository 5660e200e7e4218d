/**
 * One GPIO output line through the gpiochip v2 character device: a line
 * request with the output direction (and the kernel's active-low flag when
 * the relay board energises on a low level), initial value inactive, then
 * `GPIO_V2_LINE_SET_VALUES_IOCTL` to drive it. With active-low handled by the
 * kernel, "active" always means "relay energised".
 *
 * Layout of `struct gpio_v2_line_values` (16 bytes): `bits u64` @0,
 * `mask u64` @8. The request's output-values attribute sits in `attrs[0]`
 * @320: `id u32` (2) @320, `values u64` @328, `mask u64` @336.
 *
 * @module
 */

import { cString, E, errno, libc } from "../libc.ts";
import { GPIO_V2_LINE_REQUEST_SIZE, GPIO_V2_REQUEST_FD_OFFSET } from "./gpio_event.ts";
import { type GpioIoctl, kernelGpioIoctl } from "./gpio_ffi.ts";
import { GpioError, requestLineFd } from "./gpio_lines.ts";

/** `_IOWR(0xB4, 0x0F, struct gpio_v2_line_values)`. */
export const GPIO_V2_LINE_SET_VALUES_IOCTL = 0xC010B40F;
/** `GPIO_V2_LINE_FLAG_ACTIVE_LOW`. */
export const GPIO_V2_LINE_FLAG_ACTIVE_LOW = 1 << 1;
/** `GPIO_V2_LINE_FLAG_OUTPUT`. */
export const GPIO_V2_LINE_FLAG_OUTPUT = 1 << 3;
/** `GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES`. */
export const GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES = 2;
/** Size of `struct gpio_v2_line_values`. */
export const GPIO_V2_LINE_VALUES_SIZE = 16;

/** The kernel calls of an output line: the input side's, plus setting values. */
export interface GpioOutputIoctl extends GpioIoctl {
  /** `ioctl(lineFd, GPIO_V2_LINE_SET_VALUES_IOCTL, values)`: 0, or `-errno`. */
  setValues(lineFd: number, values: Uint8Array<ArrayBuffer>): number;
}

/** The real kernel layer for output lines. */
export const kernelGpioOutputIoctl: GpioOutputIoctl = {
  ...kernelGpioIoctl,
  setValues(lineFd: number, values: Uint8Array<ArrayBuffer>): number {
    const r = libc().ioctl(lineFd, BigInt(GPIO_V2_LINE_SET_VALUES_IOCTL), values);
    return r < 0 ? -errno() : 0;
  },
};

/** Options of {@link openGpioOutput}. */
export interface GpioOutputOptions {
  /** Chip path, e.g. `/dev/gpiochip0`. */
  chip: string;
  /** Line offset. */
  line: number;
  /** The line's active level is low (the kernel inverts it). */
  activeLow: boolean;
  /** Consumer label (default `"pontaj-gate"`). */
  consumer?: string;
  /** Kernel layer (default: the real one); tests inject the simulated chip. */
  ioctl?: GpioOutputIoctl;
}

/** Builds the 592-byte request for one output line, initially inactive. */
export function buildOutputRequest(
  line: number,
  consumer: string,
  activeLow: boolean,
): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(GPIO_V2_LINE_REQUEST_SIZE);
  const v = new DataView(buf.buffer);
  v.setUint32(0, line, true);
  buf.set(cString(consumer).subarray(0, 31), 256);
  v.setUint32(288, GPIO_V2_LINE_FLAG_OUTPUT | (activeLow ? GPIO_V2_LINE_FLAG_ACTIVE_LOW : 0), true);
  v.setUint32(296, 1, true); // num_attrs
  v.setUint32(320, GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, true);
  v.setBigUint64(328, 0n, true); // values: inactive
  v.setBigUint64(336, 1n, true); // mask: line 0 of the request
  v.setUint32(560, 1, true); // num_lines
  v.setInt32(GPIO_V2_REQUEST_FD_OFFSET, -1, true);
  return buf;
}

/** One requested output line. */
export class GpioOutputLine {
  /** The chip path. */
  readonly chip: string;
  /** The line offset. */
  readonly line: number;
  readonly #io: GpioOutputIoctl;
  readonly #fd: number;
  readonly #values = new Uint8Array(GPIO_V2_LINE_VALUES_SIZE);
  #closed = false;

  /** Wraps a line fd from {@link openGpioOutput}. */
  constructor(io: GpioOutputIoctl, chip: string, line: number, fd: number) {
    this.#io = io;
    this.chip = chip;
    this.line = line;
    this.#fd = fd;
    this.#values[8] = 1; // mask: the one line
  }

  /**
   * Drives the line active (true) or inactive; no allocation. Throws a
   * {@link GpioError} `io` when the kernel refuses.
   */
  set(active: boolean): void {
    if (this.#closed) {
      throw new GpioError("io", this.chip, `line ${this.line} on ${this.chip} is closed`);
    }
    this.#values[0] = active ? 1 : 0;
    const r = this.#io.setValues(this.#fd, this.#values);
    if (r < 0) {
      throw new GpioError(
        "io",
        this.chip,
        `setting line ${this.line} on ${this.chip} failed (errno ${-r})`,
        -r,
      );
    }
  }

  /** Releases the line (the kernel keeps its last value until another request). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#io.close(this.#fd);
  }
}

/**
 * Requests `line` as an output, initially inactive. Throws {@link GpioError}
 * with a message naming the chip and line.
 */
export function openGpioOutput(opts: GpioOutputOptions): GpioOutputLine {
  const io = opts.ioctl ?? kernelGpioOutputIoctl;
  const req = buildOutputRequest(opts.line, opts.consumer ?? "pontaj-gate", opts.activeLow);
  const r = requestLineFd(io, opts.chip, req);
  if (r < 0) {
    const err = -r;
    const code = err === E.EBUSY
      ? "busy"
      : err === E.EPERM || err === E.EACCES
      ? "permission"
      : "invalid";
    throw new GpioError(
      code,
      opts.chip,
      `requesting line ${opts.line} on ${opts.chip} as an output failed (errno ${-r}${
        code === "busy" ? ": another program or a kernel driver holds it" : ""
      })`,
      -r,
    );
  }
  return new GpioOutputLine(io, opts.chip, opts.line, r);
}
