/**
 * The ISO/IEC 14443-3 type A poll cycle as an integer state machine over
 * {@link Exchange}s. One tick:
 *
 * 1. New cards: REQA (only cards in IDLE answer) → anticollision per cascade
 *    level (bit collisions resolved from CollReg) → SELECT → HLTA, repeated
 *    until REQA gets no answer, so every card in the field is read once and
 *    left in HALT.
 * 2. Presence of cards read before (they sit in HALT and ignore REQA): for
 *    each, WUPA → SELECT by its known UID → HLTA. A card not answering for
 *    `absentTicks` ticks in a row is gone; its next tap counts again.
 *
 * The scanner fills a caller-owned {@link CardRead} and {@link Rc522CardInfo}
 * and returns {@link ScanStep.CARD} / {@link ScanStep.REMOVED}; it allocates nothing.
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import { checkCrcA, crcA } from "./crc_a.ts";
import {
  Exchange,
  type ExchangeOptions,
  PREP_RUN,
  PREP_WAIT,
  X_COLLISION,
  X_OK,
  X_TIMEOUT,
} from "./exchange.ts";
import {
  CASCADE_TAG,
  cascadeLevelBytes,
  cascadeLevels,
  HLTA_FRAME,
  NVB_SELECT,
  REQA,
  SAK_CASCADE,
  SEL_CODES,
  WUPA,
} from "./iso14443a.ts";
import {
  AC_BAD_BCC,
  AC_BAD_POSITION,
  AC_COLLISION,
  AC_COMPLETE,
  anticollisionFrame,
  mergeAnswer,
} from "./anticollision.ts";
import type { RegBatch } from "./transport.ts";
import { CardTable } from "./card_table.ts";
import {
  countFailure,
  fillRead,
  noAnswer,
  type Rc522CardInfo,
  Rc522Counters,
  ScanStep,
} from "./results.ts";

/** Options of an {@link Iso14443aScanner}. */
export interface ScannerOptions extends ExchangeOptions {
  /** Ticks a known card may miss before it counts as removed (default 2). */
  absentTicks?: number;
  /** Most cards read in one tick (default 8). */
  maxCardsPerTick?: number;
  /** Errors tolerated in one tick before phase 1 stops (default 4). */
  maxErrorsPerTick?: number;
}

/** Where the scanner is in a tick (names for logs in {@link SCANNER_STATE_NAMES}). */
const State = {
  IDLE: 0,
  REQA: 1,
  AC: 2,
  SEL: 3,
  HLT: 4,
  WUPA_K: 5,
  SEL_K: 6,
  HLT_K: 7,
  FINISH: 8,
} as const;

/** Names of the scanner's states, for logs. */
export const SCANNER_STATE_NAMES: readonly string[] =
  "idle reqa anticollision select halt wupa-known select-known halt-known finish".split(" ");

/** The ISO 14443-3 A poll cycle (see the module doc). */
export class Iso14443aScanner {
  /** The exchange in use (its buffers hold the last frame and answer). */
  readonly x: Exchange;
  /** Counters. */
  readonly counters: Rc522Counters = new Rc522Counters();
  readonly #read: CardRead;
  readonly #info: Rc522CardInfo;
  readonly #absentTicks: number;
  readonly #maxCards: number;
  readonly #maxErrors: number;
  #state: number = State.IDLE;
  #needStart = false;
  #ran = false;
  // Card being read.
  readonly #cl = new Uint8Array(5);
  readonly #uid = new Uint8Array(10);
  #uidLen = 0;
  #level = 1;
  #known = 0;
  readonly #next = new Int32Array(1);
  #atqa = -1;
  #recover = false;
  /** The last tick's phase 1 ended on errors: cards may sit in READY/ACTIVE and ignore the first REQA. */
  #dirty = false;
  #errors = 0;
  #cards = 0;
  readonly #table = new CardTable();
  /** Slot being checked (phase 2) or aged (finish). */
  #k = 0;
  #kLevel = 1;

  /** Creates a scanner that reports into `read` and `info`. */
  constructor(read: CardRead, info: Rc522CardInfo, options: ScannerOptions = {}) {
    this.#read = read;
    this.#info = info;
    this.x = new Exchange(options);
    this.#absentTicks = Math.max(1, options.absentTicks ?? 2);
    this.#maxCards = Math.max(1, options.maxCardsPerTick ?? 8);
    this.#maxErrors = Math.max(0, options.maxErrorsPerTick ?? 4);
  }

  /** True while a tick is running. */
  get busy(): boolean {
    return this.#state !== State.IDLE;
  }

  /** Number of cards currently known to be in the field. */
  get present(): number {
    return this.#table.count;
  }

