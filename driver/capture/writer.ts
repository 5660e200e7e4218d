/**
 * Writing captures: the header, then drained records as gzip members (one per
 * {@link CaptureWriter.append}, so a file cut short still inflates up to its
 * last whole member), then the trailer. Files rotate at a size limit: the
 * full file becomes `FILE.1` (older parts shift to `.2`, … up to `keep`) and a
 * new file starts with the same header, its `part` counted up.
 *
 * @module
 */

import { type CaptureHeader, type CaptureTrailer, encodeHeader, encodeMeta } from "./format.ts";

/** Where a writer's bytes go. */
export interface CaptureOutput {
  /** Appends bytes. */
  write(bytes: Uint8Array): Promise<void>;
  /** Starts a new part (after the limit); the next bytes begin a new file. */
  rotate?(): Promise<void>;
  /** Flushes to stable storage and closes. */
  close(): Promise<void>;
}

/** Options for {@link CaptureWriter}. */
export interface CaptureWriterOptions {
  /** Compressed bytes per file before it rotates (default 16 MiB). */
  maxBytes?: number;
}

async function gzipMember(bytes: Uint8Array): Promise<Uint8Array> {
  const { gzipSync } = await import("fflate");
  return gzipSync(bytes, { level: 6 });
}

/** Writes one capture to a {@link CaptureOutput}. */
export class CaptureWriter {
  /** Compressed bytes written to the current part. */
  partBytes = 0;
  /** Compressed bytes written in all. */
  totalBytes = 0;
  /** Parts started (1 + rotations). */
  parts = 1;
  readonly #out: CaptureOutput;
  readonly #header: CaptureHeader;
  readonly #max: number;
  #started = false;

  /** A writer for `header` into `out`. */
  constructor(out: CaptureOutput, header: CaptureHeader, opts: CaptureWriterOptions = {}) {
    this.#out = out;
    this.#header = header;
    this.#max = opts.maxBytes ?? 16 * 1024 * 1024;
  }

  async #write(raw: Uint8Array): Promise<void> {
    const gz = await gzipMember(raw);
    await this.#out.write(gz);
    this.partBytes += gz.length;
    this.totalBytes += gz.length;
  }

  /** Appends sealed records (from `CaptureTap.drain`), rotating when over the limit. */
  async append(records: Uint8Array): Promise<void> {
    if (!this.#started) {
      this.#started = true;
      await this.#write(encodeHeader({ ...this.#header, part: this.parts }));
    }
    if (records.length === 0) return;
    if (this.partBytes >= this.#max && this.#out.rotate) {
      await this.#out.rotate();
      this.parts++;
      this.partBytes = 0;
      await this.#write(encodeHeader({ ...this.#header, part: this.parts }));
    }
    await this.#write(records);
  }

  /** Writes the trailer (counters at the end) and closes the output. */
  async close(trailer: CaptureTrailer, sec: number, nsec: number): Promise<void> {
    await this.append(new Uint8Array(0));
    await this.#write(encodeMeta(JSON.stringify(trailer), sec, nsec));
    await this.#out.close();
  }
}

/** Collects a capture in memory (for the status server's download), up to a limit. */
export class MemoryOutput implements CaptureOutput {
  /** Bytes refused because the limit was reached (the capture ends early, still readable). */
  refused = 0;
  readonly #parts: Uint8Array[] = [];
  readonly #limit: number;
  #size = 0;

  /** Keeps at most `limit` bytes; later writes are refused and counted. */
  constructor(limit = Infinity) {
    this.#limit = limit;
  }

  /** Appends bytes, unless that would pass the limit. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#size + bytes.length > this.#limit) {
      this.refused += bytes.length;
      return Promise.resolve();
    }
    this.#parts.push(bytes);
    this.#size += bytes.length;
    return Promise.resolve();
  }

  /** Nothing to close. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Everything written, as one array. */
  bytes(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Writes to a file, fsyncing at close; `rotate` shifts `FILE` → `FILE.1` … `FILE.keep`. */
export class FileOutput implements CaptureOutput {
  /** The current file (older parts are `path.1`, `path.2`, …). */
  readonly path: string;
  readonly #keep: number;
  #file: Deno.FsFile;

  private constructor(path: string, file: Deno.FsFile, keep: number) {
    this.path = path;
    this.#file = file;
    this.#keep = keep;
  }

  /** Creates (truncates) `path`; `keep` older parts survive rotation (default 3). */
  static async create(path: string, keep = 3): Promise<FileOutput> {
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    return new FileOutput(path, file, keep);
  }

  /** Appends bytes. */
  async write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) at += await this.#file.write(bytes.subarray(at));
  }

  /** Closes this part and starts a new `path`, keeping `keep` older parts. */
  async rotate(): Promise<void> {
    await this.#file.sync();
    this.#file.close();
    await Deno.remove(`${this.path}.${this.#keep}`).catch(() => {});
    for (let i = this.#keep - 1; i >= 1; i--) {
      await Deno.rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(() => {});
    }
    await Deno.rename(this.path, `${this.path}.1`);
    this.#file = await Deno.open(this.path, { write: true, create: true, truncate: true });
  }

  /** Fsyncs and closes. */
  async close(): Promise<void> {
    await this.#file.sync();
    this.#file.close();
  }
}
