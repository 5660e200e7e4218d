/**
 * Linux GPIO character device v2 structures, as bytes: the line request
 * (`struct gpio_v2_line_request`, 592 bytes) and the edge event records
 * (`struct gpio_v2_line_event`, 48 bytes), plus a zero-allocation parser from
 * event bytes to assembler edges.
 *
 * Layouts (little-endian on the targets we run on, x86_64 and aarch64):
 * - request: `offsets u32[64]` @0, `consumer char[32]` @256, config @288
 *   (`flags u64` @288, `num_attrs u32` @296, padding, `attrs[10]` × 24 @320),
 *   `num_lines u32` @560, `event_buffer_size u32` @564, padding, `fd i32` @588;
 * - event: `timestamp_ns u64` @0, `id u32` @8 (1 rising, 2 falling),
 *   `offset u32` @12, `seqno u32` @16, `line_seqno u32` @20, padding to 48.
 *
 * @module
 */

/** `_IOWR(0xB4, 0x07, struct gpio_v2_line_request)`. */
export const GPIO_V2_GET_LINE_IOCTL = 0xC250B407;
/** Size of `struct gpio_v2_line_request`. */
export const GPIO_V2_LINE_REQUEST_SIZE = 592;
/** Size of `struct gpio_v2_line_event`. */
export const GPIO_V2_LINE_EVENT_SIZE = 48;
/** Offset of the returned line fd in the request. */
export const GPIO_V2_REQUEST_FD_OFFSET = 588;
/** Event id of a rising edge. */
export const GPIO_V2_EVENT_RISING = 1;
/** Event id of a falling edge. */
export const GPIO_V2_EVENT_FALLING = 2;

/** `GPIO_V2_LINE_FLAG_*` bits used here. */
export const GpioLineFlag = {
  /** Line is an input. */
  input: 1 << 2,
  /** Report rising edges. */
  edgeRising: 1 << 4,
  /** Report falling edges. */
  edgeFalling: 1 << 5,
  /** Enable the pull-up bias. */
  biasPullUp: 1 << 8,
  /** Disable bias (external pull-ups). */
  biasDisabled: 1 << 10,
  /** Timestamps from `CLOCK_REALTIME` (not set: monotonic, the default). */
  eventClockRealtime: 1 << 11,
} as const;

/** What a line request asks for. */
export interface LineRequestOptions {
  /** Line offsets on the chip (D0 first, D1 second). */
  offsets: readonly number[];
  /** Consumer label shown by `gpioinfo` (truncated to 31 bytes). */
  consumer: string;
  /** `"pull-up"` (default) or `"none"` when the board has external pull-ups. */
  bias?: "pull-up" | "none";
  /** Events the kernel should buffer (default 256: a 128-bit frame is 256 edges). */
  eventBufferSize?: number;
}

/**
 * Builds a `gpio_v2_line_request`: inputs, both edges, pull-up (or no) bias,
 * monotonic event clock. The kernel writes the line fd at
 * {@link GPIO_V2_REQUEST_FD_OFFSET}.
 */
export function buildLineRequest(opts: LineRequestOptions): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(GPIO_V2_LINE_REQUEST_SIZE);
  const v = new DataView(buf.buffer);
  if (opts.offsets.length < 1 || opts.offsets.length > 64) {
    throw new RangeError(`a line request takes 1..64 lines, got ${opts.offsets.length}`);
  }
  opts.offsets.forEach((o, i) => v.setUint32(i * 4, o, true));
  const name = new TextEncoder().encode(opts.consumer).subarray(0, 31);
  buf.set(name, 256);
  const flags = GpioLineFlag.input | GpioLineFlag.edgeRising | GpioLineFlag.edgeFalling |
    ((opts.bias ?? "pull-up") === "pull-up" ? GpioLineFlag.biasPullUp : GpioLineFlag.biasDisabled);
  v.setUint32(288, flags, true);
  v.setUint32(292, 0, true);
  v.setUint32(296, 0, true); // num_attrs
  v.setUint32(560, opts.offsets.length, true);
  v.setUint32(564, opts.eventBufferSize ?? 256, true);
  v.setInt32(GPIO_V2_REQUEST_FD_OFFSET, -1, true);
  return buf;
}