  /** Forgets every known card (e.g. after the chip was reset and the field cycled). */
  forget(): void {
    this.#table.clear();
    this.#state = State.IDLE;
    this.#ran = false;
  }

  /** Starts a tick (no-op while one is running). */
  begin(): void {
    if (this.#state !== State.IDLE) return;
    this.counters.ticks++;
    this.#table.newTick();
    this.#errors = 0;
    this.#cards = 0;
    this.#recover = this.#dirty;
    this.#dirty = false;
    this.#go(State.REQA);
  }

  /**
   * Advances the tick: consumes the last batch's results and fills `b` with
   * the next register work. Returns a `STEP_*` code.
   */
  step(b: RegBatch): number {
    if (this.#ran) {
      this.#ran = false;
      this.x.consume(b);
    }
    for (;;) {
      const s = this.#state;
      if (s === State.IDLE) return ScanStep.DONE;
      if (s === State.FINISH) return this.#finish();
      if (this.#needStart) {
        this.#needStart = false;
        this.#start(s);
      }
      const p = this.x.prepare(b);
      if (p === PREP_RUN) {
        this.#ran = true;
        return ScanStep.RUN;
      }
      if (p === PREP_WAIT) return ScanStep.WAIT;
      const ev = this.#done(s);
      if (ev !== 0) return ev;
    }
  }

  #go(state: number): void {
    this.#state = state;
    this.#needStart = true;
  }

  #start(s: number): void {
    const x = this.x;
    const tx = x.tx;
    switch (s) {
      case State.REQA:
      case State.WUPA_K:
        tx[0] = s === State.REQA ? REQA : WUPA;
        x.begin(1, 7, 0);
        return;
      case State.AC: {
        const known = this.#known;
        x.begin(
          anticollisionFrame(SEL_CODES[this.#level - 1]!, this.#cl, known, tx),
          known & 7,
          known & 7,
        );
        return;
      }
      case State.SEL:
        tx[0] = SEL_CODES[this.#level - 1]!;
        tx[1] = NVB_SELECT;
        for (let i = 0; i < 5; i++) tx[2 + i] = this.#cl[i]!;
        this.#crcAndBegin();
        return;
      case State.SEL_K:
        tx[0] = SEL_CODES[this.#kLevel - 1]!;
        tx[1] = NVB_SELECT;
        cascadeLevelBytes(
          this.#table.uid,
          this.#k * 10,
          this.#table.len[this.#k]!,
          this.#kLevel,
          tx,
          2,
        );
        this.#crcAndBegin();
        return;
      default: // State.HLT, State.HLT_K
        for (let i = 0; i < 4; i++) tx[i] = HLTA_FRAME[i]!;
        x.begin(4, 0, 0);
    }
  }

  #crcAndBegin(): void {
    const tx = this.x.tx;
    const crc = crcA(tx, 0, 7);
    tx[7] = crc & 0xff;
    tx[8] = crc >>> 8;
    this.x.begin(9, 0, 0);
  }

  /** A card read failed mid-way: retry from REQA, or give up phase 1. */
  #restart(): void {
    this.#errors++;
    if (this.#errors > this.#maxErrors) {
      this.#dirty = true;
      this.#phase2(0);
      return;
    }
    this.#recover = true;
    this.#go(State.REQA);
  }

  #sakValid(): boolean {
    const x = this.x;
    if (x.status === X_OK && x.rxLen === 3 && x.rxLastBits === 0 && checkCrcA(x.rx, 0, 3)) {
      return true;
    }
    if (x.status === X_OK || x.status === X_COLLISION) {
      this.counters.crcErrors++;
      this.counters.lastError = "sak-crc";
    } else countFailure(this.counters, x.status);
    return false;
  }

