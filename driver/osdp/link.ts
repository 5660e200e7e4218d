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

import { nakName, OsdpCmd, OsdpNak, OsdpReply } from "./constants.ts";
import type { OsdpParser } from "./parser.ts";
import { FrameWriter } from "./writer.ts";
import { readCapabilities, readPdId, supportsCrc, supportsSecureChannel } from "./payload.ts";
import { CpSecureChannel } from "./cp_secure.ts";
import type { LinkSink, PdLinkConfig } from "./link_types.ts";
import { PdLinkState } from "./link_state.ts";

const STEP_ID = 0, STEP_CAP = 1, STEP_CHLNG = 2, STEP_SCRYPT = 3, STEP_LSTAT = 4, STEP_RUN = 5;
const MAX_QUEUE = 16;

interface Queued {
  code: number;
  data: Uint8Array | null;
}

/** One reader's link; see the module documentation. */
export class PdLink extends PdLinkState {
  readonly #tx: FrameWriter;
  readonly #sc: CpSecureChannel;
  readonly #queue: Queued[] = [];
  #step = STEP_ID;
  #seq = 0;
  #inflight = false;
  #txLen = 0;
  #cmd: Queued = { code: OsdpCmd.ID, data: null };
  #sentAt = 0;
  #backoff: number;

  /** Creates a link starting at `now` (first contact due immediately). */
  constructor(config: PdLinkConfig, sink: LinkSink, now: number, maxFrame = 1024) {
    super(config, sink, now);
    this.#tx = new FrameWriter(maxFrame);
    this.#sc = new CpSecureChannel(config.secureChannel, config.random);
    this.#backoff = config.timing.reconnectMinMs;
  }

  /** Sequence number of the command in flight (or the next one). */
  get seq(): number {
    return this.#seq;
  }

  /** Current reconnect delay. */
  get backoffMs(): number {
    return this.#backoff;
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
   * Returns a view of the link's own buffer, valid until the next call.
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
      case STEP_CHLNG:
        this.sc = "handshake";
        return { code: OsdpCmd.CHLNG, data: this.#sc.challenge() };
      case STEP_SCRYPT:
        return { code: OsdpCmd.SCRYPT, data: this.#sc.serverCryptogram };
      case STEP_LSTAT:
        return { code: OsdpCmd.LSTAT, data: null };
      default:
        return this.#queue.shift() ?? { code: OsdpCmd.POLL, data: null };
    }
  }

  #build(): void {
    const { code, data } = this.#cmd;
    this.#txLen = this.#sc.frame(this.#tx, this.address, this.#seq, this.useCrc, code, data);
  }

  /** No reply came within the reply timeout. */
  onTimeout(now: number): void {
    this.counters.timeouts++;
    if (this.phase === "offline" || this.phase === "refused") {
      this.#inflight = false;
      this.#retryLater(now);
    } else if (now - this.lastReplyAt >= this.timing.offlineAfterMs) {
      this.#goOffline(now);
    } else {
      this.dueAt = now; // resend the same bytes, same sequence
    }
  }

  /** The port failed: the reader is offline until the line works again. */
  portLost(now: number, why: string): void {
    if (this.phase !== "offline") this.#goOffline(now);
    this.lastError = `port: ${why}`;
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
    const code = p.code;
    const problem = this.#sc.openReply(p);
    if (problem !== null) return this.#scLost(now, problem);
    if (p.scbType === 0 && this.#sc.active && code !== OsdpReply.NAK && code !== OsdpReply.BUSY) {
      return this.#scLost(now, "reader answered outside the secure channel");
    }
    const { replyBuf: buf, replyOff: off, replyLen: len } = this.#sc;
    this.lastReplyAt = now;
    this.counters.replies++;
    if (this.phase === "offline") {
      this.sink.log("info", "osdp reader answering again", {
        reader: this.name,
        address: this.address,
      });
      this.phase = "connecting";
    }
    if (code === OsdpReply.BUSY) {
      this.counters.busy++;
      this.dueAt = now + this.timing.busyRetryMs; // same bytes, same sequence, later
    } else if (code === OsdpReply.NAK) {
      this.#onNak(len > 0 ? buf[off]! : 0, now);
    } else {
      this.#onData(p, code, buf, off, len, now);
      this.#advance(now);
    }
    return true;
  }

