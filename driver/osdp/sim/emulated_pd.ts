/**
 * An emulated OSDP reader (PD): answers commands like a real reader. Address
 * filter, sequence checks with reply caching (a resent command gets the same
 * reply bytes), CRC or checksum, Secure Channel (install mode with SCBK-D or a
 * configured SCBK; `osdp_KEYSET` sets a new SCBK for the reader's lifetime), card taps (any bit string), keypad input, LED and buzzer
 * state remembered, tamper and power status, and faults on demand: NAKs,
 * BUSY, silence.
 *
 * Pure logic: {@link EmulatedPd.handle} takes a parsed command and writes the
 * reply; {@link OsdpEmulator} puts it on a line.
 *
 * @module
 */

import { BROADCAST, OsdpCmd, OsdpNak, OsdpReply, OsdpScs, REPLY_BIT } from "../constants.ts";
import type { OsdpParser } from "../parser.ts";
import { FrameWriter } from "../writer.ts";
import { parseKeyHex, randomBytes, SCBK_D, SecureSession } from "../secure.ts";
import { LED_RECORD_LENGTH, readBuzzer, readComSettings, readLed } from "../payload.ts";
import { osdpCrc16 } from "../crc.ts";
import { type EmulatedPdOptions, EmulatedPdState } from "./emulated_pd_state.ts";
import { OUTPUT_RECORD_LENGTH, readOutputRecord } from "../output.ts";

/** An emulated reader; see the module documentation. */
export class EmulatedPd extends EmulatedPdState {
  #scbk: Uint8Array | null;
  readonly #random: (buf: Uint8Array) => void;
  readonly #session = new SecureSession();
  readonly #w: FrameWriter;
  readonly #cache: Uint8Array;
  #cacheLen = 0;
  #cacheKey = -1;
  #lastSeq = -1;
  #handshake = false;

  /** Creates a reader. */
  constructor(options: EmulatedPdOptions, maxFrame = 1024) {
    super(options);
    this.#scbk = options.scbk === undefined
      ? null
      : typeof options.scbk === "string"
      ? parseKeyHex(options.scbk)
      : options.scbk;
    this.#random = options.random ?? randomBytes;
    this.#w = new FrameWriter(maxFrame);
    this.#cache = new Uint8Array(maxFrame);
  }

  /** True while a Secure Channel session is established. */
  get secureChannelActive(): boolean {
    return this.#session.active;
  }

  /** A copy of the reader's SCBK (null: install mode, SCBK-D only); for tests. */
  get scbk(): Uint8Array | null {
    return this.#scbk?.slice() ?? null;
  }

  /** Power cycle (the key set by KEYSET is kept, like non-volatile storage): forgets the sequence, the Secure Channel session and the reply cache. */
  reboot(): void {
    this.#lastSeq = -1;
    this.#cacheKey = -1;
    this.#session.clear();
    this.#handshake = false;
  }

  /**
   * Handles one parsed frame. Returns the reply length (the reply is in
   * {@link replyBuffer}), or 0 when the frame is not for this reader or it
   * stays silent.
   */
  handle(p: OsdpParser): number {
    const n = this.#handle(p);
    if (n > 0 && this.dropCount > 0) {
      this.dropCount--;
      return 0;
    }
    return n;
  }

