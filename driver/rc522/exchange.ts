/**
 * One Transceive exchange with a card, as a resumable state machine that
 * describes its register work as batches, so the same code runs over a
 * synchronous bus (no allocation) and an asynchronous one (UART).
 *
 * Register sequence: CommandReg ← Idle; ComIrqReg ← 0x7F (clear); FIFOLevelReg
 * ← flush; FIFODataReg ← frame (one burst); CommandReg ← Transceive;
 * BitFramingReg ← StartSend | RxAlign | TxLastBits; then read ComIrqReg,
 * ErrorReg, FIFOLevelReg, ControlReg and CollReg together until RxIRq/IdleIRq
 * (answer) or TimerIRq (the chip's ~25 ms timeout); then read the FIFO in one
 * burst. Over SPI that is 7 transfers plus 1 per extra poll plus 1 for the FIFO.
 *
 * @module
 */

import {
  BitFramingReg,
  Cmd,
  CollReg,
  ComIrqReg,
  CommandReg,
  ControlReg,
  Err,
  ErrorReg,
  FIFO_SIZE,
  FIFODataReg,
  FIFOLevelReg,
  FlushBuffer,
  Irq,
  StartSend,
} from "./registers.ts";
import { BATCH_OK, type RegBatch } from "./transport.ts";

/** Exchange outcome: an answer without errors. */
export const X_OK = 0;
/** Exchange outcome: the chip's timer expired with no answer. */
export const X_TIMEOUT = 1;
/** Exchange outcome: a bit collision (see {@link Exchange.collReg}). */
export const X_COLLISION = 2;
/** Exchange outcome: parity, protocol or buffer error. */
export const X_ERROR = 3;
/** Exchange outcome: the bus failed. */
export const X_BUS = 4;
/** Exchange outcome: the chip never signalled an end (no TimerIRq within the host deadline). */
export const X_HOST_TIMEOUT = 5;

/** {@link Exchange.prepare}: the batch is filled; run it, then call {@link Exchange.consume}. */
export const PREP_RUN = 0;
/** {@link Exchange.prepare}: nothing to run yet; come back later (the chip is still busy). */
export const PREP_WAIT = 1;
/** {@link Exchange.prepare}: the exchange is over; read the outcome. */
export const PREP_DONE = 2;

const PH_IDLE = 0, PH_START = 1, PH_POLL = 2, PH_FIFO = 3, PH_DONE = 4;

/** Options of an {@link Exchange}. */
export interface ExchangeOptions {
  /** Polls in a row before asking the caller to wait (default 4). */
  quickPolls?: number;
  /** Host-side deadline if the chip never ends the exchange, ms (default 100; needs 20 polls too). */
  hostTimeoutMs?: number;
}

/** A reusable Transceive exchange: frame in {@link tx}, answer in {@link rx}. */
export class Exchange {
  /** Frame to send. */
  readonly tx: Uint8Array = new Uint8Array(16);
  /** Bytes of {@link tx} to send. */
  txLen = 0;
  /** Bits of the last tx byte to send (0 = all 8). */
  txLastBits = 0;
  /** Bit position in the first rx byte where the first received bit goes. */
  rxAlign = 0;
  /** Received bytes. */
  readonly rx: Uint8Array = new Uint8Array(FIFO_SIZE);
  /** Received byte count. */
  rxLen = 0;
  /** Valid bits in the last received byte (0 = all 8). */
  rxLastBits = 0;
  /** Outcome, one of the `X_*` codes. */
  status: number = X_OK;
  /** ErrorReg at the end. */
  errorReg = 0;
  /** CollReg at the end. */
  collReg = 0;
  /** Polls of the status registers in this exchange. */
  polls = 0;
  /** Total status polls that found the chip still busy (all exchanges). */
  busyPolls = 0;
  readonly #quickPolls: number;
  readonly #hostTimeoutMs: number;
  #phase = PH_IDLE;
  #pollIndex = 0;
  #fifoCount = 0;
  #wantWait = false;
  /** Time the first busy poll was seen (ms), or -1. */
  readonly #busySince = new Float64Array(1);

  /** Creates an exchange. */
  constructor(options: ExchangeOptions = {}) {
    this.#quickPolls = Math.max(1, options.quickPolls ?? 4);
    this.#hostTimeoutMs = options.hostTimeoutMs ?? 100;
  }

