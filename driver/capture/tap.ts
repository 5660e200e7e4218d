/**
 * A capture tap: transports copy what passes through them into its bounded,
 * preallocated ring of capture records (see `format.ts`), and a session
 * drains the ring now and then, outside the hot loop. Nothing is allocated per
 * byte, edge or register op; when the ring is full, records are dropped and
 * counted, never blocking the reader.
 *
 * @example
 * ```ts
 * const tap = new CaptureTap();
 * port.tap = tap; // every chunk read or written is recorded
 * const records = tap.drain(); // sealed records, ready for a file
 * ```
 *
 * @module
 */

import { libc } from "../libc.ts";
import type { MonotonicClock } from "../wiegand/gpio_ffi.ts";
import {
  PAYLOAD_MAX,
  PAYLOAD_OFFSET,
  RECORD_SIZE,
  RecordFlag,
  RecordType,
  sealRecords,
} from "./format.ts";

const CLOCK_MONOTONIC = 1;
/** `struct timespec` as 32-bit halves: tv_sec low at [0], tv_nsec at [2] (little-endian, 64-bit). */
const timespec = new Int32Array(4);
let timespecPtr: Deno.PointerValue = null;

/**
 * `CLOCK_MONOTONIC` into `out` (sec, nsec) read as 32-bit halves, so no
 * BigInt is made per call (seconds of uptime fit 32 bits). The timespec's
 * pointer is made once: a `pointer` argument is a cheaper FFI fast call than
 * a `buffer` one (see `bench/capture_bench.ts`).
 */
export const tapClock: MonotonicClock = (out: Int32Array): void => {
  if (timespecPtr === null) timespecPtr = Deno.UnsafePointer.of(timespec);
  libc().clock_gettime_ptr(CLOCK_MONOTONIC, timespecPtr);
  out[0] = timespec[0]!;
  out[1] = timespec[2]!;
};

/** Default ring size in records (4096 × 64 B = 256 KiB). */
export const TAP_DEFAULT_RECORDS = 4096;

/** What the RC522 tap reads from a register batch (the shape of `RegBatch`). */
export interface TapBatch {
  /** 0 write, 1 read, per op. */
  readonly kind: Uint8Array;
  /** Register per op. */
  readonly reg: Uint8Array;
  /** Value written or read, per op. */
  readonly value: Uint8Array;
  /** Number of ops. */
  readonly length: number;
}

/** The bounded record ring transports write into. */
export class CaptureTap {
  /** Records written since the start (kept or dropped). */
  written = 0;
  /** Records dropped because the ring was full. */
  dropped = 0;
  readonly #ring: Uint8Array<ArrayBuffer>;
  /** The same ring as 32-bit words (records are 64-byte aligned; the format is little-endian). */
  readonly #words: Uint32Array<ArrayBuffer>;
  readonly #capacity: number;
  readonly #clock: MonotonicClock;
  readonly #now = new Int32Array(2);
  #head = 0;
  #count = 0;

