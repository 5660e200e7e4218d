/**
 * OSDP frame parser. Zero allocation after construction: a frame that lies
 * whole in the bytes given to {@link OsdpParser.feed} is checked where it lies
 * and handed on in place ({@link OsdpParser.frame} at
 * {@link OsdpParser.frameStart}); a frame split across calls is assembled byte
 * by byte in a preallocated buffer. Its fields are plain integer properties,
 * errors are counted (the last error code kept) and never thrown. The common
 * frame (CRC, no security block) takes a short path (./frame_check.ts) that
 * keeps `feed` small enough for V8 to inline it into the caller's loop.
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
import { ParseError } from "./parse_error.ts";
import { osdpChecksum, osdpCrc16 } from "./crc.ts";
import { checkedFrameLength } from "./frame_check.ts";

// A module-local alias: V8 folds it into optimised code as a constant, an
// imported binding it loads and checks at every call.
const frameLength = checkedFrameLength;
// Initial values of the right kind for fields set in the constructor, so V8
// records a small integer and a Uint8Array for them (not undefined first).
const NO_FRAME = new Uint8Array(0);

/** Default largest frame accepted, SOM through check, in bytes. */
export const MAX_FRAME = 1024;
/** Smallest possible frame (checksum mode, no data). */
export const MIN_FRAME = 7;

export { ParseError, parseErrorName } from "./parse_error.ts";

/** The parser's states: hunting for SOM, inside a frame, or a frame handed on with bytes kept to rescan. */
const ParserState = { HUNT: 0, BODY: 1, DONE: 2 } as const;
const { HUNT } = ParserState;
// In the per-byte and per-frame paths below, the states and the framing
// constants (SOM, MARK, CTRL_*, REPLY_BIT, MIN_FRAME) are written as literals,
// named in comments: a module-level or imported constant costs a load and an
// initialisation check per use in optimised code.
// test/driver/osdp/parser_whole_test.ts checks the literals against the names.

/** Frame parser; see the module documentation. */
export class OsdpParser {
  /**
   * The array holding the frame once {@link ready}: SOM through check in
   * `frame[frameStart .. frameStart + length)`. It is the caller's `src` when
   * the frame lay whole in one {@link feed} call (no copy), else the parser's
   * own buffer. {@link dataOffset}, {@link scbDataOffset} and
   * {@link macOffset} count from {@link frameStart}. Valid until the next
   * {@link feed} or {@link reset}, and only while the caller leaves `src` as it was.
   */
  frame: Uint8Array = NO_FRAME;
  /** Offset of the frame's SOM in {@link frame}. */
  frameStart = 0;
  /** Largest frame accepted. */
  readonly maxLength: number = MAX_FRAME;

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

  /** The parser's own buffer: split frames, and bytes kept for rescanning. */
  readonly #buf: Uint8Array;
  #state: number = HUNT;
  #pos = 0;
  #len = 0;
  #replayIdx = 0;
  #replayEnd = 0;

  /** Creates a parser accepting frames up to `maxLength` bytes (at least 8, at most 65535). */
  constructor(maxLength: number = MAX_FRAME) {
    this.maxLength = Math.max(8, Math.min(0xffff, maxLength | 0));
    this.#buf = new Uint8Array(this.maxLength);
    this.frame = this.#buf;
  }

