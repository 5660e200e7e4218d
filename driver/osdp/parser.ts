/**
 * Byte-at-a-time OSDP frame parser. Zero allocation after construction: the
 * frame is assembled in a preallocated buffer, its fields are plain integer
 * properties, errors are counted (the last error code kept) and never thrown.
 *
 * Frame layout: optional marks `FF`, SOM `53`, address (bit 7 set on replies),
 * length LSB MSB (SOM through the check bytes), control byte (bits 0–1
 * sequence, bit 2 CRC-16 vs checksum, bit 3 security block present), optional
 * security block (length, type, data), command or reply code, data, a 4-byte
 * MAC for `SCS_15`…`SCS_18`, then the CRC (LSB first) or the checksum.
 *
 * On a bad length, a bad check or an inconsistent layout the parser rescans the
 * bytes it had taken for the next SOM, so a real frame hidden behind garbage
 * that looked like a header is still found.
 *
 * @example
 * ```ts
 * import { OsdpParser } from "./parser.ts";
 * const p = new OsdpParser();
 * const bytes = Uint8Array.of(0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90);
 * for (let i = 0; ; ) {
 *   i = p.feed(bytes, i, bytes.length);
 *   if (!p.ready) break;
 *   console.log(p.address, p.code); // 101 96
 * }
 * ```
 *
 * @module
 */

import { CTRL_CRC, CTRL_SCB, CTRL_SEQ, MARK, REPLY_BIT, SOM } from "./constants.ts";
import { osdpChecksum, osdpCrc16 } from "./crc.ts";

/** Default largest frame accepted, SOM through check, in bytes. */
export const MAX_FRAME = 1024;
/** Smallest possible frame (checksum mode, no data). */
export const MIN_FRAME = 7;

/** Error codes kept in {@link OsdpParser.lastError}. */
export const ParseError = {
  NONE: 0,
  /** CRC-16 or checksum mismatch. */
  CHECK: 1,
  /** Length field below the minimum or above the maximum. */
  LENGTH: 2,
  /** Security block or MAC does not fit in the frame. */
  LAYOUT: 3,
  /** A partial frame was dropped by {@link OsdpParser.reset}. */
  TRUNCATED: 4,
} as const;

const ERROR_NAMES = ["none", "check", "length", "layout", "truncated"];

/** Name of a {@link ParseError} code for logs (`check`), or `unknown N`. */
export function parseErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `unknown ${code}`;
}

/** The parser's states: hunting for SOM, or inside a frame. */
const ParserState = { HUNT: 0, BODY: 1 } as const;
const { HUNT, BODY } = ParserState;

/** Frame parser; see the module documentation. */
export class OsdpParser {
  /** Frame bytes, SOM through check, in `buf[0 .. length)` once {@link ready}. */
  readonly buf: Uint8Array;
  /** Largest frame accepted. */
  readonly maxLength: number;

  /** True when the last {@link feed} call completed a frame. */
  ready = false;
  /** Address without the reply bit. */
  address = 0;
  /** True when the reply bit (address bit 7) is set. */
  reply = false;
  /** Total frame length in bytes. */
  length = 0;
  /** Control byte. */
  ctrl = 0;
  /** Sequence number (0–3). */
  seq = 0;
  /** True for CRC-16, false for the 8-bit checksum. */
  crc = false;
  /** Security block type, 0 when there is none. */
  scbType = 0;
  /** Offset of the security block's data (after its length and type bytes). */
  scbDataOffset = 0;
  /** Length of the security block's data. */
  scbDataLength = 0;
  /** Command or reply code. */
  code = 0;
  /** Offset of the data in {@link buf}. */
  dataOffset = 0;
  /** Data length (without MAC and check). */
  dataLength = 0;
  /** Offset of the 4-byte MAC, -1 when the frame has none. */
  macOffset: number = -1;

  /** Frames accepted. */
  frames = 0;
  /** Frames whose CRC or checksum did not match. */
  checkErrors = 0;
  /** Length fields out of range. */
  lengthErrors = 0;
  /** Frames with an inconsistent security block or MAC layout. */
  layoutErrors = 0;
  /** Partial frames dropped by {@link reset}. */
  truncated = 0;
  /** Bytes skipped while hunting for SOM (marks `FF` not counted). */
  garbageBytes = 0;
  /** Last {@link ParseError} code. */
  lastError = 0;

  #state: number = HUNT;
  #pos = 0;
  #len = 0;
  #done = false;
  #replayIdx = 0;
  #replayEnd = 0;

  /** Creates a parser accepting frames up to `maxLength` bytes (at least 8, at most 65535). */
  constructor(maxLength: number = MAX_FRAME) {
    this.maxLength = Math.max(8, Math.min(0xffff, maxLength | 0));
    this.buf = new Uint8Array(this.maxLength);
  }

