/**
 * Runs {@link Iso14443aScanner} ticks over a transport. Over a synchronous
 * transport (spidev, simulator) {@link Rc522Poller.pollSync} runs a tick
 * without allocating: one preallocated batch, one reused {@link CardRead} and
 * {@link Rc522CardInfo}, callbacks invoked with them. Over UART,
 * {@link Rc522Poller.pollAsync} awaits each batch (a promise per batch).
 *
 * @module
 */

import { CardRead } from "../card.ts";
import type { CaptureTap } from "../capture/tap.ts";
import { Iso14443aScanner, type ScannerOptions } from "./scanner.ts";
import { type Rc522Transport, RegBatch } from "./transport.ts";
import { Rc522CardInfo, type Rc522Counters, ScanStep } from "./results.ts";

/** {@link Rc522Poller.pollSync} result: the tick is over. */
export const POLL_DONE: number = ScanStep.DONE;
/** {@link Rc522Poller.pollSync} result: the chip is busy; call again shortly to continue the tick. */
export const POLL_WAIT: number = ScanStep.WAIT;

/** Called with the reused read and info; copy what you keep. */
export type Rc522Callback = (read: CardRead, info: Rc522CardInfo) => void;

/** Drives scanner ticks over one transport. */
export class Rc522Poller {
  /** The transport. */
  readonly transport: Rc522Transport;
  /** The read filled for each event (reused). */
  readonly read: CardRead = new CardRead();
  /** The side info filled for each event (reused). */
  readonly info: Rc522CardInfo = new Rc522CardInfo();
  /** The ISO 14443-3 state machine. */
  readonly scanner: Iso14443aScanner;
  /** Called for each new card. */
  onCard: Rc522Callback | null = null;
  /** Called for each card that left the field. */
  onRemoved: Rc522Callback | null = null;
  /** Capture hook: every batch of the ticks that start after it is set is copied into it. */
  tap: CaptureTap | null = null;
  readonly #batch = new RegBatch();
  /** The tap of the running tick (a capture starts at a tick's beginning). */
  #tickTap: CaptureTap | null = null;

  /** Creates a poller. */
  constructor(transport: Rc522Transport, options: ScannerOptions = {}) {
    this.transport = transport;
    this.scanner = new Iso14443aScanner(this.read, this.info, options);
  }

  /** Scanner counters. */
  get counters(): Rc522Counters {
    return this.scanner.counters;
  }

  #event(code: number): void {
    const cb = code === ScanStep.CARD ? this.onCard : this.onRemoved;
    if (cb !== null) cb(this.read, this.info);
  }

  /**
   * Starts a tick (unless one is waiting to continue) and runs it as far as
   * it goes without waiting. Returns {@link POLL_DONE} or {@link POLL_WAIT}.
   * Synchronous transports only.
   */
  pollSync(): number {
    const s = this.scanner;
    const b = this.#batch;
    const t = this.transport;
    if (!s.busy) {
      this.#tickTap = this.tap;
      s.begin();
    }
    for (;;) {
      const r = s.step(b);
      if (r === ScanStep.RUN) {
        t.run(b);
        const tap = this.#tickTap;
        if (tap !== null) tap.regs(b);
        continue;
      }
      if (r === ScanStep.CARD || r === ScanStep.REMOVED) {
        this.#event(r);
        continue;
      }
      return r;
    }
  }

  /** {@link pollSync} for any transport (awaits asynchronous batches). */
  async pollAsync(): Promise<number> {
    const s = this.scanner;
    const b = this.#batch;
    const t = this.transport;
    if (!s.busy) {
      this.#tickTap = this.tap;
      s.begin();
    }
    for (;;) {
      const r = s.step(b);
      if (r === ScanStep.RUN) {
        const p = t.run(b);
        if (p) await p;
        const tap = this.#tickTap;
        if (tap !== null) tap.regs(b);
        continue;
      }
      if (r === ScanStep.CARD || r === ScanStep.REMOVED) {
        this.#event(r);
        continue;
      }
      return r;
    }
  }
}