  /**
   * The frame, SOM through check, in `buf[0 .. length)` once {@link ready}
   * (offsets as for {@link frame}). A frame handed on in place is copied here
   * at every read (so read it before changing `src`); hot paths read
   * {@link frame} instead.
   */
  get buf(): Uint8Array {
    const own = this.#buf;
    const f = this.frame;
    const at = this.frameStart;
    if (f !== own && this.ready) { for (let k = 0; k < this.length; k++) own[k] = f[at + k]!; }
    return own;
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
    if ((this.#state | this.#replayEnd) !== 0) return this.#bytes(src, start, end);
    // Hunting, nothing kept: skip to SOM here and check a whole frame where it
    // lies (./frame_check.ts); take the common one (CRC, no security block) at
    // once, read another's layout (#other); a split or bad frame goes to the
    // byte path, which starts over from the SOM.
    let i = start;
    while (i < end) {
      const b = src[i]!;
      if (b === 0x53) { // SOM
        const len = frameLength(src, i, end, this.maxLength);
        if (len <= 0) { // any other frame: checked (-len), or left to the byte path
          if (len === 0) break;
          return this.#other(src, i, -len, end);
        }
        this.#take(src, i, len);
        return (i + len) | 0;
      }
      if (b !== 0xff) this.garbageBytes++; // MARK
      i++;
    }
    return this.#bytes(src, i, end);
  }

  /** {@link feed}'s common frame, checked: its fields. */
  #take(src: Uint8Array, at: number, len: number): void {
    const addr = src[(at + 1) | 0]!;
    const ctrl = src[(at + 4) | 0]!;
    this.frame = src;
    this.frameStart = at;
    this.address = addr & 0x7f;
    this.reply = (addr & 0x80) !== 0; // REPLY_BIT
    this.length = len;
    this.ctrl = ctrl;
    this.seq = ctrl & 0x03; // CTRL_SEQ
    this.crc = true;
    this.scbType = 0;
    this.scbDataOffset = 0;
    this.scbDataLength = 0;
    this.code = src[(at + 5) | 0]!;
    this.dataOffset = 6;
    this.dataLength = (len - 8) | 0;
    this.macOffset = -1;
    this.frames++;
    this.ready = true;
  }

  /** {@link feed}'s frame with a security block or a checksum, whole, check verified: as {@link #whole}. */
  #other(src: Uint8Array, at: number, len: number, end: number): number {
    this.frame = src;
    this.frameStart = at;
    this.#state = 1; // BODY
    this.#pos = len;
    this.#len = len;
    const e = at + len;
    if (this.#acceptAny(src[e - 2]! | (src[e - 1]! << 8), src[e - 1]!)) return e;
    return this.#bytes(src, e, end); // a bad layout: rescan what #fail kept
  }

  /**
   * {@link feed}'s byte path: bytes kept for rescanning first, then `src`
   * byte by byte, whole frames still taken in place. Out of line: after an
   * error, for a frame split across calls, and where the input runs out.
   */
  #bytes(src: Uint8Array, start: number, end: number): number {
    if (this.#state === 2) { // DONE: the last frame handed on, the bytes kept move up
      this.#state = 0; // HUNT
      this.#pos = 0;
      this.#keepReplay();
    }
    if (this.#replayIdx < this.#replayEnd && this.#replay()) return start;
    for (let i = start; i < end; i++) {
      const b = src[i]!;
      if (b === 0x53 && this.#state === 0 && i + 4 <= end) { // SOM, HUNT
        // A whole frame in src: checked in place, no per-byte steps.
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

  /** Steps through the bytes {@link #fail} kept for rescanning; true when they complete a frame. */
  #replay(): boolean {
    while (this.#replayIdx < this.#replayEnd) {
      if (this.#step(this.#buf[this.#replayIdx++]!)) return true;
    }
    this.#replayIdx = 0;
    this.#replayEnd = 0;
    return false;
  }

  /**
   * The frame `src[at .. at + len)` (SOM first, length in range) all at once:
   * computes its check where it lies, then accepts or fails it exactly as the
   * byte path would after its last byte. No copy: an accepted frame is handed
   * on in place, a failed one copied by {@link #fail} for rescanning.
   */
  #whole(src: Uint8Array, at: number, len: number): boolean {
    this.frame = src;
    this.frameStart = at;
    this.#state = 1; // BODY
    this.#pos = len;
    this.#len = len;
    return (src[at + 4]! & 0x04) !== 0 // CTRL_CRC
      ? this.#acceptAny(osdpCrc16(src, at, at + len - 2), 0)
      : this.#acceptAny(0, osdpChecksum(src, at, at + len - 1));
  }

  /** Drops any partial frame and pending bytes (counted as truncated when a frame was under way). */
  reset(): void {
    if (this.#state === 1) { // BODY
      this.truncated++;
      this.lastError = ParseError.TRUNCATED;
    }
    this.#state = HUNT;
    this.#pos = 0;
    this.#replayIdx = 0;
    this.#replayEnd = 0;
    this.ready = false;
    this.frame = this.#buf;
    this.frameStart = 0;
  }

  /** True while a frame is partly received. */
  get busy(): boolean {
    return this.#state !== HUNT || this.#replayIdx < this.#replayEnd;
  }

  /** Total errors of all kinds. */
  get errors(): number {
    return this.checkErrors + this.lengthErrors + this.layoutErrors + this.truncated;
  }

  /** After a frame: the bytes still kept for rescanning move to the buffer's start. */
  #keepReplay(): void {
    if (this.#replayIdx < this.#replayEnd) {
      this.#buf.copyWithin(0, this.#replayIdx, this.#replayEnd);
      this.#replayEnd -= this.#replayIdx;
    } else {
      this.#replayEnd = 0;
    }
    this.#replayIdx = 0;
  }

  #step(b: number): boolean {
    const buf = this.#buf;
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
        this.frame = buf; // may still name the last in-place frame's src
        this.#fail(ParseError.LENGTH);
        return false;
      }
      this.#len = len;
      return false;
    }
    // complete: checked and accepted as a whole one
    if (pos + 1 === this.#len && pos > 3) return this.#whole(buf, 0, this.#len);
    return false;
  }

