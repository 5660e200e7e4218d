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
import { GPIO_V2_LINE_FLAG_OUTPUT, type GpioOutputIoctl } from "../gpio_output.ts";

const O_NONBLOCK = 0x800;
const O_CLOEXEC = 0x80000;
const SIM_CHIP_FD = 100_000;
const SIM_OUTPUT_FD = 200_000;

/** One change of a simulated output line: `active` true means energised. */
export interface SimOutputChange {
  /** Line offset. */
  line: number;
  /** The new logical value (initial value at request time, then each set). */
  active: boolean;
  /** What happened: requested, set, or released. */
  op: "request" | "set" | "release";
}
const { ENOENT, EBADF, EMFILE, EINVAL } = E;

/** A GPIO chip simulated above the kernel: requests are recorded, events come from a pipe. */
export class SimulatedGpio implements GpioOutputIoctl {
  /** Every change of an output line, in order (the relay's history). */
  readonly outputChanges: SimOutputChange[] = [];
  readonly #outputs = new Map<number, { line: number; active: boolean }>();
  #nextOutputFd = SIM_OUTPUT_FD;
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
    const parsed = parseLineRequest(request);
    this.requests.push(parsed);
    if (this.requestErrno) return -this.requestErrno;
    if (parsed.flags & GPIO_V2_LINE_FLAG_OUTPUT) {
      const fd = this.#nextOutputFd++;
      const active = (new DataView(request.buffer).getUint32(328, true) & 1) === 1;
      this.#outputs.set(fd, { line: parsed.offsets[0]!, active });
      this.outputChanges.push({ line: parsed.offsets[0]!, active, op: "request" });
      new DataView(request.buffer).setInt32(GPIO_V2_REQUEST_FD_OFFSET, fd, true);
      return 0;
    }
    const fds = new Int32Array(2);
    if (libc().pipe2(new Uint8Array(fds.buffer), O_NONBLOCK | O_CLOEXEC) !== 0) return -EMFILE;
    new DataView(request.buffer).setInt32(GPIO_V2_REQUEST_FD_OFFSET, fds[0]!, true);
    void this.writer?.close();
    this.writer = new FdStream(fds[1]!, "simulated gpio");
    return 0;
  }

  /** Sets an output line's value (bit 0 of `values`, if in its mask); records the change. */
  setValues(lineFd: number, values: Uint8Array<ArrayBuffer>): number {
    const out = this.#outputs.get(lineFd);
    if (!out) return -EBADF;
    if (values.length !== 16) return -EINVAL;
    if ((values[8]! & 1) === 0) return 0;
    out.active = (values[0]! & 1) === 1;
    this.outputChanges.push({ line: out.line, active: out.active, op: "set" });
    return 0;
  }

  /** The current value of output `line` (true: energised), or undefined when never requested. */
  outputActive(line: number): boolean | undefined {
    let v: boolean | undefined;
    for (const c of this.outputChanges) if (c.line === line) v = c.active;
    return v;
  }

  /** Closes a line fd (the chip fd is only counted). */
  close(fd: number): void {
    if (fd === SIM_CHIP_FD) this.chipCloses++;
    else if (this.#outputs.has(fd)) {
      const out = this.#outputs.get(fd)!;
      this.#outputs.delete(fd);
      this.outputChanges.push({ line: out.line, active: out.active, op: "release" });
    } else libc().close(fd);
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