/** A line request read back (for tests and fakes of the ioctl layer). */
export interface ParsedLineRequest {
  /** Requested offsets. */
  offsets: number[];
  /** Consumer label. */
  consumer: string;
  /** Config flags (low 32 bits; the high ones are unused). */
  flags: number;
  /** Attribute count. */
  numAttrs: number;
  /** Requested event buffer size. */
  eventBufferSize: number;
  /** The fd field. */
  fd: number;
}

/** Reads a `gpio_v2_line_request` back. */
export function parseLineRequest(buf: Uint8Array): ParsedLineRequest {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = v.getUint32(560, true);
  const offsets: number[] = [];
  for (let i = 0; i < n && i < 64; i++) offsets.push(v.getUint32(i * 4, true));
  const c = buf.subarray(256, 288);
  const end = c.indexOf(0);
  return {
    offsets,
    consumer: new TextDecoder().decode(c.subarray(0, end < 0 ? 32 : end)),
    flags: v.getUint32(288, true),
    numAttrs: v.getUint32(296, true),
    eventBufferSize: v.getUint32(564, true),
    fd: v.getInt32(GPIO_V2_REQUEST_FD_OFFSET, true),
  };
}

/** One edge event as the kernel reports it. */
export interface LineEvent {
  /** Timestamp in ns (monotonic clock). */
  timestampNs: bigint;
  /** {@link GPIO_V2_EVENT_RISING} or {@link GPIO_V2_EVENT_FALLING}. */
  id: number;
  /** Line offset on the chip. */
  offset: number;
  /** Sequence number across the request's lines. */
  seqno: number;
  /** Sequence number on this line. */
  lineSeqno: number;
}

/** Writes `ev` as a 48-byte `gpio_v2_line_event` at `buf[at]`. */
export function writeLineEvent(buf: Uint8Array, at: number, ev: LineEvent): void {
  const v = new DataView(buf.buffer, buf.byteOffset + at, GPIO_V2_LINE_EVENT_SIZE);
  v.setBigUint64(0, ev.timestampNs, true);
  v.setUint32(8, ev.id, true);
  v.setUint32(12, ev.offset, true);
  v.setUint32(16, ev.seqno, true);
  v.setUint32(20, ev.lineSeqno, true);
  for (let i = 24; i < 48; i += 4) v.setUint32(i, 0, true);
}

/**
 * Overwrites the timestamp of the event at `buf[at]` with `ns` (an integer
 * below 2^53), byte by byte: no allocation, for replaying simulator bytes in
 * benchmarks and zero-allocation proofs.
 */
export function setEventTimestamp(buf: Uint8Array, at: number, ns: number): void {
  const lo = ns % 4294967296;
  const hi = (ns - lo) / 4294967296;
  buf[at] = lo & 0xff;
  buf[at + 1] = (lo >>> 8) & 0xff;
  buf[at + 2] = (lo >>> 16) & 0xff;
  buf[at + 3] = (lo >>> 24) & 0xff;
  buf[at + 4] = hi & 0xff;
  buf[at + 5] = (hi >>> 8) & 0xff;
  buf[at + 6] = (hi >>> 16) & 0xff;
  buf[at + 7] = (hi >>> 24) & 0xff;
}

/** Reads the 48-byte event at `buf[at]`. */
export function readLineEvent(buf: Uint8Array, at: number): LineEvent {
  const v = new DataView(buf.buffer, buf.byteOffset + at, GPIO_V2_LINE_EVENT_SIZE);
  return {
    timestampNs: v.getBigUint64(0, true),
    id: v.getUint32(8, true),
    offset: v.getUint32(12, true),
    seqno: v.getUint32(16, true),
    lineSeqno: v.getUint32(20, true),
  };
}

/** Anything that takes edges (the {@link WiegandAssembler}, or a reader wrapping it). */
export interface EdgeTarget {
  /** One edge on `line` (0 = D0, 1 = D1) at `sec` + `nsec`. */
  edge(line: number, rising: boolean, sec: number, nsec: number): void;
}