  /**
   * {@link #whole}'s frame, any kind (checksum mode, security blocks, MACs,
   * every error): `crc16` is the CRC over all but its last two bytes (CRC
   * mode), `checksum` the checksum over all but its last byte (checksum
   * mode). Fills the fields or fails it.
   */
  #acceptAny(crc16: number, checksum: number): boolean {
    const f = this.frame;
    const at = this.frameStart;
    const len = this.#len;
    const ctrl = f[at + 4]!;
    const crc = (ctrl & 0x04) !== 0; // CTRL_CRC
    const checkLen = crc ? 2 : 1;
    if (crc) {
      if (len < 8) { // MIN_FRAME + 1
        this.lengthErrors++;
        this.#fail(ParseError.LENGTH);
        return false;
      }
      if (crc16 !== (f[at + len - 2]! | (f[at + len - 1]! << 8))) {
        this.checkErrors++;
        this.#fail(ParseError.CHECK);
        return false;
      }
    } else if (checksum !== f[at + len - 1]) {
      this.checkErrors++;
      this.#fail(ParseError.CHECK);
      return false;
    }
    const bodyEnd = len - checkLen;
    let off = 5;
    let scbType = 0;
    let scbLen = 0;
    if ((ctrl & 0x08) !== 0) { // CTRL_SCB
      scbLen = f[at + 5]!;
      if (scbLen < 2 || 5 + scbLen >= bodyEnd) {
        this.layoutErrors++;
        this.#fail(ParseError.LAYOUT);
        return false;
      }
      scbType = f[at + 6]!;
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
    const addr = f[at + 1]!;
    this.address = addr & 0x7f;
    this.reply = (addr & 0x80) !== 0; // REPLY_BIT
    this.length = len;
    this.ctrl = ctrl;
    this.seq = ctrl & 0x03; // CTRL_SEQ
    this.crc = crc;
    this.scbType = scbType;
    this.scbDataOffset = scbLen > 0 ? 7 : 0;
    this.scbDataLength = scbLen > 2 ? scbLen - 2 : 0;
    this.code = f[at + off]!;
    this.dataOffset = off + 1;
    this.dataLength = dataEnd - off - 1;
    this.macOffset = mac;
    this.frames++;
    this.ready = true;
    if (this.#replayIdx < this.#replayEnd) {
      this.#state = 2; // DONE: the bytes kept move up at the next call (#bytes)
    } else {
      this.#state = 0; // HUNT, nothing kept
      this.#pos = 0;
      this.#replayIdx = 0;
      this.#replayEnd = 0;
    }
    return true;
  }

  /** Drops the frame under way and rescans its bytes after SOM for the next SOM. */
  #fail(code: number): void {
    this.lastError = code;
    const buf = this.#buf;
    const pos = this.#pos;
    const f = this.frame;
    const at = this.frameStart;
    if (f !== buf) { // a frame checked in place: rescanned from the own buffer
      for (let k = 0; k < pos; k++) buf[k] = f[at + k]!;
      this.frame = buf;
      this.frameStart = 0;
    }
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