  /**
   * Consumes `src[start .. end)` until a frame completes or the input runs out,
   * and returns the index of the first byte not consumed. When {@link ready} is
   * true the frame's fields are valid until the next call; call again (even
   * with `start === end`) to continue, since bytes rescanned after an error may
   * hold further frames.
   */
  feed(src: Uint8Array, start: number, end: number): number {
    this.ready = false;
    if (this.#done) this.#afterFrame();
    while (this.#replayIdx < this.#replayEnd) {
      if (this.#step(this.buf[this.#replayIdx++]!)) return start;
    }
    for (let i = start; i < end; i++) {
      if (this.#step(src[i]!)) return i + 1;
      while (this.#replayIdx < this.#replayEnd) {
        if (this.#step(this.buf[this.#replayIdx++]!)) return i + 1;
      }
    }
    return end;
  }

  /** Drops any partial frame and pending bytes (counted as truncated when a frame was under way). */
  reset(): void {
    if (this.#state !== HUNT && !this.#done) {
      this.truncated++;
      this.lastError = ParseError.TRUNCATED;
    }
    this.#state = HUNT;
    this.#pos = 0;
    this.#done = false;
    this.#replayIdx = 0;
    this.#replayEnd = 0;
    this.ready = false;
  }

  /** True while a frame is partly received. */
  get busy(): boolean {
    return this.#state !== HUNT || this.#replayIdx < this.#replayEnd;
  }

  /** Total errors of all kinds. */
  get errors(): number {
    return this.checkErrors + this.lengthErrors + this.layoutErrors + this.truncated;
  }

  #afterFrame(): void {
    this.#done = false;
    this.#state = HUNT;
    this.#pos = 0;
    if (this.#replayIdx < this.#replayEnd) {
      this.buf.copyWithin(0, this.#replayIdx, this.#replayEnd);
      this.#replayEnd -= this.#replayIdx;
    } else {
      this.#replayEnd = 0;
    }
    this.#replayIdx = 0;
  }

  #step(b: number): boolean {
    const buf = this.buf;
    if (this.#state === HUNT) {
      if (b === SOM) {
        buf[0] = b;
        this.#pos = 1;
        this.#state = BODY;
      } else if (b !== MARK) {
        this.garbageBytes++;
      }
      return false;
    }
    const pos = this.#pos;
    buf[pos] = b;
    this.#pos = pos + 1;
    if (pos === 3) {
      const len = buf[2]! | (b << 8);
      if (len < MIN_FRAME || len > this.maxLength) {
        this.lengthErrors++;
        this.#fail(ParseError.LENGTH);
        return false;
      }
      this.#len = len;
      return false;
    }
    if (pos + 1 === this.#len && pos > 3) return this.#finish();
    return false;
  }

  #finish(): boolean {
    const buf = this.buf;
    const len = this.#len;
    const ctrl = buf[4]!;
    const crc = (ctrl & CTRL_CRC) !== 0;
    const checkLen = crc ? 2 : 1;
    if (crc) {
      if (len < MIN_FRAME + 1) {
        this.lengthErrors++;
        this.#fail(ParseError.LENGTH);
        return false;
      }
      if (osdpCrc16(buf, 0, len - 2) !== (buf[len - 2]! | (buf[len - 1]! << 8))) {
        this.checkErrors++;
        this.#fail(ParseError.CHECK);
        return false;
      }
    } else if (osdpChecksum(buf, 0, len - 1) !== buf[len - 1]) {
      this.checkErrors++;
      this.#fail(ParseError.CHECK);
      return false;
    }
    const bodyEnd = len - checkLen;
    let off = 5;
    let scbType = 0;
    let scbLen = 0;
    if ((ctrl & CTRL_SCB) !== 0) {
      scbLen = buf[5]!;
      if (scbLen < 2 || 5 + scbLen >= bodyEnd) {
        this.layoutErrors++;
        this.#fail(ParseError.LAYOUT);
        return false;
      }
      scbType = buf[6]!;
      off = 5 + scbLen;
    }
    let dataEnd = bodyEnd;
    let mac = -1;
    if (scbType >= 0x15 && scbType <= 0x18) {
      dataEnd -= 4;
      if (dataEnd < off + 1) {
        this.layoutErrors++;
        this.#fail(ParseError.LAYOUT);
        return false;
      }
      mac = dataEnd;
    }
    const addr = buf[1]!;
    this.address = addr & 0x7f;
    this.reply = (addr & REPLY_BIT) !== 0;
    this.length = len;
    this.ctrl = ctrl;
    this.seq = ctrl & CTRL_SEQ;
    this.crc = crc;
    this.scbType = scbType;
    this.scbDataOffset = scbLen > 0 ? 7 : 0;
    this.scbDataLength = scbLen > 2 ? scbLen - 2 : 0;
    this.code = buf[off]!;
    this.dataOffset = off + 1;
    this.dataLength = dataEnd - off - 1;
    this.macOffset = mac;
    this.frames++;
    this.#done = true;
    this.ready = true;
    return true;
  }

  /** Drops the frame under way and rescans its bytes after SOM for the next SOM. */
  #fail(code: number): void {
    this.lastError = code;
    const buf = this.buf;
    const pos = this.#pos;
    let k = 1;
    while (k < pos && buf[k] !== SOM) k++;
    if (k < pos) {
      const head = pos - k;
      buf.copyWithin(0, k, pos);
      const tail = this.#replayEnd - this.#replayIdx;
      if (tail > 0) buf.copyWithin(head, this.#replayIdx, this.#replayEnd);
      this.#replayIdx = 0;
      this.#replayEnd = head + (tail > 0 ? tail : 0);
    }
    this.#pos = 0;
    this.#state = HUNT;
  }
}