  /** A tap holding up to `capacity` records; `clock` stamps chunks (CLOCK_MONOTONIC). */
  constructor(capacity = TAP_DEFAULT_RECORDS, clock: MonotonicClock = tapClock) {
    if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
      throw new Error("capture tap: the record format is little-endian; this host is not");
    }
    this.#capacity = capacity;
    this.#ring = new Uint8Array(capacity * RECORD_SIZE);
    this.#words = new Uint32Array(this.#ring.buffer);
    this.#clock = clock;
  }

  /** Records waiting to be drained. */
  get pending(): number {
    return this.#count;
  }

  /** The slot for the next record, or -1 when the ring is full (counted). */
  #slot(sec: number, nsec: number, type: number, flags: number, len: number, line: number): number {
    this.written++;
    if (this.#count === this.#capacity) {
      this.dropped++;
      return -1;
    }
    let i = this.#head + this.#count;
    if (i >= this.#capacity) i -= this.#capacity;
    this.#count++;
    // Three word stores: sec, nsec, then type | flags | length | line (little-endian).
    const w = i * (RECORD_SIZE >> 2);
    const words = this.#words;
    words[w] = sec;
    words[w + 1] = nsec;
    words[w + 2] = type | (flags << 8) | (len << 16) | (line << 24);
    return i * RECORD_SIZE;
  }

  /**
   * Records `buf[off, off + len)` as one chunk of `type` ({@link RecordType}
   * `rx` or `tx`), stamped now.
   */
  bytes(type: number, buf: Uint8Array, off: number, len: number): void {
    const now = this.#now;
    this.#clock(now);
    const r = this.#ring;
    let at = off;
    const end = off + len;
    do {
      const n = end - at > PAYLOAD_MAX ? PAYLOAD_MAX : end - at;
      const more = at + n < end ? RecordFlag.more : 0;
      const o = this.#slot(now[0]!, now[1]!, type, more, n, 0);
      if (o >= 0) {
        const p = o + PAYLOAD_OFFSET;
        for (let k = 0; k < n; k++) r[p + k] = buf[at + k]!;
      }
      at += n;
    } while (at < end);
  }

  /** Records one Wiegand edge (line 0 = D0, 1 = D1) at its kernel timestamp. */
  edge(line: number, rising: boolean, sec: number, nsec: number): void {
    this.#slot(sec, nsec, RecordType.edge, rising ? RecordFlag.rising : 0, 0, line);
  }

  /** Records one RC522 register batch after it ran: (reg | 0x80 for a read, value) per op. */
  regs(batch: TapBatch): void {
    const now = this.#now;
    this.#clock(now);
    const r = this.#ring;
    const perRecord = PAYLOAD_MAX / 2;
    let i = 0;
    do {
      const n = batch.length - i > perRecord ? perRecord : batch.length - i;
      const more = i + n < batch.length ? RecordFlag.more : 0;
      const o = this.#slot(now[0]!, now[1]!, RecordType.regs, more, n * 2, 0);
      if (o >= 0) {
        const p = o + PAYLOAD_OFFSET;
        for (let k = 0; k < n; k++) {
          r[p + 2 * k] = (batch.reg[i + k]! & 0x3f) | (batch.kind[i + k]! === 1 ? 0x80 : 0);
          r[p + 2 * k + 1] = batch.value[i + k]!;
        }
      }
      i += n;
    } while (i < batch.length);
  }

  /**
   * Records `text` (JSON) as `meta` records stamped now, in line with the
   * traffic around it (allocates; for rare events such as a reopened device,
   * never from a hot loop). Returns false when the ring had no room for all of it.
   */
  meta(text: string): boolean {
    const bytes = new TextEncoder().encode(text);
    const n = Math.max(1, Math.ceil(bytes.length / PAYLOAD_MAX));
    if (this.#capacity - this.#count < n) {
      this.written += n;
      this.dropped += n;
      return false;
    }
    const [sec, nsec] = this.now();
    const r = this.#ring;
    for (let i = 0; i < n; i++) {
      const len = Math.min(PAYLOAD_MAX, bytes.length - i * PAYLOAD_MAX);
      const more = i < n - 1 ? RecordFlag.more : 0;
      const o = this.#slot(sec, nsec, RecordType.meta, more, len, 0);
      r.set(bytes.subarray(i * PAYLOAD_MAX, i * PAYLOAD_MAX + len), o + PAYLOAD_OFFSET);
    }
    return true;
  }

  /** Moves the waiting records out, sealed with their CRCs (allocates; not for hot loops). */
  drain(): Uint8Array<ArrayBuffer> {
    const n = this.#count;
    const out = new Uint8Array(n * RECORD_SIZE);
    const first = Math.min(n, this.#capacity - this.#head);
    out.set(this.#ring.subarray(this.#head * RECORD_SIZE, (this.#head + first) * RECORD_SIZE));
    if (first < n) out.set(this.#ring.subarray(0, (n - first) * RECORD_SIZE), first * RECORD_SIZE);
    this.#head = (this.#head + n) % this.#capacity;
    this.#count = 0;
    // Payload bytes past each record's length are zeroed here, not in the hot path.
    for (let i = 0; i < n; i++) {
      const o = i * RECORD_SIZE;
      out.fill(0, o + PAYLOAD_OFFSET + out[o + 10]!, o + PAYLOAD_OFFSET + PAYLOAD_MAX);
    }
    sealRecords(out, n);
    return out;
  }

  /** Forgets the waiting records, counting them as dropped (a capture given up). */
  clear(): void {
    this.dropped += this.#count;
    this.#count = 0;
  }

  /** The current monotonic time (sec, nsec), for meta records. */
  now(): [number, number] {
    this.#clock(this.#now);
    return [this.#now[0]!, this.#now[1]!];
  }
}