  #onNak(nak: number, now: number): void {
    this.counters.naks++;
    this.lastNak = nak;
    const cmd = this.#cmd.code;
    const why = `reader NAK ${nak}: ${nakName(nak)}`;
    this.sink.log("debug", "osdp NAK", {
      reader: this.name,
      code: nak,
      reason: nakName(nak),
      command: cmd,
    });
    if (nak === OsdpNak.CHECK) {
      if (this.useCrc) {
        this.useCrc = false;
        this.sink.log("info", "osdp reader rejected CRC: falling back to checksum", {
          reader: this.name,
        });
        this.#build();
      }
      this.dueAt = now; // same sequence
    } else if (nak === OsdpNak.SEQUENCE) {
      this.#restart(now, "reader reported a sequence error");
    } else if (cmd === OsdpCmd.CHLNG || cmd === OsdpCmd.SCRYPT) {
      this.#scFailed(now, why);
    } else if (nak === OsdpNak.SECURITY_UNSUPPORTED || nak === OsdpNak.ENCRYPTION_REQUIRED) {
      if (this.#sc.active) {
        this.#scLost(now, why);
      } else if (nak === OsdpNak.ENCRYPTION_REQUIRED && !this.#sc.wanted) {
        this.scError = `${why}; no secure channel configured for this reader`;
        this.#refuse(now, this.scError);
      } else if (nak === OsdpNak.ENCRYPTION_REQUIRED) {
        this.#restart(now, why);
      } else {
        this.scError = why;
        this.#advance(now);
      }
    } else {
      // The command is done (refused); a connect step the reader does not know is skipped.
      this.lastError = `reader refused command 0x${cmd.toString(16)}: ${nakName(nak)}`;
      if (this.#step < STEP_RUN) this.#nextStep(now);
      else this.counters.dropped++;
      this.#advance(now);
    }
  }

  #onData(
    p: OsdpParser,
    code: number,
    buf: Uint8Array,
    off: number,
    len: number,
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
        if (this.#step === STEP_CHLNG) {
          const problem = this.#sc.checkCcrypt(buf, off, len);
          if (problem === null) this.#step = STEP_SCRYPT;
          else this.#scFailed(now, problem);
        }
        break;
      case OsdpReply.RMAC_I:
        if (this.#step !== STEP_SCRYPT) break;
        if (!this.#sc.checkRmacI(p, buf, off, len)) {
          this.#scFailed(now, "reader did not accept the secure channel cryptogram");
        } else {
          this.sc = "active";
          this.scError = "";
          this.sink.log("info", "osdp secure channel active", { reader: this.name });
          this.#step = STEP_LSTAT;
        }
        break;
      case OsdpReply.LSTATR:
        this.report(code, buf, off, len);
        if (this.#step === STEP_LSTAT) this.#goOnline();
        break;
      default:
        this.report(code, buf, off, len);
    }
  }

  #afterCapabilities(now: number): void {
    if (!this.#sc.wanted) {
      this.#step = STEP_LSTAT;
    } else if (supportsSecureChannel(this.capabilities)) {
      this.#step = STEP_CHLNG;
    } else if (this.#sc.required) {
      this.sc = "unsupported";
      this.scError = "reader does not offer secure channel, which is required";
      this.#refuse(now, this.scError);
    } else {
      this.sc = "unsupported";
      this.scError = "reader does not offer secure channel; continuing in clear";
      this.sink.log("warn", "osdp secure channel unavailable", { reader: this.name });
      this.#step = STEP_LSTAT;
    }
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
    this.sink.log("info", "osdp reader online", {
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
    const idle = this.#step === STEP_RUN && this.#queue.length === 0;
    this.dueAt = idle ? Math.max(now, this.#sentAt + this.timing.pollIntervalMs) : now;
  }

  #scFailed(now: number, why: string): void {
    this.counters.scFailures++;
    this.sc = "failed";
    this.scError = why;
    this.#sc.clear();
    this.sink.log("warn", "osdp secure channel handshake failed", {
      reader: this.name,
      reason: why,
    });
    if (this.#sc.required) {
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
    this.sink.log("warn", "osdp link restart", { reader: this.name, reason: why });
    this.#reset();
    if (this.phase === "online") this.phase = "connecting";
    this.dueAt = now + this.timing.pollIntervalMs;
  }

  #reset(): void {
    this.#sc.clear();
    if (this.sc === "active" || this.sc === "handshake") this.sc = "off";
    this.#inflight = false;
    this.#queue.length = 0;
    this.#seq = 0;
    this.#step = STEP_ID;
  }

  #refuse(now: number, why: string): void {
    this.lastError = why;
    this.sink.log("error", "osdp reader refused", { reader: this.name, reason: why });
    this.#reset();
    this.phase = "refused";
    this.#retryLater(now);
  }

  #goOffline(now: number): void {
    this.sink.log("warn", "osdp reader offline", {
      reader: this.name,
      address: this.address,
      silentMs: Math.round(now - this.lastReplyAt),
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
}