  /** Starts a new exchange with `tx[0 .. txLen)` already written. */
  begin(txLen: number, txLastBits: number, rxAlign: number): void {
    this.txLen = txLen;
    this.txLastBits = txLastBits & 7;
    this.rxAlign = rxAlign & 7;
    this.rxLen = 0;
    this.rxLastBits = 0;
    this.status = X_OK;
    this.errorReg = 0;
    this.collReg = 0;
    this.polls = 0;
    this.#wantWait = false;
    this.#busySince[0] = -1;
    this.#phase = PH_START;
  }

  /** Number of bits received (RxAlign offset excluded). */
  rxBits(): number {
    if (this.rxLen === 0) return 0;
    return (this.rxLen - 1) * 8 + (this.rxLastBits === 0 ? 8 : this.rxLastBits) - this.rxAlign;
  }

  /** True once the exchange is over. */
  get done(): boolean {
    return this.#phase === PH_DONE;
  }

  #addPoll(b: RegBatch): void {
    this.#pollIndex = b.length;
    b.read(ComIrqReg);
    b.read(ErrorReg);
    b.read(FIFOLevelReg);
    b.read(ControlReg);
    b.read(CollReg);
  }

  /** Fills `b` with the next register work, or says to wait, or that the exchange is over. */
  prepare(b: RegBatch): number {
    switch (this.#phase) {
      case PH_START: {
        b.clear();
        b.write(CommandReg, Cmd.Idle);
        b.write(ComIrqReg, 0x7f);
        b.write(FIFOLevelReg, FlushBuffer);
        b.writeBurst(FIFODataReg, this.tx, 0, this.txLen);
        b.write(CommandReg, Cmd.Transceive);
        b.write(BitFramingReg, StartSend | (this.rxAlign << 4) | this.txLastBits);
        this.#addPoll(b);
        return PREP_RUN;
      }
      case PH_POLL:
        if (this.#wantWait) {
          this.#wantWait = false;
          return PREP_WAIT;
        }
        b.clear();
        this.#addPoll(b);
        return PREP_RUN;
      case PH_FIFO:
        b.clear();
        b.readBurst(FIFODataReg, this.#fifoCount);
        return PREP_RUN;
      default:
        return PREP_DONE;
    }
  }

  /** Takes in the results of the batch {@link prepare} filled. */
  consume(b: RegBatch): void {
    if (b.status !== BATCH_OK) {
      this.status = X_BUS;
      this.#phase = PH_DONE;
      return;
    }
    if (this.#phase === PH_FIFO) {
      const n = this.#fifoCount;
      for (let i = 0; i < n; i++) this.rx[i] = b.value[i]!;
      this.rxLen = n;
      this.#phase = PH_DONE;
      return;
    }
    if (this.#phase !== PH_START && this.#phase !== PH_POLL) return;
    this.polls++;
    const p = this.#pollIndex;
    const irq = b.value[p]!;
    const err = b.value[p + 1]!;
    const level = b.value[p + 2]! & 0x7f;
    const control = b.value[p + 3]!;
    const coll = b.value[p + 4]!;
    if ((irq & (Irq.Rx | Irq.Idle)) !== 0) {
      this.errorReg = err;
      this.collReg = coll;
      this.rxLastBits = control & 7;
      if (err & Err.CollErr) this.status = X_COLLISION;
      else if (err & (Err.BufferOvfl | Err.ParityErr | Err.ProtocolErr)) this.status = X_ERROR;
      else this.status = X_OK;
      if ((this.status === X_OK || this.status === X_COLLISION) && level > 0) {
        this.#fifoCount = level > FIFO_SIZE ? FIFO_SIZE : level;
        this.#phase = PH_FIFO;
      } else {
        this.#phase = PH_DONE;
      }
      return;
    }
    if ((irq & Irq.Timer) !== 0) {
      this.status = X_TIMEOUT;
      this.#phase = PH_DONE;
      return;
    }
    if ((irq & Irq.Err) !== 0 && (err & (Err.BufferOvfl | Err.ProtocolErr)) !== 0) {
      this.errorReg = err;
      this.status = X_ERROR;
      this.#phase = PH_DONE;
      return;
    }
    // Still busy.
    this.busyPolls++;
    this.#phase = PH_POLL;
    const now = performance.now();
    if (this.#busySince[0]! < 0) this.#busySince[0] = now;
    else if (now - this.#busySince[0]! > this.#hostTimeoutMs && this.polls >= 20) {
      this.status = X_HOST_TIMEOUT;
      this.#phase = PH_DONE;
      return;
    }
    if (this.polls % this.#quickPolls === 0) this.#wantWait = true;
  }
}
