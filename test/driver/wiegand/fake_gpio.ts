/**
 * A fake of the GPIO kernel layer only: the "line fd" is the read end of a
 * real non-blocking pipe, so the reader's poll + wake + read path runs on a
 * real descriptor; the test writes simulator event bytes into the other end.
 */
import { FdStream } from "../../../driver/serial/mod.ts";
import {
  GPIO_V2_REQUEST_FD_OFFSET,
  type GpioIoctl,
  type ParsedLineRequest,
  parseLineRequest,
} from "../../../driver/wiegand/mod.ts";

const lib = Deno.dlopen("libc.so.6", {
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
});

const O_NONBLOCK = 0x800;
const O_CLOEXEC = 0x80000;
const FAKE_CHIP_FD = 100_000;

/** What the fake saw and the write end of the event pipe. */
export class FakeGpio implements GpioIoctl {
  /** Requests received. */
  requests: ParsedLineRequest[] = [];
  /** Chip paths opened. */
  opened: string[] = [];
  /** Chip fds closed. */
  chipCloses = 0;
  /** Write end of the event pipe (after a successful request). */
  writer: FdStream | undefined;
  /** Errno to fail openChip with (0: succeed). */
  openErrno = 0;
  /** Errno to fail requestLines with (0: succeed). */
  requestErrno = 0;

  openChip(path: string): number {
    this.opened.push(path);
    return this.openErrno ? -this.openErrno : FAKE_CHIP_FD;
  }

  requestLines(chipFd: number, request: Uint8Array<ArrayBuffer>): number {
    if (chipFd !== FAKE_CHIP_FD) return -9;
    if (request.length !== 592) return -22;
    this.requests.push(parseLineRequest(request));
    if (this.requestErrno) return -this.requestErrno;
    const fds = new Int32Array(2);
    if (lib.symbols.pipe2(new Uint8Array(fds.buffer), O_NONBLOCK | O_CLOEXEC) !== 0) return -24;
    new DataView(request.buffer).setInt32(GPIO_V2_REQUEST_FD_OFFSET, fds[0]!, true);
    this.writer = new FdStream(fds[1]!, "fake-gpio-writer");
    return 0;
  }

  close(fd: number): void {
    if (fd === FAKE_CHIP_FD) this.chipCloses++;
    else lib.symbols.close(fd);
  }

  /** Closes the write end, if any. */
  async dispose(): Promise<void> {
    await this.writer?.close();
  }
}
