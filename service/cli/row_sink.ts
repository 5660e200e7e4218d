/**
 * Lines of text into a byte stream through one reused buffer: each line is
 * encoded straight into the buffer, which is written (and awaited) when the
 * next line would not fit. So an export of any size holds one 64 KiB buffer,
 * allocates no buffer per write, and waits for a slow consumer instead of
 * queueing behind it.
 *
 * The target is a stream writer, or a file such as `Deno.stdout` written
 * with `writeSync`: a blocking write is how a CLI waits for a slow pipe, and
 * it skips the stream and promise machinery per chunk (about 4 MiB of
 * `cli export`'s resident set, issue #19). A descriptor that would block
 * (`O_NONBLOCK` inherited from the parent) is written asynchronously instead.
 *
 * @module
 */

const enc = new TextEncoder();

/** A file written in place, both ways (`Deno.stdout` is one). */
export interface SyncTarget {
  /** Writes (part of) `p` on the calling thread; the bytes written. */
  writeSync(p: Uint8Array): number;
  /** Writes (part of) `p`; the bytes written. */
  write(p: Uint8Array): Promise<number>;
}

/** Writes lines to `writer` in chunks of at most `size` bytes (default 64 KiB). */
export class RowSink {
  readonly #w: WritableStreamDefaultWriter<Uint8Array> | SyncTarget;
  readonly #buf: Uint8Array;
  #used = 0;
  /** Bytes handed to the writer so far. */
  written = 0;

  /** Wraps `writer` (a stream writer is released by {@link close}). */
  constructor(
    writer: WritableStreamDefaultWriter<Uint8Array> | SyncTarget,
    size = 64 * 1024,
  ) {
    this.#w = writer;
    this.#buf = new Uint8Array(size);
  }

  /** Bytes waiting in the buffer (never more than its size). */
  get buffered(): number {
    return this.#used;
  }

  /** Appends `text` and a newline; writes the buffer out first when they do not fit. */
  async line(text: string): Promise<void> {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.#used + text.length * 3 + 1 > this.#buf.length) await this.flush();
    if (text.length * 3 + 1 > this.#buf.length) {
      await this.#write(enc.encode(text + "\n")); // a line longer than the buffer: alone
      return;
    }
    this.#used += enc.encodeInto(text, this.#buf.subarray(this.#used)).written;
    this.#buf[this.#used++] = 10;
  }

  /** Writes out what is buffered. */
  async flush(): Promise<void> {
    if (this.#used === 0) return;
    const n = this.#used;
    this.#used = 0;
    await this.#write(this.#buf.subarray(0, n));
  }

  /** Flushes and releases the writer. */
  async close(): Promise<void> {
    await this.flush();
    if ("releaseLock" in this.#w) this.#w.releaseLock();
  }

  async #write(bytes: Uint8Array): Promise<void> {
    const w = this.#w;
    if ("writeSync" in w) {
      for (let off = 0; off < bytes.length;) {
        try {
          off += w.writeSync(bytes.subarray(off));
        } catch (err) {
          if (!(err instanceof Deno.errors.WouldBlock)) throw err;
          off += await w.write(bytes.subarray(off));
        }
      }
    } else {
      await w.ready;
      await w.write(bytes);
    }
    this.written += bytes.length;
  }
}
