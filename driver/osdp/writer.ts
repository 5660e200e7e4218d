/**
 * Builds OSDP frames into a preallocated buffer: header, optional security
 * block, code, data, optional MAC, check. Nothing is allocated per frame.
 *
 * @example
 * ```ts
 * import { FrameWriter } from "./writer.ts";
 * const w = new FrameWriter();
 * w.begin(0x65, 0, true).u8(0x60); // osdp_POLL to 0x65, sequence 0, CRC
 * const n = w.finish(); // w.buf[0 .. n) = 53 65 08 00 04 60 60 90
 * ```
 *
 * @module
 */

import { CTRL_CRC, CTRL_SCB, CTRL_SEQ, SOM } from "./constants.ts";
import { osdpChecksum, osdpCrc16 } from "./crc.ts";
import { MAX_FRAME } from "./parser.ts";

/** Fills the 4 MAC bytes of a frame at `buf[end .. end + 4)` from `buf[0 .. end)`. */
export interface MacSigner {
  /** Writes the truncated MAC of `buf[0 .. end)` at `buf[end .. end + 4)`. */
  sign(buf: Uint8Array, end: number): void;
}

/** Frame builder; see the module documentation. */
export class FrameWriter {
  /** The frame under construction; after {@link finish}, `buf[0 .. length)`. */
  readonly buf: Uint8Array;
  /** Length of the last finished frame. */
  length = 0;
  #pos = 0;
  #crc = true;

  /** Creates a writer for frames of up to `maxLength` bytes. */
  constructor(maxLength: number = MAX_FRAME) {
    this.buf = new Uint8Array(maxLength);
  }

  /** Bytes written so far. */
  get position(): number {
    return this.#pos;
  }

  /**
   * Starts a frame: SOM, `address` (include bit 7 for replies), a placeholder
   * length, the control byte and, when `scbType` is non-zero, a security block
   * of 2 bytes or, with `scbData >= 0`, 3 bytes.
   */
  begin(address: number, seq: number, useCrc: boolean, scbType = 0, scbData = -1): this {
    const b = this.buf;
    b[0] = SOM;
    b[1] = address & 0xff;
    b[2] = 0;
    b[3] = 0;
    b[4] = (seq & CTRL_SEQ) | (useCrc ? CTRL_CRC : 0) | (scbType !== 0 ? CTRL_SCB : 0);
    this.#pos = 5;
    this.#crc = useCrc;
    if (scbType !== 0) {
      if (scbData >= 0) {
        b[5] = 3;
        b[6] = scbType;
        b[7] = scbData & 0xff;
        this.#pos = 8;
      } else {
        b[5] = 2;
        b[6] = scbType;
        this.#pos = 7;
      }
    }
    return this;
  }

  /** Appends one byte. */
  u8(v: number): this {
    this.buf[this.#pos++] = v & 0xff;
    return this;
  }

  /** Appends a 16-bit value, LSB first. */
  u16(v: number): this {
    this.buf[this.#pos++] = v & 0xff;
    this.buf[this.#pos++] = (v >>> 8) & 0xff;
    return this;
  }

  /** Appends a 32-bit value, LSB first. */
  u32(v: number): this {
    this.u16(v & 0xffff);
    return this.u16((v >>> 16) & 0xffff);
  }

  /** Appends `src[start .. end)`. */
  bytes(src: Uint8Array, start = 0, end: number = src.length): this {
    for (let i = start; i < end; i++) this.buf[this.#pos++] = src[i]!;
    return this;
  }

  /** Moves the write position back to `pos` (to rewrite data, e.g. after encrypting it). */
  seek(pos: number): this {
    this.#pos = pos;
    return this;
  }

  /**
   * Writes the length, the MAC (when `mac` is given) and the check; returns the
   * frame length. The frame is `buf[0 .. length)`.
   */
  finish(mac?: MacSigner): number {
    const b = this.buf;
    const macLen = mac ? 4 : 0;
    const checkLen = this.#crc ? 2 : 1;
    const total = this.#pos + macLen + checkLen;
    b[2] = total & 0xff;
    b[3] = (total >>> 8) & 0xff;
    if (mac) {
      mac.sign(b, this.#pos);
      this.#pos += 4;
    }
    if (this.#crc) {
      const c = osdpCrc16(b, 0, this.#pos);
      b[this.#pos++] = c & 0xff;
      b[this.#pos++] = c >>> 8;
    } else {
      b[this.#pos] = osdpChecksum(b, 0, this.#pos);
      this.#pos++;
    }
    this.length = this.#pos;
    return this.#pos;
  }

  /** A copy of the last finished frame (allocates; for tests and tools). */
  copy(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Options for {@link buildFrame}. */
export interface BuildFrameOptions {
  /** Address without the reply bit. */
  address: number;
  /** Sets the reply bit. */
  reply?: boolean;
  /** Sequence number 0–3. */
  seq?: number;
  /** CRC-16 (default) or checksum. */
  crc?: boolean;
  /** Command or reply code. */
  code: number;
  /** Data bytes. */
  data?: ArrayLike<number>;
}

/** Builds one plain frame into a new array (allocates; for tests and tools). */
export function buildFrame(o: BuildFrameOptions): Uint8Array {
  const w = new FrameWriter(Math.max(MAX_FRAME, (o.data?.length ?? 0) + 16));
  w.begin(o.address | (o.reply ? 0x80 : 0), o.seq ?? 0, o.crc ?? true).u8(o.code);
  const d = o.data ?? [];
  for (let i = 0; i < d.length; i++) w.u8(d[i]!);
  w.finish();
  return w.copy();
}
