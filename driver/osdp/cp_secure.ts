/**
 * The control panel's side of Secure Channel for one reader: the handshake
 * (`osdp_CHLNG` → `osdp_CCRYPT` → `osdp_SCRYPT` → `osdp_RMAC_I`), framing of
 * commands (`SCS_15` MAC only, `SCS_17` encrypted data) and opening replies
 * (`SCS_16`/`SCS_18`: MAC checked, data decrypted).
 *
 * @module
 */

import { OsdpCmd, OsdpScs } from "./constants.ts";
import type { OsdpParser } from "./parser.ts";
import { randomBytes, SecureSession, type SessionKeys } from "./secure.ts";
import type { KeyCandidate } from "./key_ring.ts";
import type { FrameWriter } from "./writer.ts";

/** Secure Channel state of the CP for one reader. */
export class CpSecureChannel {
  /** True when configured (a key, install mode, or SCBK-D). */
  readonly wanted: boolean;
  /** True when readers without a working Secure Channel are refused. */
  readonly required: boolean;
  /** Reply data after {@link openReply}: buffer, offset, length. */
  replyBuf: Uint8Array = new Uint8Array(0);
  /** Offset of the reply data in {@link replyBuf}. */
  replyOff = 0;
  /** Length of the reply data. */
  replyLen = 0;
  readonly #session = new SecureSession();
  #keyType = 0;
  readonly #random: (buf: Uint8Array) => void;
  #serverCryptogram: Uint8Array = new Uint8Array(16);

  /** `config` absent → Secure Channel off (keys come with each {@link challenge}). */
  constructor(
    config: { required?: boolean } | undefined,
    random: (buf: Uint8Array) => void = randomBytes,
  ) {
    this.wanted = config !== undefined;
    this.required = config?.required === true;
    this.#random = random;
  }

  /** True once the handshake completed. */
  get active(): boolean {
    return this.#session.active;
  }

  /** The active session's keys and MAC chain (for a capture), or null without one. */
  sessionKeys(): SessionKeys | null {
    return this.#session.active ? this.#session.exportKeys() : null;
  }

  /** Ends the session and forgets its keys. */
  clear(): void {
    this.#session.clear();
  }

  /**
   * Starts a handshake under `key` (key type 0 for SCBK-D, 1 otherwise): new
   * RND.A, session keys derived; returns the `osdp_CHLNG` data.
   */
  challenge(key: KeyCandidate): Uint8Array {
    const s = this.#session;
    s.clear();
    this.#random(s.rndA);
    s.deriveKeys(key.key);
    this.#keyType = key.source === "default" ? 0 : 1;
    return s.rndA.slice();
  }

  /**
   * Checks `osdp_CCRYPT` (client UID, RND.B, client cryptogram); on success
   * returns null and the `osdp_SCRYPT` data is ready, else the problem.
   */
  checkCcrypt(buf: Uint8Array, off: number, len: number): string | null {
    if (len < 32) return "short CCRYPT reply";
    const s = this.#session;
    s.rndB.set(buf.subarray(off + 8, off + 16));
    const expect = s.clientCryptogram();
    let diff = 0;
    for (let i = 0; i < 16; i++) diff |= expect[i]! ^ buf[off + 16 + i]!;
    if (diff !== 0) return "key mismatch: the reader's cryptogram did not verify (wrong SCBK?)";
    this.#serverCryptogram = s.serverCryptogram();
    return null;
  }

  /** The `osdp_SCRYPT` data (server cryptogram). */
  get serverCryptogram(): Uint8Array {
    return this.#serverCryptogram;
  }

  /** Checks `osdp_RMAC_I`; on success the session is active. */
  checkRmacI(p: OsdpParser, buf: Uint8Array, off: number, len: number): boolean {
    const accepted = p.scbDataLength >= 1 &&
      p.frame[p.frameStart + p.scbDataOffset] === 0x01 && len >= 16;
    if (!accepted) return false;
    const expect = this.#session.initialRmac(this.#serverCryptogram);
    let diff = 0;
    for (let i = 0; i < 16; i++) diff |= expect[i]! ^ buf[off + i]!;
    if (diff !== 0) return false;
    this.#session.activate(expect);
    return true;
  }

  /** Frames a command into `w`: handshake blocks, secured when active, else in clear. Returns its length. */
  frame(
    w: FrameWriter,
    address: number,
    seq: number,
    crc: boolean,
    code: number,
    data: Uint8Array | null,
  ): number {
    const s = this.#session;
    if (code === OsdpCmd.CHLNG || code === OsdpCmd.SCRYPT) {
      const scs = code === OsdpCmd.CHLNG ? OsdpScs.S11 : OsdpScs.S13;
      w.begin(address, seq, crc, scs, this.#keyType).u8(code).bytes(data!);
      return w.finish();
    }
    if (s.active) {
      if (data && data.length > 0) {
        w.begin(address, seq, crc, OsdpScs.S17).u8(code).bytes(s.encrypt(data, true));
      } else {
        w.begin(address, seq, crc, OsdpScs.S15).u8(code);
      }
      return w.finish(s.signer(true));
    }
    w.begin(address, seq, crc).u8(code);
    if (data) w.bytes(data);
    return w.finish();
  }

  /**
   * Opens a reply: checks its MAC and decrypts its data when secured; the
   * data is then at {@link replyBuf}/{@link replyOff}/{@link replyLen}.
   * Returns null, or the problem (the session is then lost).
   */
  openReply(p: OsdpParser): string | null {
    const s = this.#session;
    const f = p.frame; // the frame where it lies (see OsdpParser.frame)
    const at = p.frameStart;
    this.replyBuf = f;
    this.replyOff = at + p.dataOffset;
    this.replyLen = p.dataLength;
    if (p.scbType === OsdpScs.S16 || p.scbType === OsdpScs.S18) {
      if (!s.active || !s.verify(f, p.macOffset, false, at)) return "reply MAC did not verify";
      if (p.scbType === OsdpScs.S18) {
        const plain = s.decrypt(f.slice(this.replyOff, this.replyOff + p.dataLength), false);
        if (plain === null) return "reply data did not decrypt";
        this.replyBuf = plain;
        this.replyOff = 0;
        this.replyLen = plain.length;
      }
    }
    return null;
  }
}
