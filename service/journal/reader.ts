/**
 * Random-access reads of single frames at known offsets (for `pending()` and
 * exports), through a small window so sequential offsets cost one read per
 * window. Every frame is verified again (length, seq, CRC) before use.
 *
 * @module
 */

import { crc32c } from "./crc32c.ts";
import { FRAME_HEADER, MAX_PAYLOAD } from "./frame.ts";
import { type JournalFile, type JournalFs, readAt } from "./fs.ts";

const TWO32 = 4294967296;

/** Reads frames of one segment file at a time. */
export class RecordReader {
  #fs: JournalFs;
  #dir: string;
  #file: JournalFile | null = null;
  #name = "";
  #buf: Uint8Array;
  #dv: DataView;
  #start = 0;
  #len = 0;
  /** Bytes of the last frame's payload (valid until the next read). */
  buf: Uint8Array;
  /** Payload start in {@link buf}. */
  start = 0;
  /** Payload end in {@link buf}. */
  end = 0;

  /** A reader over `<dir>/*` with a window of `capacity` bytes. */
  constructor(fs: JournalFs, dir: string, capacity = 256 * 1024) {
    this.#fs = fs;
    this.#dir = dir;
    this.#buf = new Uint8Array(capacity);
    this.#dv = new DataView(this.#buf.buffer);
    this.buf = this.#buf;
  }

  /** Name of the open segment ("" when none). */
  get name(): string {
    return this.#name;
  }

  /** Switches to segment `name` (throws NotFound if it is gone). */
  async open(name: string): Promise<void> {
    this.close();
    this.#file = await this.#fs.open(`${this.#dir}/${name}`, { read: true });
    this.#name = name;
  }

  /** Closes the current file. */
  close(): void {
    this.#file?.close();
    this.#file = null;
    this.#name = "";
    this.#start = 0;
    this.#len = 0;
  }

  /**
   * Tries to load the frame at `offset` from the window without I/O: 1 ok
   * (payload at buf[start,end)), 0 damaged, -1 needs {@link read}.
   */
  tryRead(offset: number, seq: number): number {
    const i = offset - this.#start;
    if (i < 0 || i + FRAME_HEADER > this.#len) return -1;
    const dv = this.#dv;
    const len = dv.getUint32(i, true);
    if (len < 1 || len > MAX_PAYLOAD) return 0;
    if (i + FRAME_HEADER + len > this.#len) return -1;
    const s = dv.getUint32(i + 12, true) * TWO32 + dv.getUint32(i + 8, true);
    if (s !== seq) return 0;
    if (crc32c(this.#buf, i + 8, i + FRAME_HEADER + len) !== dv.getUint32(i + 4, true)) return 0;
    this.buf = this.#buf;
    this.start = i + FRAME_HEADER;
    this.end = i + FRAME_HEADER + len;
    return 1;
  }

  /**
   * Loads and verifies the frame at `offset`; true when it is intact and
   * carries `seq`. The window never reads past `fileEnd`: a reader kept open on
   * a segment that is still being appended to passes the committed size, so
   * its window holds only durable frames (bytes of a write that later fails
   * and is cut off never get cached).
   */
  async read(offset: number, seq: number, fileEnd = Infinity): Promise<boolean> {
    const r = this.tryRead(offset, seq);
    if (r >= 0) return r === 1;
    const f = this.#file;
    if (!f) return false;
    this.#start = offset;
    const room = Math.min(this.#buf.length, Math.max(0, fileEnd - offset));
    this.#len = await readAt(f, offset, this.#buf.subarray(0, room));
    const r2 = this.tryRead(offset, seq);
    if (r2 >= 0) return r2 === 1;
    // Frame larger than the window (or truncated): read it whole.
    if (this.#len < FRAME_HEADER) return false;
    const len = this.#dv.getUint32(0, true);
    if (len < 1 || len > MAX_PAYLOAD) return false;
    const big = new Uint8Array(FRAME_HEADER + len);
    if (await readAt(f, offset, big) !== big.length) return false;
    const dv = new DataView(big.buffer);
    if (dv.getUint32(12, true) * TWO32 + dv.getUint32(8, true) !== seq) return false;
    if (crc32c(big, 8, big.length) !== dv.getUint32(4, true)) return false;
    this.buf = big;
    this.start = FRAME_HEADER;
    this.end = big.length;
    return true;
  }
}
