/**
 * The thin kernel layer of the GPIO source: open the chip, issue
 * `GPIO_V2_GET_LINE_IOCTL`, make the line fd non-blocking, read the monotonic
 * clock. Everything above it (request bytes, error messages, event parsing,
 * the read loop) is tested with a fake {@link GpioIoctl} whose "line fd" is a
 * real pipe fed with simulator event bytes.
 *
 * libc is opened lazily, so importing needs no `--allow-ffi`.
 *
 * @module
 */

import { errno, libc } from "../libc.ts";
import { GPIO_V2_GET_LINE_IOCTL, GPIO_V2_REQUEST_FD_OFFSET } from "./gpio_event.ts";

const c = libc;

const O_RDONLY = 0;
const O_CLOEXEC = 0x80000;
const FIONBIO = 0x5421;
const CLOCK_MONOTONIC = 1;

/**
 * The kernel calls the GPIO source makes. Failures return `-errno` (never
 * throw) so the layer above turns them into clear messages.
 */
export interface GpioIoctl {
  /** `open(path, O_RDONLY | O_CLOEXEC)`: the chip fd, or `-errno`. */
  openChip(path: string): number;
  /**
   * `ioctl(chipFd, GPIO_V2_GET_LINE_IOCTL, request)`: 0, or `-errno`. On
   * success the request's fd field holds the line fd, already non-blocking.
   */
  requestLines(chipFd: number, request: Uint8Array<ArrayBuffer>): number;
  /** `close(fd)`. */
  close(fd: number): void;
}

/** The real kernel layer, through `Deno.dlopen` on libc. */
export const kernelGpioIoctl: GpioIoctl = {
  openChip(path: string): number {
    const bytes = new TextEncoder().encode(path);
    const z = new Uint8Array(bytes.length + 1);
    z.set(bytes);
    const fd = c().open(z, O_RDONLY | O_CLOEXEC, 0);
    return fd < 0 ? -errno() : fd;
  },
  requestLines(chipFd: number, request: Uint8Array<ArrayBuffer>): number {
    const r = c().ioctl(chipFd, BigInt(GPIO_V2_GET_LINE_IOCTL), request);
    if (r < 0) return -errno();
    const fd = new DataView(request.buffer, request.byteOffset).getInt32(
      GPIO_V2_REQUEST_FD_OFFSET,
      true,
    );
    const one = new Uint8Array(new Int32Array([1]).buffer);
    if (c().ioctl(fd, BigInt(FIONBIO), one) < 0) {
      const e = errno();
      c().close(fd);
      return -e;
    }
    return 0;
  },
  close(fd: number): void {
    c().close(fd);
  },
};

/** Reads `CLOCK_MONOTONIC` (the GPIO event clock) into `out[0]` = sec, `out[1]` = nsec. */
export type MonotonicClock = (out: Int32Array) => void;

const ts = new BigInt64Array(2);
const tsBytes = new Uint8Array(ts.buffer);

/** The real monotonic clock, through libc `clock_gettime`. */
export const monotonicClock: MonotonicClock = (out: Int32Array): void => {
  c().clock_gettime(CLOCK_MONOTONIC, tsBytes);
  out[0] = Number(ts[0]!);
  out[1] = Number(ts[1]!);
};