  #handle(p: OsdpParser): number {
    if (p.reply || (p.address !== this.address && p.address !== BROADCAST)) return 0;
    this.counters.commands++;
    if (this.received.length >= 1000) this.received.shift();
    this.received.push({ seq: p.seq, code: p.code, crc: p.crc, scbType: p.scbType });
    if (this.silent) return 0;
    const crc = p.crc && !this.options.checksumOnly;
    if (p.crc && this.options.checksumOnly) return this.#nak(p.seq, false, OsdpNak.CHECK, false);
    const key = (p.length << 16) | osdpCrc16(p.frame, p.frameStart, p.frameStart + p.length);
    if (p.seq === 0) {
      this.#session.clear();
      this.#handshake = false;
    } else if (p.seq === this.#lastSeq && key === this.#cacheKey) {
      this.counters.cachedReplies++;
      this.counters.replies++;
      this.#w.buf.set(this.#cache.subarray(0, this.#cacheLen));
      return this.#cacheLen;
    } else if (this.#lastSeq < 0 || p.seq !== (this.#lastSeq >= 3 ? 1 : this.#lastSeq + 1)) {
      return this.#nak(p.seq, crc, OsdpNak.SEQUENCE, false);
    }
    const fault = this.faults.shift();
    if (fault) {
      if (fault.code === OsdpReply.BUSY) {
        return this.#send(p.seq, crc, OsdpReply.BUSY, fault.data, false, false);
      }
      const nak = fault.data[0]!;
      return this.#nak(p.seq, crc, nak, nak !== OsdpNak.CHECK && nak !== OsdpNak.SEQUENCE, key);
    }
    const d = p.frameStart + p.dataOffset; // the frame where it lies (see OsdpParser.frame)
    let data = p.frame.subarray(d, d + p.dataLength);
    const s = this.#session;
    const secured = p.scbType === OsdpScs.S15 || p.scbType === OsdpScs.S17;
    if (secured) {
      if (!s.active || !s.verify(p.frame, p.macOffset, true, p.frameStart)) {
        this.counters.macErrors++;
        s.clear();
        return this.#nak(p.seq, crc, OsdpNak.SECURITY_UNSUPPORTED, true, key);
      }
      if (p.scbType === OsdpScs.S17) {
        const plain = s.decrypt(data.slice(), true);
        if (plain === null) {
          s.clear();
          return this.#nak(p.seq, crc, OsdpNak.SECURITY_UNSUPPORTED, true, key);
        }
        data = plain;
      }
    } else if (p.code !== OsdpCmd.CHLNG && p.code !== OsdpCmd.SCRYPT) {
      if (s.active) s.clear(); // a command in clear ends the session
      this.#handshake = false;
      const open = p.code === OsdpCmd.ID || p.code === OsdpCmd.CAP;
      if (this.options.requireSecureChannel && !open) {
        return this.#nak(p.seq, crc, OsdpNak.ENCRYPTION_REQUIRED, true, key);
      }
    }
    return this.#dispatch(p, data, crc, secured, key);
  }

  /** The buffer holding the last reply. */
  get replyBuffer(): Uint8Array {
    return this.#w.buf;
  }

  #dispatch(p: OsdpParser, data: Uint8Array, crc: boolean, secured: boolean, key: number): number {
    const seq = p.seq;
    const reply = (code: number, d: Uint8Array) =>
      this.#send(seq, crc, code, d, secured, true, key);
    const ack = () => reply(OsdpReply.ACK, new Uint8Array(0));
    switch (p.code) {
      case OsdpCmd.POLL: {
        if (this.statusChanged) {
          this.statusChanged = false;
          return reply(OsdpReply.LSTATR, Uint8Array.of(+this.tamper, +this.powerFailure));
        }
        const ev = this.events.shift();
        return ev ? reply(ev.code, ev.data) : ack();
      }
      case OsdpCmd.ID:
        return reply(OsdpReply.PDID, this.pdid());
      case OsdpCmd.CAP:
        return reply(OsdpReply.PDCAP, this.pdcap());
      case OsdpCmd.LSTAT:
        this.statusChanged = false;
        return reply(OsdpReply.LSTATR, Uint8Array.of(+this.tamper, +this.powerFailure));
      case OsdpCmd.LED:
        if (data.length < LED_RECORD_LENGTH || data.length % LED_RECORD_LENGTH !== 0) {
          return this.#nak(seq, crc, OsdpNak.LENGTH, true, key, secured);
        }
        for (let i = 0; i < data.length; i += LED_RECORD_LENGTH) {
          const r = readLed(data, i);
          this.leds.set(r.led, r);
        }
        return ack();
      case OsdpCmd.OUT:
        if (data.length < OUTPUT_RECORD_LENGTH || data.length % OUTPUT_RECORD_LENGTH !== 0) {
          return this.#nak(seq, crc, OsdpNak.LENGTH, true, key, secured);
        }
        for (let i = 0; i < data.length; i += OUTPUT_RECORD_LENGTH) {
          if (this.outputs.length >= 1000) this.outputs.shift();
          this.outputs.push(readOutputRecord(data, i));
        }
        return ack();
      case OsdpCmd.BUZ:
        if (data.length < 5) return this.#nak(seq, crc, OsdpNak.LENGTH, true, key, secured);
        this.buzzer = readBuzzer(data, 0);
        return ack();
      case OsdpCmd.COMSET: {
        const c = readComSettings(data, 0, data.length);
        if (!c) return this.#nak(seq, crc, OsdpNak.LENGTH, true, key, secured);
        const n = reply(OsdpReply.COM, data.slice(0, 5));
        if (c.address < BROADCAST) this.address = c.address;
        this.baudRate = c.baudRate;
        return n;
      }
      case OsdpCmd.KEYSET: {
        // Only under an active session; key type 1 (SCBK), 16 bytes (as libosdp).
        if (!secured) return this.#nak(seq, crc, OsdpNak.SECURITY_UNSUPPORTED, true, key);
        if (data.length !== 18 || data[0] !== 1 || data[1] !== 16) {
          return this.#nak(seq, crc, OsdpNak.UNABLE, true, key, secured);
        }
        const n = ack();
        this.#scbk = data.slice(2, 18);
        this.#session.clear(); // the next commands need a handshake under the new key
        this.counters.keysets++;
        return n;
      }
      case OsdpCmd.KEEPACTIVE:
        return data.length < 2 ? this.#nak(seq, crc, OsdpNak.LENGTH, true, key, secured) : ack();
      case OsdpCmd.CHLNG:
        return this.#challenge(p, data, crc, key);
      case OsdpCmd.SCRYPT:
        return this.#scrypt(p, data, crc, key);
      default:
        return this.#nak(seq, crc, OsdpNak.UNKNOWN_COMMAND, true, key, secured);
    }
  }

  #challenge(p: OsdpParser, data: Uint8Array, crc: boolean, key: number): number {
    const keyType = p.scbDataLength >= 1 ? p.frame[p.frameStart + p.scbDataOffset]! : 0;
    const offered = this.options.secureChannel ?? true;
    const scbk = keyType === 1 ? this.#scbk : this.#scbk === null ? SCBK_D : null;
    if (!offered || scbk === null || data.length < 8) {
      return this.#nak(p.seq, crc, OsdpNak.SECURITY_UNSUPPORTED, true, key);
    }
    const s = this.#session;
    s.clear();
    s.rndA.set(data.subarray(0, 8));
    s.deriveKeys(scbk);
    this.#random(s.rndB);
    this.#handshake = true;
    const out = new Uint8Array(32);
    out.set(this.cuid());
    out.set(s.rndB, 8);
    out.set(s.clientCryptogram(), 16);
    return this.#send(p.seq, crc, OsdpReply.CCRYPT, out, false, true, key, OsdpScs.S12, keyType);
  }

  #scrypt(p: OsdpParser, data: Uint8Array, crc: boolean, key: number): number {
    const s = this.#session;
    if (!this.#handshake || data.length < 16) {
      return this.#nak(p.seq, crc, OsdpNak.SECURITY_UNSUPPORTED, true, key);
    }
    this.#handshake = false;
    const expect = s.serverCryptogram();
    let diff = 0;
    for (let i = 0; i < 16; i++) diff |= expect[i]! ^ data[i]!;
    if (diff !== 0) {
      s.clear();
      return this.#nak(p.seq, crc, OsdpNak.SECURITY_UNSUPPORTED, true, key);
    }
    const rmac = s.initialRmac(expect);
    const n = this.#send(p.seq, crc, OsdpReply.RMAC_I, rmac, false, true, key, OsdpScs.S14, 1);
    s.activate(rmac);
    this.counters.handshakes++;
    return n;
  }

  #nak(
    seq: number,
    crc: boolean,
    code: number,
    advance: boolean,
    key = -1,
    secured = false,
  ): number {
    this.counters.naks++;
    return this.#send(seq, crc, OsdpReply.NAK, Uint8Array.of(code), secured, advance, key);
  }

  #send(
    seq: number,
    crc: boolean,
    code: number,
    data: Uint8Array,
    secured: boolean,
    advance: boolean,
    key = -1,
    scbType = 0,
    scbData = -1,
  ): number {
    const w = this.#w;
    const addr = this.address | REPLY_BIT;
    const s = this.#session;
    let n: number;
    if (secured && s.active) {
      if (data.length > 0) {
        w.begin(addr, seq, crc, OsdpScs.S18).u8(code).bytes(s.encrypt(data, false));
      } else w.begin(addr, seq, crc, OsdpScs.S16).u8(code);
      n = w.finish(s.signer(false));
    } else {
      w.begin(addr, seq, crc, scbType, scbData).u8(code).bytes(data);
      n = w.finish();
    }
    this.counters.replies++;
    if (advance) {
      this.#lastSeq = seq;
      this.#cacheKey = key;
      this.#cache.set(w.buf.subarray(0, n));
      this.#cacheLen = n;
    }
    return n;
  }
}