  #done(s: number): number {
    const x = this.x;
    const c = this.counters;
    switch (s) {
      case State.REQA: {
        if (noAnswer(x.status)) {
          if (x.status !== X_TIMEOUT) countFailure(this.counters, x.status);
          if (this.#recover && x.status === X_TIMEOUT) {
            this.#recover = false;
            this.#go(State.REQA);
          } else this.#phase2(0);
          return 0;
        }
        this.#recover = false;
        if (x.status === X_OK && x.rxBits() !== 16) {
          c.atqaErrors++;
          c.lastError = "atqa";
          this.#restart();
          return 0;
        }
        this.#atqa = x.status === X_OK ? x.rx[0]! | (x.rx[1]! << 8) : -1;
        this.#uidLen = 0;
        this.#level = 1;
        this.#known = 0;
        this.#go(State.AC);
        return 0;
      }
      case State.AC:
        this.#anticollisionDone();
        return 0;
      case State.SEL: {
        if (!this.#sakValid()) {
          this.#restart();
          return 0;
        }
        const sak = x.rx[0]!;
        const cl = this.#cl;
        if (sak & SAK_CASCADE) {
          if (cl[0] !== CASCADE_TAG || this.#level >= 3) {
            c.protocolErrors++;
            c.lastError = "cascade";
            this.#restart();
            return 0;
          }
          for (let i = 0; i < 3; i++) this.#uid[this.#uidLen++] = cl[1 + i]!;
          this.#level++;
          this.#known = 0;
          this.#go(State.AC);
          return 0;
        }
        for (let i = 0; i < 4; i++) this.#uid[this.#uidLen++] = cl[i]!;
        this.#info.sak = sak;
        this.#go(State.HLT);
        return 0;
      }
      case State.HLT:
        if (x.status !== X_TIMEOUT) {
          c.haltAnswered++;
          c.lastError = "halt";
        }
        return this.#cardDone();
      case State.WUPA_K:
        if (noAnswer(x.status)) {
          if (x.status !== X_TIMEOUT) countFailure(this.counters, x.status);
          this.#state = State.FINISH; // nobody in the field answers
          this.#k = 0;
          return 0;
        }
        this.#kLevel = 1;
        this.#go(State.SEL_K);
        return 0;
      case State.SEL_K: {
        if (x.status === X_TIMEOUT) {
          this.#phase2(this.#k + 1); // this card did not answer: absent this tick
          return 0;
        }
        if (!this.#sakValid()) {
          this.#phase2(this.#k + 1);
          return 0;
        }
        const levels = cascadeLevels(this.#table.len[this.#k]!);
        const cascade = (x.rx[0]! & SAK_CASCADE) !== 0;
        if (cascade && this.#kLevel < levels) {
          this.#kLevel++;
          this.#go(State.SEL_K);
        } else if (!cascade && this.#kLevel === levels) {
          this.#table.seen[this.#k] = 1;
          c.presenceConfirmed++;
          this.#go(State.HLT_K);
        } else {
          c.protocolErrors++;
          c.lastError = "cascade";
          this.#phase2(this.#k + 1);
        }
        return 0;
      }
      default: // State.HLT_K
        if (x.status !== X_TIMEOUT) {
          c.haltAnswered++;
          c.lastError = "halt";
        }
        this.#phase2(this.#k + 1);
        return 0;
    }
  }

  #anticollisionDone(): void {
    const x = this.x;
    const c = this.counters;
    if (x.status !== X_OK && x.status !== X_COLLISION) {
      countFailure(this.counters, x.status);
      this.#restart();
      return;
    }
    if (x.status === X_COLLISION) c.collisions++;
    switch (mergeAnswer(this.#cl, this.#known, x, this.#next)) {
      case AC_COLLISION:
        this.#known = this.#next[0]!;
        this.#go(State.AC);
        return;
      case AC_COMPLETE:
        this.#known = 40;
        this.#go(State.SEL);
        return;
      case AC_BAD_BCC:
        c.bccErrors++;
        c.lastError = "bcc";
        break;
      case AC_BAD_POSITION:
        c.protocolErrors++;
        c.lastError = "collision-position";
        break;
      default:
        c.protocolErrors++;
        c.lastError = "anticollision-length";
    }
    this.#restart();
  }

  /** A card was read and halted: record it, report it when new, look for more. */
  #cardDone(): number {
    const len = this.#uidLen;
    const sak = this.#info.sak;
    this.#cards++;
    if (this.#cards >= this.#maxCards) this.#phase2(0);
    else this.#go(State.REQA);
    const table = this.#table;
    const k = table.find(this.#uid, len);
    if (k >= 0) {
      table.seen[k] = 1;
      return 0;
    }
    if (table.add(this.#uid, len, sak, this.#atqa) < 0) this.counters.tableFull++;
    fillRead(this.#read, this.#info, this.#uid, 0, len, sak, this.#atqa);
    this.counters.cardsRead++;
    return ScanStep.CARD;
  }

  /** Phase 2: the next known card from slot `from` not seen this tick, or the finish. */
  #phase2(from: number): void {
    const k = this.#table.nextUnseen(from);
    if (k >= 0) {
      this.#k = k;
      this.#go(State.WUPA_K);
      return;
    }
    this.#k = 0;
    this.#state = State.FINISH;
  }

  /** Ages cards not seen this tick; reports removals one at a time. */
  #finish(): number {
    const t = this.#table;
    const k = t.age(this.#k, this.#absentTicks);
    if (k < 0) {
      this.#state = State.IDLE;
      return ScanStep.DONE;
    }
    fillRead(this.#read, this.#info, t.uid, k * 10, t.len[k]!, t.sak[k]!, t.atqa[k]!);
    t.len[k] = 0;
    this.#k = k + 1;
    this.counters.removals++;
    return ScanStep.REMOVED;
  }
}
