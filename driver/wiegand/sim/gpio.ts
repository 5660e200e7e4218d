/**
 * A simulated GPIO chip for tests and the demo, where no `/dev/gpiochipN`
 * exists: it stands in for the kernel layer only ({@link GpioIoctl}). The
 * "line fd" it hands out is the read end of a real non-blocking pipe, so the
 * reader's poll + wake + read path and the event parser run for real; the
 * simulator writes `gpio_v2_line_event` bytes (from
 * {@link WiegandPulseGenerator.eventBytes}) into the other end.
 *
 * @module
 */

import { E, libc } from "../../libc.ts";
import { FdStream } from "../../serial/fd_stream.ts";
import {
  GPIO_V2_REQUEST_FD_OFFSET,
  type ParsedLineRequest,
  parseLineRequest,
} from "../gpio_event.ts";
import type { GpioIoctl } from "../gpio_ffi.ts";

const O_NONBLOCK = 0x800;
const O_CLOEXEC = 0x80000;
const SIM_CHIP_FD = 100_000;
const { ENOENT, EBADF, EMFILE, EINVAL } = E;

/** A GPIO chip simulated above the kernel: requests are recorded, events come from a pipe. */
export class SimulatedGpio implements GpioIoctl {
  /** Line requests received (decoded). */
  readonly requests: ParsedLineRequest[] = [];
  /** Chip paths opened. */
  readonly opened: string[] = [];
  /** Times the chip fd was closed. */
  chipCloses = 0;
  /** Write end of the event pipe, once lines were requested. */
  writer: FdStream | undefined;
  /** Errno to fail `openChip` with (0: succeed), e.g. 2 for a missing chip. */
  openErrno = 0;
  /** Errno to fail `requestLines` with (0: succeed), e.g. 16 for a busy line. */
  requestErrno = 0;

  /** Opens the simulated chip (any path unless {@link openErrno} is set). */
  openChip(path: string): number {
    this.opened.push(path);
    return this.openErrno ? -this.openErrno : SIM_CHIP_FD;
  }

  /** Records the request and hands out the read end of a fresh pipe as the line fd. */
  requestLines(chipFd: number, request: Uint8Array<ArrayBuffer>): number {
    if (chipFd !== SIM_CHIP_FD) return -EBADF;
    if (request.length !== 592) return -EINVAL;
    this.requests.push(parseLineRequest(request));
    if (this.requestErrno) return -this.requestErrno;
    const fds = new Int32Array(2);
    if (libc().pipe2(new Uint8Array(fds.buffer), O_NONBLOCK | O_CLOEXEC) !== 0) return -EMFILE;
    new DataView(request.buffer).setInt32(GPIO_V2_REQUEST_FD_OFFSET, fds[0]!, true);
    void this.writer?.close();
    this.writer = new FdStream(fds[1]!, "simulated gpio");
    return 0;
  }

  /** Closes a line fd (the chip fd is only counted). */
  close(fd: number): void {
    if (fd === SIM_CHIP_FD) this.chipCloses++;
    else libc().close(fd);
  }

  /** Writes event bytes as the kernel would queue them; fails when no lines are requested. */
  async send(eventBytes: Uint8Array): Promise<void> {
    if (!this.writer) throw new Error(`simulated gpio: no lines requested (errno ${ENOENT})`);
    await this.writer.write(eventBytes);
  }

  /** Closes the write end, if any. */
  async dispose(): Promise<void> {
    await this.writer?.close();
    this.writer = undefined;
  }
}
