/**
 * The control panel's state machine for one reader (PD): first contact at
 * sequence 0 (ID, CAP, Secure Channel handshake, LSTAT), then polling with
 * sequence 1, 2, 3, 1, …; resends on reply timeout with the same sequence;
 * NAK handling (1 → checksum, 4 → restart at 0, 5/6 → Secure Channel
 * problem), BUSY retries, offline detection and capped reconnect backoff.
 *
 * It does no I/O and reads no clock: the bus hands it the time, writes the
 * bytes it builds and gives it the replies addressed to it.
 *
 * @module
 */

import { nakName, OsdpCmd, OsdpNak, OsdpReply, OsdpScs } from "./constants.ts";
import type { OsdpParser } from "./parser.ts";
import { FrameWriter } from "./writer.ts";
import { randomBytes, SCBK_D, SecureSession } from "./secure.ts";
import {
  type Capability,
  type PdId,
  readCapabilities,
  readComSettings,
  readKeypad,
  readLocalStatus,
  readPdId,
  supportsCrc,
  supportsSecureChannel,
} from "./payload.ts";
import type { LinkTiming } from "./timing.ts";
import { OsdpCardDecoder } from "./card_data.ts";
import type { CardRead } from "../card.ts";

/** Log callback (same shape as the service's logger). Keys are never passed to it. */
export type OsdpLogger = (
  level: "debug" | "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** Where a link reports what it receives. */
export interface LinkSink {
  /** A card was read; `read` is reused, valid during the call only. */
  card(link: PdLink, read: CardRead, source: "raw" | "fmt", readerNumber: number): void;
  /** Keys were pressed (`*` and `#` as characters). */
  keypad(link: PdLink, keys: string, readerNumber: number): void;
  /** Log line. */
  log: OsdpLogger;
}

/** Secure Channel state of a link. */
export type ScState = "off" | "handshake" | "active" | "failed" | "unsupported";

/** Connection phase of a link. */
export type LinkPhase = "connecting" | "online" | "offline" | "refused";

/** Counters of one link (plain integers). */
export interface LinkCounters {
  /** Commands sent (resends included). */
  sent: number;
  /** Valid replies accepted. */
  replies: number;
  /** Reply timeouts. */
  timeouts: number;
  /** Commands resent with the same sequence number. */
  resends: number;
  /** NAK replies. */
  naks: number;
  /** BUSY replies. */
  busy: number;
  /** Restarts at sequence 0 (NAK 4, lost Secure Channel). */
  restarts: number;
  /** Reply MACs that did not verify or data that did not decrypt. */
  macErrors: number;
  /** Failed Secure Channel handshakes. */
  scFailures: number;
  /** Replies with a sequence number other than the command's. */
  staleReplies: number;
  /** Cards decoded. */
  cards: number;
  /** Card data that did not decode (parity, length). */
  cardErrors: number;
  /** Keypad reports. */
  keypads: number;
  /** Commands dropped (queue full, reader not online, refused by NAK). */
  dropped: number;
}

/** Per-reader configuration of a link. */
export interface PdLinkConfig {
  /** Reader name (as in the agent's config). */
  name: string;
  /** Address 0x00–0x7E. */
  address: number;
  /** Secure Channel: absent → plain; `scbk` absent → SCBK-D (install mode). */
  secureChannel?: { scbk?: Uint8Array; required?: boolean };
  /** Timing (resolved). */
  timing: LinkTiming;
  /** Source of RND.A (default: crypto random). */
  random?: (buf: Uint8Array) => void;
}

const STEP_ID = 0, STEP_CAP = 1, STEP_CHLNG = 2, STEP_SCRYPT = 3, STEP_LSTAT = 4, STEP_RUN = 5;
const MAX_QUEUE = 16;

interface Queued {
  code: number;
  data: Uint8Array | null;
}

/** One reader's link state; see the module documentation. */
export class PdLink {
  /** Reader name. */
  readonly name: string;
  /** Current address (changes after an accepted COMSET). */
  address: number;
  /** Timing. */
  readonly timing: LinkTiming;
  /** Phase. */
  phase: LinkPhase = "connecting";
  /** Secure Channel state. */
  sc: ScState = "off";
  /** Last Secure Channel problem (never contains key material). */
  scError = "";
  /** CRC-16 (true) or checksum (after NAK 1 or a PDCAP without CRC). */
  useCrc = true;
  /** Tamper from the last LSTATR, null before the first. */
  tamper: boolean | null = null;
  /** Power failure from the last LSTATR, null before the first. */
  powerFailure: boolean | null = null;
  /** PDID of the reader. */
  pdId: PdId | null = null;
  /** PDCAP of the reader. */
  capabilities: Capability[] = [];
  /** Last NAK code received, -1 before any. */
  lastNak: number = -1;
  /** Last error message for status. */
  lastError = "";
  /** Last COM reply (after COMSET). */
  com: { address: number; baudRate: number } | null = null;
  /** Time of the last valid reply (ms). */
  lastReplyAt: number;
  /** Earliest time the next transaction may start (ms). */
  dueAt: number;
  /** Counters. */
  readonly counters: LinkCounters = {
    sent: 0,
    replies: 0,
    timeouts: 0,
    resends: 0,
    naks: 0,
    busy: 0,
    restarts: 0,
    macErrors: 0,
    scFailures: 0,
    staleReplies: 0,
    cards: 0,
    cardErrors: 0,
    keypads: 0,
    dropped: 0,
  };

  readonly #sink: LinkSink;
  readonly #tx: FrameWriter;
  readonly #session = new SecureSession();
  readonly #cards = new OsdpCardDecoder();
  readonly #scWanted: boolean;
  readonly #scRequired: boolean;
  readonly #scbk: Uint8Array;
  readonly #keyType: number;
  readonly #random: (buf: Uint8Array) => void;
  readonly #queue: Queued[] = [];
  #step = STEP_ID;
  #seq = 0;
  #inflight = false;
  #txLen = 0;
  #cmd: Queued = { code: OsdpCmd.ID, data: null };
  #sentAt = 0;
  #backoff: number;
  #serverCryptogram: Uint8Array = new Uint8Array(16);

  /** Creates a link starting at `now` (first contact due immediately). */
  constructor(config: PdLinkConfig, sink: LinkSink, now: number, maxFrame = 1024) {
    this.name = config.name;
    this.address = config.address;
    this.timing = config.timing;
    this.#sink = sink;
    this.#tx = new FrameWriter(maxFrame);
    this.#scWanted = config.secureChannel !== undefined;
    this.#scRequired = config.secureChannel?.required === true;
    this.#scbk = config.secureChannel?.scbk ?? SCBK_D;
    this.#keyType = config.secureChannel?.scbk ? 1 : 0;
    this.#random = config.random ?? randomBytes;
    this.lastReplyAt = now;
    this.dueAt = now;
    this.#backoff = config.timing.reconnectMinMs;
  }

  /** Sequence number of the command in flight (or the next one). */
  get seq(): number {
    return this.#seq;
  }

  /** True when the reader is online and (if required) secured: card data is accepted. */
  get online(): boolean {
    return this.phase === "online";
  }

  /** Commands waiting to be sent. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues a command for the next slot; false (counted) when not online or the queue is full. */
  enqueue(code: number, data: Uint8Array | null = null): boolean {
    if (this.phase !== "online" || this.#queue.length >= MAX_QUEUE) {
      this.counters.dropped++;
      return false;
    }
    this.#queue.push({ code, data });
    return true;
  }

  /**
   * The bytes to send now: a resend of the command in flight or a new one.
   * Returns the frame (a view of the link's own buffer, valid until the next call).
   */
  nextFrame(now: number): Uint8Array {
    if (!this.#inflight) {
      this.#cmd = this.#pick();
      this.#build();
      this.#inflight = true;
      this.#sentAt = now;
    } else {
      this.counters.resends++;
    }
    this.counters.sent++;
    return this.#tx.buf.subarray(0, this.#txLen);
  }

  #pick(): Queued {
    switch (this.#step) {
      case STEP_ID:
        return { code: OsdpCmd.ID, data: Uint8Array.of(0) };
      case STEP_CAP:
        return { code: OsdpCmd.CAP, data: Uint8Array.of(0) };
      case STEP_CHLNG: {
        const s = this.#session;
        this.#random(s.rndA);
        s.deriveKeys(this.#scbk);
        this.sc = "handshake";
        return { code: OsdpCmd.CHLNG, data: s.rndA.slice() };
      }
      case STEP_SCRYPT:
        return { code: OsdpCmd.SCRYPT, data: this.#serverCryptogram };
      case STEP_LSTAT:
        return { code: OsdpCmd.LSTAT, data: null };
      default:
        return this.#queue.shift() ?? { code: OsdpCmd.POLL, data: null };
    }
  }

  #build(): void {
    const w = this.#tx;
    const { code, data } = this.#cmd;
    const s = this.#session;
    if (code === OsdpCmd.CHLNG || code === OsdpCmd.SCRYPT) {
      w.begin(
        this.address,
        this.#seq,
        this.useCrc,
        code === OsdpCmd.CHLNG ? OsdpScs.S11 : OsdpScs.S13,
        this.#keyType,
      );
      w.u8(code).bytes(data!);
      this.#txLen = w.finish();
    } else if (s.active) {
      if (data && data.length > 0) {
        w.begin(this.address, this.#seq, this.useCrc, OsdpScs.S17).u8(code).bytes(
          s.encrypt(data, true),
        );
      } else {
        w.begin(this.address, this.#seq, this.useCrc, OsdpScs.S15).u8(code);
      }
      this.#txLen = w.finish(s.signer(true));
    } else {
      w.begin(this.address, this.#seq, this.useCrc).u8(code);
      if (data) w.bytes(data);
      this.#txLen = w.finish();
    }
  }

  /** No reply came within the reply timeout. */
  onTimeout(now: number): void {
    this.counters.timeouts++;
    if (this.phase === "offline" || this.phase === "refused") {
      this.#inflight = false;
      this.#retryLater(now);
      return;
    }
    if (now - this.lastReplyAt >= this.timing.offlineAfterMs) {
      this.#goOffline(now);
      return;
    }
    this.dueAt = now; // resend the same bytes, same sequence
  }

  /**
   * A frame with the reply bit and this link's address arrived while its
   * command was in flight. Returns false when it is not the awaited reply
   * (wrong sequence), so the bus keeps waiting.
   */
  onReply(p: OsdpParser, now: number): boolean {
    if (!this.#inflight) return false;
    if (p.seq !== this.#seq) {
      this.counters.staleReplies++;
      return false;
    }
    const s = this.#session;
    let buf = p.buf;
    let off = p.dataOffset;
    let len = p.dataLength;
    const code = p.code;
    if (p.scbType === OsdpScs.S16 || p.scbType === OsdpScs.S18) {
      if (!s.active || !s.verify(p.buf, p.macOffset, false)) {
        return this.#scLost(now, "reply MAC did not verify");
      }
      if (p.scbType === OsdpScs.S18) {
        const plain = s.decrypt(p.buf.slice(off, off + len), false);
        if (plain === null) return this.#scLost(now, "reply data did not decrypt");
        buf = plain;
        off = 0;
        len = plain.length;
      }
    } else if (s.active && code !== OsdpReply.NAK && code !== OsdpReply.BUSY) {
      return this.#scLost(now, "reader answered outside the secure channel");
    }
    this.lastReplyAt = now;
    this.counters.replies++;
    if (this.phase === "offline") {
      this.#sink.log("info", "osdp reader answering again", {
        reader: this.name,
        address: this.address,
      });
      this.phase = "connecting";
    }
    if (code === OsdpReply.BUSY) {
      this.counters.busy++;
      this.dueAt = now + this.timing.busyRetryMs;
      return true; // same bytes, same sequence, later
    }
    if (code === OsdpReply.NAK) {
      this.#onNak(len > 0 ? buf[off]! : 0, now);
      return true;
    }
    this.#onData(code, buf, off, len, p, now);
    return true;
  }

  #onNak(nak: number, now: number): void {
    this.counters.naks++;
    this.lastNak = nak;
    const cmd = this.#cmd.code;
    this.#sink.log("debug", "osdp NAK", {
      reader: this.name,
      code: nak,
      reason: nakName(nak),
      command: cmd,
    });
    if (nak === OsdpNak.CHECK) {
      if (this.useCrc) {
        this.useCrc = false;
        this.#sink.log("info", "osdp reader rejected CRC: falling back to checksum", {
          reader: this.name,
        });
        this.#build();
      }
      this.dueAt = now;
      return;
    }
    if (nak === OsdpNak.SEQUENCE) {
      this.#restart(now, "reader reported a sequence error");
      return;
    }
    if (cmd === OsdpCmd.CHLNG || cmd === OsdpCmd.SCRYPT) {
      this.#scFailed(now, `reader NAK ${nak}: ${nakName(nak)}`);
      return;
    }
    if (nak === OsdpNak.SECURITY_UNSUPPORTED || nak === OsdpNak.ENCRYPTION_REQUIRED) {
      const why = `reader NAK ${nak}: ${nakName(nak)}`;
      if (this.#session.active) {
        this.#scLost(now, why);
      } else if (nak === OsdpNak.ENCRYPTION_REQUIRED && !this.#scWanted) {
        this.scError = `${why}; no secure channel configured for this reader`;
        this.#refuse(now, this.scError);
      } else if (nak === OsdpNak.ENCRYPTION_REQUIRED) {
        this.#restart(now, why);
      } else {
        this.scError = why;
        this.#advance(now);
      }
      return;
    }
    // Any other NAK: the command is done (refused); skip a connect step the reader does not know.
    this.lastError = `reader refused command 0x${cmd.toString(16)}: ${nakName(nak)}`;
    if (this.#step < STEP_RUN) {
      this.#nextStep(now);
    } else {
      this.counters.dropped++;
    }
    this.#advance(now);
  }

  #onData(
    code: number,
    buf: Uint8Array,
    off: number,
    len: number,
    p: OsdpParser,
    now: number,
  ): void {
    switch (code) {
      case OsdpReply.PDID:
        this.pdId = readPdId(buf, off, len) ?? this.pdId;
        if (this.#step === STEP_ID) this.#step = STEP_CAP;
        break;
      case OsdpReply.PDCAP:
        this.capabilities = readCapabilities(buf, off, len);
        if (!supportsCrc(this.capabilities)) this.useCrc = false;
        if (this.#step === STEP_CAP) this.#afterCapabilities(now);
        break;
      case OsdpReply.CCRYPT:
        if (this.#step === STEP_CHLNG) this.#onCcrypt(buf, off, len, now);
        break;
      case OsdpReply.RMAC_I:
        if (this.#step === STEP_SCRYPT) {
          const ok = p.scbDataLength >= 1 && p.buf[p.scbDataOffset] === 0x01 && len >= 16;
          const expect = this.#session.initialRmac(this.#serverCryptogram);
          let same = ok;
          for (let i = 0; same && i < 16; i++) same = expect[i] === buf[off + i];
          if (!same) {
            this.#scFailed(now, "reader did not accept the secure channel cryptogram");
          } else {
            this.#session.activate(expect);
            this.sc = "active";
            this.scError = "";
            this.#sink.log("info", "osdp secure channel active", { reader: this.name });
            this.#step = STEP_LSTAT;
          }
        }
        break;
      case OsdpReply.LSTATR: {
        const st = readLocalStatus(buf, off, len);
        if (st) {
          if (
            this.tamper !== null &&
            (st.tamper !== this.tamper || st.powerFailure !== this.powerFailure)
          ) {
            this.#sink.log("warn", "osdp reader status changed", { reader: this.name, ...st });
          }
          this.tamper = st.tamper;
          this.powerFailure = st.powerFailure;
        }
        if (this.#step === STEP_LSTAT) this.#goOnline();
        break;
      }
      case OsdpReply.RAW:
      case OsdpReply.FMT: {
        if (this.phase !== "online") break;
        const ok = code === OsdpReply.RAW
          ? this.#cards.decodeRaw(buf, off, len)
          : this.#cards.decodeFmt(buf, off, len);
        if (ok) {
          this.counters.cards++;
          this.#sink.card(
            this,
            this.#cards.read,
            code === OsdpReply.RAW ? "raw" : "fmt",
            this.#cards.readerNumber,
          );
        } else {
          this.counters.cardErrors++;
          this.lastError = `card data dropped: ${this.#cards.lastError}`;
          this.#sink.log("debug", "osdp card data dropped", {
            reader: this.name,
            reason: this.#cards.lastError,
          });
        }
        break;
      }
      case OsdpReply.KEYPAD: {
        if (this.phase !== "online") break;
        const k = readKeypad(buf, off, len);
        if (k) {
          this.counters.keypads++;
          this.#sink.keypad(this, k.keys, k.reader);
        }
        break;
      }
      case OsdpReply.COM: {
        const c = readComSettings(buf, off, len);
        if (c) {
          this.com = c;
          if (c.address !== this.address && c.address < 0x7f) this.address = c.address;
        }
        break;
      }
      default:
        break;
    }
    this.#advance(now);
  }

  #afterCapabilities(now: number): void {
    if (!this.#scWanted) {
      this.#step = STEP_LSTAT;
    } else if (supportsSecureChannel(this.capabilities)) {
      this.#step = STEP_CHLNG;
    } else if (this.#scRequired) {
      this.sc = "unsupported";
      this.scError = "reader does not offer secure channel, which is required";
      this.#refuse(now, this.scError);
    } else {
      this.sc = "unsupported";
      this.scError = "reader does not offer secure channel; continuing in clear";
      this.#sink.log("warn", "osdp secure channel unavailable", { reader: this.name });
      this.#step = STEP_LSTAT;
    }
  }

  #onCcrypt(buf: Uint8Array, off: number, len: number, now: number): void {
    if (len < 32) {
      this.#scFailed(now, "short CCRYPT reply");
      return;
    }
    const s = this.#session;
    s.rndB.set(buf.subarray(off + 8, off + 16));
    const expect = s.clientCryptogram();
    let diff = 0;
    for (let i = 0; i < 16; i++) diff |= expect[i]! ^ buf[off + 16 + i]!;
    if (diff !== 0) {
      this.#scFailed(now, "key mismatch: the reader's cryptogram did not verify (wrong SCBK?)");
      return;
    }
    this.#serverCryptogram = s.serverCryptogram();
    this.#step = STEP_SCRYPT;
  }

  #nextStep(now: number): void {
    if (this.#step === STEP_ID) this.#step = STEP_CAP;
    else if (this.#step === STEP_CAP) this.#afterCapabilities(now);
    else if (this.#step === STEP_LSTAT) this.#goOnline();
  }

  #goOnline(): void {
    this.#step = STEP_RUN;
    this.phase = "online";
    this.#backoff = this.timing.reconnectMinMs;
    this.lastError = "";
    this.#sink.log("info", "osdp reader online", {
      reader: this.name,
      address: this.address,
      secureChannel: this.sc,
      check: this.useCrc ? "crc" : "checksum",
    });
  }

  /** Command done: next sequence number, next slot. */
  #advance(now: number): void {
    if (!this.#inflight) return;
    this.#inflight = false;
    this.#seq = this.#seq >= 3 ? 1 : this.#seq + 1;
    if (this.#step === STEP_RUN && this.#queue.length === 0) {
      this.dueAt = Math.max(now, this.#sentAt + this.timing.pollIntervalMs);
    } else {
      this.dueAt = now;
    }
  }

  #scFailed(now: number, why: string): void {
    this.counters.scFailures++;
    this.sc = "failed";
    this.scError = why;
    this.#session.clear();
    this.#sink.log("warn", "osdp secure channel handshake failed", {
      reader: this.name,
      reason: why,
    });
    if (this.#scRequired) {
      this.#refuse(now, why);
    } else {
      this.#step = STEP_LSTAT;
      this.#advance(now);
    }
  }

  #scLost(now: number, why: string): boolean {
    this.counters.macErrors++;
    this.scError = why;
    this.#restart(now, `secure channel lost: ${why}`);
    return true;
  }

  /** Starts over at sequence 0 (ID, CAP, handshake, LSTAT). */
  #restart(now: number, why: string): void {
    this.counters.restarts++;
    this.lastError = why;
    this.#sink.log("warn", "osdp link restart", { reader: this.name, reason: why });
    this.#reset();
    if (this.phase === "online") this.phase = "connecting";
    this.dueAt = now + this.timing.pollIntervalMs;
  }

  #reset(): void {
    this.#session.clear();
    if (this.sc === "active" || this.sc === "handshake") this.sc = "off";
    this.#inflight = false;
    this.#queue.length = 0;
    this.#seq = 0;
    this.#step = STEP_ID;
  }

  #refuse(now: number, why: string): void {
    this.lastError = why;
    this.#sink.log("error", "osdp reader refused", { reader: this.name, reason: why });
    this.#reset();
    this.phase = "refused";
    this.#retryLater(now);
  }

  /** The port failed: the reader is offline until the line works again. */
  portLost(now: number, why: string): void {
    if (this.phase !== "offline") this.#goOffline(now);
    this.lastError = `port: ${why}`;
  }

  #goOffline(now: number): void {
    this.#sink.log("warn", "osdp reader offline", {
      reader: this.name,
      address: this.address,
      silentMs: now - this.lastReplyAt,
    });
    this.lastError = "no reply";
    this.#reset();
    this.phase = "offline";
    this.#backoff = this.timing.reconnectMinMs;
    this.#retryLater(now);
  }

  #retryLater(now: number): void {
    this.#seq = 0;
    this.#step = STEP_ID;
    this.dueAt = now + this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.timing.reconnectMaxMs);
  }

  /** Current reconnect delay (for status and tests). */
  get backoffMs(): number {
    return this.#backoff;
  }
}
