/**
 * Reading and writing a non-blocking file descriptor the way DESIGN.md asks:
 * wait with a `nonblocking` `poll([fd, wakePipe])` FFI call, then `read`
 * synchronously (so `errno` is read on the same thread). `close()` writes a
 * byte into the wake pipe so a waiting poll returns at once, then closes the
 * descriptors: no FFI call is ever left pending.
 *
 * Shared by {@link SerialPort} and the pty master.
 *
 * @module
 */

import { E, errno, libc, POLL } from "../libc.ts";
import { SerialError, serialErrorFromErrno } from "./errors.ts";
import type { CaptureTap } from "../capture/tap.ts";
import { RecordType } from "../capture/format.ts";

const WAKE = new Uint8Array([1]);

/** A non-blocking descriptor with a wake pipe; one reader and one writer at a time. */
export class FdStream {
  readonly #fd: number;
  readonly #path: string;
  readonly #wakeRead: number;
  readonly #wakeWrite: number;
  /** pollfd[2] for reads: {fd i32, events i16, revents i16} × 2. */
  readonly #readFds = new Uint8Array(16);
  readonly #readView = new DataView(this.#readFds.buffer);
  /** pollfd[2] for writes (a write may wait while a read waits). */
  readonly #writeFds = new Uint8Array(16);
  readonly #writeView = new DataView(this.#writeFds.buffer);
  #closing = false;
  /** Cached buffer length as a bigint, so repeated reads into one buffer allocate nothing for it. */
  #lenNum = -1;
  #lenBig = 0n;
  #closePromise: Promise<void> | undefined;
  readonly #pending = new Set<Promise<number>>();
  readonly #onClose: (() => void) | undefined;
  /**
   * When set, every chunk read (`rx`) and written (`tx`) is copied into it.
   * @internal
   */
  tap: CaptureTap | null = null;

  /** Wraps `fd` (already non-blocking); `path` names it in errors. */
  constructor(fd: number, path: string, onClose?: () => void) {
    const c = libc();
    const pipe = new Int32Array(2);
    if (c.pipe2(new Uint8Array(pipe.buffer), 0x800 | 0x80000) !== 0) {
      throw new SerialError("io", path, `cannot create wake pipe (errno ${errno()})`);
    }
    this.#fd = fd;
    this.#path = path;
    this.#wakeRead = pipe[0]!;
    this.#wakeWrite = pipe[1]!;
    this.#onClose = onClose;
    for (const v of [this.#readView, this.#writeView]) {
      v.setInt32(0, fd, true);
      v.setInt32(8, this.#wakeRead, true);
      v.setInt16(12, POLL.IN, true);
    }
    this.#readView.setInt16(4, POLL.IN, true);
    this.#writeView.setInt16(4, POLL.OUT, true);
  }

  /** The descriptor (for ioctls). */
  get fd(): number {
    return this.#fd;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closing;
  }

  async #poll(fds: Uint8Array<ArrayBuffer>, timeoutMs: number): Promise<number> {
    const p = libc().poll(fds, 2n, timeoutMs);
    this.#pending.add(p);
    try {
      return await p;
    } finally {
      this.#pending.delete(p);
    }
  }

  /**
   * Reads at least one byte into `buf` and returns the count. Returns 0 when
   * `timeoutMs` (if ≥ 0) passes with no data, or once the stream is closed.
   * Throws {@link SerialError} `disconnected` on hang-up.
   */
  async read(buf: Uint8Array<ArrayBuffer>, timeoutMs = -1): Promise<number> {
    const c = libc();
    while (!this.#closing) {
      if (buf.length !== this.#lenNum) {
        this.#lenNum = buf.length;
        this.#lenBig = BigInt(buf.length);
      }
      const n = Number(c.read(this.#fd, buf, this.#lenBig));
      if (n > 0) {
        const tap = this.tap;
        if (tap !== null) tap.bytes(RecordType.rx, buf, 0, n);
        return n;
      }
      if (n === 0) throw serialErrorFromErrno(this.#path, E.EIO, "read");
      const err = errno();
      if (err === E.EINTR) continue;
      if (err !== E.EAGAIN) throw serialErrorFromErrno(this.#path, err, "read");
      const r = await this.#poll(this.#readFds, timeoutMs);
      if (this.#closing) break;
      if (r === 0) return 0;
      if (r < 0) continue; // EINTR on the worker thread: poll again
      // Readable, or HUP/ERR: the next read() reports which.
    }
    return 0;
  }

  /** Writes all of `data`, waiting for room when the descriptor would block. */
  async write(data: Uint8Array): Promise<void> {
    const c = libc();
    let off = 0;
    const base = Deno.UnsafePointer.of(data as Uint8Array<ArrayBuffer>);
    const tap = this.tap;
    if (tap !== null && data.length > 0) tap.bytes(RecordType.tx, data, 0, data.length);
    while (off < data.length) {
      if (this.#closing) throw new SerialError("closed", this.#path, `write ${this.#path}: closed`);
      const ptr = Deno.UnsafePointer.offset(base!, off);
      const n = Number(c.write(this.#fd, ptr, BigInt(data.length - off)));
      if (n > 0) {
        off += n;
        continue;
      }
      const err = n < 0 ? errno() : E.EAGAIN;
      if (err === E.EINTR) continue;
      if (err !== E.EAGAIN) throw serialErrorFromErrno(this.#path, err, "write");
      await this.#poll(this.#writeFds, 1000);
    }
  }

  /** Wakes any waiting poll, waits for it to return, then closes the descriptors. */
  close(): Promise<void> {
    this.#closePromise ??= this.#close();
    return this.#closePromise;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    const c = libc();
    c.write(this.#wakeWrite, Deno.UnsafePointer.of(WAKE), 1n);
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    c.close(this.#fd);
    c.close(this.#wakeRead);
    c.close(this.#wakeWrite);
    this.#onClose?.();
  }
}