/** The GPIO event parser's counters: plain integer fields, updated in place. */
export class GpioParserCounters {
  /** Events delivered as edges. */
  events = 0;
  /** Events for a line that is neither D0 nor D1. */
  unknownLines = 0;
  /** Events with an id other than rising/falling. */
  badIds = 0;
  /** Gaps in `seqno` (events the kernel dropped because its buffer overflowed). */
  lostEvents = 0;
}

/**
 * `gpio_v2_line_event` bytes → edges on an {@link EdgeTarget}. Records may be
 * split across pushes; the split part is kept. Allocates nothing per push.
 */
export class GpioEventParser {
  /** Counters. */
  readonly counters: GpioParserCounters = new GpioParserCounters();
  readonly #target: EdgeTarget;
  readonly #d0: number;
  readonly #d1: number;
  readonly #carry = new Uint8Array(GPIO_V2_LINE_EVENT_SIZE);
  #carryLen = 0;
  /** Last seqno seen (-1: none); in a typed array so u32 values never box. */
  readonly #lastSeq = new Float64Array([-1]);

  /** Events for line offsets `d0` and `d1` go to `target` as lines 0 and 1. */
  constructor(target: EdgeTarget, d0: number, d1: number) {
    this.#target = target;
    this.#d0 = d0;
    this.#d1 = d1;
  }

  /** Forgets a partial record and the sequence (after reopening the lines). */
  reset(): void {
    this.#carryLen = 0;
    this.#lastSeq[0] = -1;
  }

  /** Parses `buf[0 .. length)`. */
  push(buf: Uint8Array, length: number): void {
    let at = 0;
    if (this.#carryLen > 0) {
      const carry = this.#carry;
      while (this.#carryLen < GPIO_V2_LINE_EVENT_SIZE && at < length) {
        carry[this.#carryLen++] = buf[at++]!;
      }
      if (this.#carryLen < GPIO_V2_LINE_EVENT_SIZE) return;
      this.#record(carry, 0);
      this.#carryLen = 0;
    }
    while (length - at >= GPIO_V2_LINE_EVENT_SIZE) {
      this.#record(buf, at);
      at += GPIO_V2_LINE_EVENT_SIZE;
    }
    while (at < length) this.#carry[this.#carryLen++] = buf[at++]!;
  }

  #record(b: Uint8Array, o: number): void {
    const id = u32(b, o + 8);
    const offset = u32(b, o + 12);
    const seq = u32(b, o + 16);
    const last = this.#lastSeq[0]!;
    if (last >= 0 && seq > last + 1) this.counters.lostEvents += seq - last - 1;
    this.#lastSeq[0] = seq;
    const line = offset === this.#d0 ? 0 : offset === this.#d1 ? 1 : -1;
    if (line < 0) {
      this.counters.unknownLines++;
      return;
    }
    if (id !== GPIO_V2_EVENT_RISING && id !== GPIO_V2_EVENT_FALLING) {
      this.counters.badIds++;
      return;
    }
    // timestamp_ns (u64 LE) as sec + nsec, exact for any value.
    const lo = u32(b, o);
    const hi = u32(b, o + 4);
    let sec: number;
    let rem: number;
    if (hi < 0x200000) {
      // Below 2^53 ns (104 days of uptime) the double is exact: one division.
      const t = hi * 4294967296 + lo;
      sec = Math.floor(t / 1e9);
      rem = t - sec * 1e9;
    } else {
      // Long division over 16-bit chunks.
      rem = 0;
      sec = 0;
      for (let k = 6; k >= 0; k -= 2) {
        const cur = rem * 65536 + (b[o + k]! | (b[o + k + 1]! << 8));
        const q = Math.floor(cur / 1e9);
        rem = cur - q * 1e9;
        sec = sec * 65536 + q;
      }
    }
    this.counters.events++;
    this.#target.edge(line, id === GPIO_V2_EVENT_RISING, sec | 0, rem | 0);
  }
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
