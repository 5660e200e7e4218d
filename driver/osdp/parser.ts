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

import { SOM } from "./constants.ts";
import { OSDP_CRC_BYTE, OSDP_CRC_PAIR, osdpChecksum, osdpCrc16 } from "./crc.ts";

// Module-local aliases: V8 folds a module's own constants into optimised
// code as constants, an imported binding it loads and checks at every use.
const CRC_BYTE = OSDP_CRC_BYTE;
const CRC_PAIR = OSDP_CRC_PAIR;

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
const { HUNT } = ParserState;
// In the per-byte and per-frame paths below, the states and the framing
// constants (SOM, MARK, CTRL_*, REPLY_BIT, MIN_FRAME, OSDP_CRC_INIT) are
// written as literals, named in comments: a module-level or imported constant
// costs a load and an initialisation check per use in optimised code.
// test/driver/osdp/parser_whole_test.ts checks the literals against the names.

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
    if (this.#replayIdx < this.#replayEnd && this.#replay()) return start;
    for (let i = start; i < end; i++) {
      const b = src[i]!;
      if (b === 0x53 && this.#state === 0 && i + 4 <= end) { // SOM, HUNT
        // A whole frame in src: checked and copied in one pass, no per-byte steps.
        const len = src[i + 2]! | (src[i + 3]! << 8);
        if (len >= 7 && len <= this.maxLength && i + len <= end) { // MIN_FRAME
          if (this.#whole(src, i, len)) return i + len;
          i += len - 1; // consumed and failed, as the byte path would; rescan what #fail kept
          if (this.#replayIdx < this.#replayEnd && this.#replay()) return i + 1;
          continue;
        }
      }
      if (this.#step(b)) return i + 1;
      if (this.#replayIdx < this.#replayEnd && this.#replay()) return i + 1;
    }
    return end;
  }

  /**
   * Steps through the bytes {@link #fail} kept for rescanning; true when they
   * complete a frame. Out of line: it runs only after an error, and {@link feed}
   * stays small enough for V8 to inline it and its fast path into the caller.
   */
  #replay(): boolean {
    while (this.#replayIdx < this.#replayEnd) {
      if (this.#step(this.buf[this.#replayIdx++]!)) return true;
    }
    return false;
  }

  /**
   * The frame `src[at .. at + len)` (SOM first, length in range) all at once:
   * copies it into {@link buf} while computing its check, then accepts or
   * fails it exactly as the byte path would after its last byte.
   */
  #whole(src: Uint8Array, at: number, len: number): boolean {
    // Copy and check in one loop over one index (fewer live values: V8 spilled
    // more with separate source, destination and count variables), int32
    // index sums (`| 0`: no overflow checks; the bounds checks still guard
    // every access), the CRC tables through module-local constants.
    const buf = this.buf;
    const base = at | 0;
    let k = 0;
    let crc = 0x1d0f; // OSDP_CRC_INIT
    let sum = 0;
    const body = (len - 2) | 0; // all but the last two bytes
    if ((src[(base + 4) | 0]! & 0x04) !== 0) { // CTRL_CRC
      const pairs = (body - 1) | 0;
      while (k < pairs) { // two bytes per step, see crc.ts
        const b0 = src[(base + k) | 0]!;
        const b1 = src[(base + k + 1) | 0]!;
        buf[k] = b0;
        buf[(k + 1) | 0] = b1;
        crc = CRC_PAIR[(crc >>> 8) ^ b0]! ^ CRC_BYTE[(crc & 0xff) ^ b1]!;
        k = (k + 2) | 0;
      }
      if (k < body) {
        const b = src[(base + k) | 0]!;
        buf[k] = b;
        crc = ((crc << 8) ^ CRC_BYTE[(crc >>> 8) ^ b]!) & 0xffff;
        k = (k + 1) | 0;
      }
    } else {
      while (k < body) {
        const b = src[(base + k) | 0]!;
        buf[k] = b;
        sum = (sum + b) | 0;
        k = (k + 1) | 0;
      }
      sum = (sum + src[(base + k) | 0]!) | 0;
    }
    buf[k] = src[(base + k) | 0]!;
    buf[(k + 1) | 0] = src[(base + k + 1) | 0]!;
    this.#state = 1; // BODY
    this.#pos = len;
    this.#len = len;
    return this.#accept(crc, (0x100 - sum) & 0xff);
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
    this.#state = 0; // HUNT
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
    if (this.#state === 0) { // HUNT
      if (b === 0x53) { // SOM
        buf[0] = b;
        this.#pos = 1;
        this.#state = 1; // BODY
      } else if (b !== 0xff) { // MARK
        this.garbageBytes++;
      }
      return false;
    }
    const pos = this.#pos;
    buf[pos] = b;
    this.#pos = pos + 1;
    if (pos === 3) {
      const len = buf[2]! | (b << 8);
      if (len < 7 || len > this.maxLength) { // MIN_FRAME
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
    return (buf[4]! & 0x04) !== 0 // CTRL_CRC
      ? this.#accept(osdpCrc16(buf, 0, len - 2), 0)
      : this.#accept(0, osdpChecksum(buf, 0, len - 1));
  }

  /**
   * The frame in {@link buf} (`#len` bytes) is complete: `crc16` is the CRC
   * over all but its last two bytes (CRC mode), `checksum` the checksum over
   * all but its last byte (checksum mode). Fills the fields or fails it.
   */
  #accept(crc16: number, checksum: number): boolean {
    const buf = this.buf;
    const len = this.#len;
    const ctrl = buf[4]!;
    // The common frame: CRC (CTRL_CRC set, CTRL_SCB clear), long enough, CRC right.
    if ((ctrl & 0x0c) === 0x04 && len >= 8 && crc16 === (buf[len - 2]! | (buf[len - 1]! << 8))) {
      this.#fields(len, ctrl, 0, 0, 5, len - 2, -1);
      return true;
    }
    return this.#acceptAny(crc16, checksum);
  }

  /** {@link #accept} for any frame: checksum mode, security blocks, MACs and every error. */
  #acceptAny(crc16: number, checksum: number): boolean {
    const buf = this.buf;
    const len = this.#len;
    const ctrl = buf[4]!;
    const crc = (ctrl & 0x04) !== 0; // CTRL_CRC
    const checkLen = crc ? 2 : 1;
    if (crc) {
      if (len < 8) { // MIN_FRAME + 1
        this.lengthErrors++;
        this.#fail(ParseError.LENGTH);
        return false;
      }
      if (crc16 !== (buf[len - 2]! | (buf[len - 1]! << 8))) {
        this.checkErrors++;
        this.#fail(ParseError.CHECK);
        return false;
      }
    } else if (checksum !== buf[len - 1]) {
      this.checkErrors++;
      this.#fail(ParseError.CHECK);
      return false;
    }
    const bodyEnd = len - checkLen;
    let off = 5;
    let scbType = 0;
    let scbLen = 0;
    if ((ctrl & 0x08) !== 0) { // CTRL_SCB
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
    this.#fields(len, ctrl, scbType, scbLen, off, dataEnd, mac);
    return true;
  }

  /** Fills the fields of an accepted frame from {@link buf}. */
  #fields(
    len: number,
    ctrl: number,
    scbType: number,
    scbLen: number,
    off: number,
    dataEnd: number,
    mac: number,
  ): void {
    const buf = this.buf;
    const addr = buf[1]!;
    this.address = addr & 0x7f;
    this.reply = (addr & 0x80) !== 0; // REPLY_BIT
    this.length = len;
    this.ctrl = ctrl;
    this.seq = ctrl & 0x03; // CTRL_SEQ
    this.crc = (ctrl & 0x04) !== 0; // CTRL_CRC
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
