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
 * and returns {@link STEP_CARD} / {@link STEP_REMOVED}; it allocates nothing.
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
  X_BUS,
  X_COLLISION,
  X_HOST_TIMEOUT,
  X_OK,
  X_TIMEOUT,
} from "./exchange.ts";
import {
  type CardType,
  CASCADE_TAG,
  cascadeLevelBytes,
  cascadeLevels,
  HLTA_FRAME,
  NVB_SELECT,
  REQA,
  SAK_CASCADE,
  sakCardType,
  SEL_CODES,
  WUPA,
} from "./iso14443a.ts";
import { CollPosNotValid } from "./registers.ts";
import type { RegBatch } from "./transport.ts";

/** {@link Iso14443aScanner.step}: run the batch, then call step again. */
export const STEP_RUN = 0;
/** {@link Iso14443aScanner.step}: the chip is busy; call step again a little later. */
export const STEP_WAIT = 1;
/** {@link Iso14443aScanner.step}: the tick is over. */
export const STEP_DONE = 2;
/** {@link Iso14443aScanner.step}: a new card was read (read/info filled); call step again. */
export const STEP_CARD = 3;
/** {@link Iso14443aScanner.step}: a card left the field (read/info filled); call step again. */
export const STEP_REMOVED = 4;

/** Format name the scanner writes into {@link CardRead.format}. */
export const RC522_FORMAT = "iso14443a";

/** What the reader knows about a card besides its UID (reused object). */
export class Rc522CardInfo {
  /** Final SAK. */
  sak = 0;
  /** ATQA as sent (first byte in bits 0–7), or -1 when it collided. */
  atqa: number = -1;
  /** UID size in bytes (4, 7, 10). */
  uidSize = 0;
  /** Card type the SAK names. */
  cardType: CardType = "unknown";
}

/** Scanner counters (int32, never reset by the scanner). */
export class Rc522Counters {
  /** Poll ticks started. */
  ticks = 0;
  /** New cards reported. */
  cardsRead = 0;
  /** Cards reported gone. */
  removals = 0;
  /** Known cards confirmed present by WUPA + SELECT. */
  presenceConfirmed = 0;
  /** Anticollision rounds that met a bit collision. */
  collisions = 0;
  /** Anticollision answers with a wrong BCC. */
  bccErrors = 0;
  /** SAK answers with a wrong CRC_A or length. */
  crcErrors = 0;
  /** ATQA answers that were not 16 bits. */
  atqaErrors = 0;
  /** Cards that stopped answering in the middle of a read. */
  timeouts = 0;
  /** HLTA commands that got an answer (HLTA succeeds only by silence). */
  haltAnswered = 0;
  /** Parity, protocol, buffer errors and impossible answers. */
  protocolErrors = 0;
  /** Bus failures (ioctl, serial). */
  busErrors = 0;
  /** Exchanges the chip never ended (its timer did not fire). */
  hostTimeouts = 0;
  /** New cards not tracked because the card table was full. */
  tableFull = 0;
  /** Last error, a constant string ("" when none). */
  lastError = "";
}

/** Options of an {@link Iso14443aScanner}. */
export interface ScannerOptions extends ExchangeOptions {
  /** Ticks a known card may miss before it counts as removed (default 2). */
  absentTicks?: number;
  /** Most cards read in one tick (default 8). */
  maxCardsPerTick?: number;
  /** Errors tolerated in one tick before phase 1 stops (default 4). */
  maxErrorsPerTick?: number;
}

/** Cards the scanner tracks at once. */
export const MAX_TRACKED = 8;

const ST_IDLE = 0, ST_REQA = 1, ST_AC = 2, ST_SEL = 3, ST_HLT = 4;
const ST_WUPA_K = 5, ST_SEL_K = 6, ST_HLT_K = 7, ST_FINISH = 8;

/**
 * Absolute 0-based bit index, within the 40 bits of a cascade level, of the
 * collision CollReg reports, or -1 when it gives no usable position. CollPos
 * counts from 1 on the FIFO's bit grid (bit 0 of the first received byte),
 * so with RxAlign `r` the first received bit is position r + 1; 0 means 32.
 */
export function collisionBit(collReg: number, rxAlign: number, firstByte: number): number {
  if (collReg & CollPosNotValid) return -1;
  let pos = collReg & 0x1f;
  if (pos === 0) pos = 32;
  if (pos <= rxAlign) return -1;
  return firstByte * 8 + pos - 1;
}

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
  #state = ST_IDLE;
  #needStart = false;
  #ran = false;
  // Card being read.
  readonly #cl = new Uint8Array(5);
  readonly #uid = new Uint8Array(10);
  #uidLen = 0;
  #level = 1;
  #known = 0;
  #atqa = -1;
  #recover = false;
  /** The last tick's phase 1 ended on errors: cards may sit in READY/ACTIVE and ignore the first REQA. */
  #dirty = false;
  #errors = 0;
  #cards = 0;
  // Card table.
  readonly #slotUid = new Uint8Array(MAX_TRACKED * 10);
  readonly #slotLen = new Uint8Array(MAX_TRACKED);
  readonly #slotSak = new Uint8Array(MAX_TRACKED);
  readonly #slotAtqa = new Int32Array(MAX_TRACKED);
  readonly #slotMissed = new Uint8Array(MAX_TRACKED);
  readonly #slotSeen = new Uint8Array(MAX_TRACKED);
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
    return this.#state !== ST_IDLE;
  }

  /** Number of cards currently known to be in the field. */
  get present(): number {
    let n = 0;
    for (let i = 0; i < MAX_TRACKED; i++) if (this.#slotLen[i] !== 0) n++;
    return n;
  }

  /** Forgets every known card (e.g. after the chip was reset and the field cycled). */
  forget(): void {
    this.#slotLen.fill(0);
    this.#state = ST_IDLE;
    this.#ran = false;
  }

  /** Starts a tick (no-op while one is running). */
  begin(): void {
    if (this.#state !== ST_IDLE) return;
    this.counters.ticks++;
    this.#slotSeen.fill(0);
    this.#errors = 0;
    this.#cards = 0;
    this.#recover = this.#dirty;
    this.#dirty = false;
    this.#go(ST_REQA);
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
      if (s === ST_IDLE) return STEP_DONE;
      if (s === ST_FINISH) return this.#finish();
      if (this.#needStart) {
        this.#needStart = false;
        this.#start(s);
      }
      const p = this.x.prepare(b);
      if (p === PREP_RUN) {
        this.#ran = true;
        return STEP_RUN;
      }
      if (p === PREP_WAIT) return STEP_WAIT;
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
      case ST_REQA:
      case ST_WUPA_K:
        tx[0] = s === ST_REQA ? REQA : WUPA;
        x.begin(1, 7, 0);
        return;
      case ST_AC: {
        const known = this.#known;
        const bytes = (known + 7) >> 3;
        tx[0] = SEL_CODES[this.#level - 1]!;
        tx[1] = ((2 + (known >> 3)) << 4) | (known & 7);
        for (let i = 0; i < bytes; i++) tx[2 + i] = this.#cl[i]!;
        x.begin(2 + bytes, known & 7, known & 7);
        return;
      }
      case ST_SEL:
        tx[0] = SEL_CODES[this.#level - 1]!;
        tx[1] = NVB_SELECT;
        for (let i = 0; i < 5; i++) tx[2 + i] = this.#cl[i]!;
        this.#crcAndBegin();
        return;
      case ST_SEL_K:
        tx[0] = SEL_CODES[this.#kLevel - 1]!;
        tx[1] = NVB_SELECT;
        cascadeLevelBytes(
          this.#slotUid,
          this.#k * 10,
          this.#slotLen[this.#k]!,
          this.#kLevel,
          tx,
          2,
        );
        this.#crcAndBegin();
        return;
      default: // ST_HLT, ST_HLT_K
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

  /** Counts a failed exchange by its status. */
  #countFailure(status: number): void {
    const c = this.counters;
    if (status === X_BUS) {
      c.busErrors++;
      c.lastError = "bus";
    } else if (status === X_HOST_TIMEOUT) {
      c.hostTimeouts++;
      c.lastError = "chip-timer";
    } else if (status === X_TIMEOUT) {
      c.timeouts++;
      c.lastError = "timeout";
    } else {
      c.protocolErrors++;
      c.lastError = "protocol";
    }
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
    this.#go(ST_REQA);
  }

  #sakValid(): boolean {
    const x = this.x;
    if (x.status === X_OK && x.rxLen === 3 && x.rxLastBits === 0 && checkCrcA(x.rx, 0, 3)) {
      return true;
    }
    if (x.status === X_OK || x.status === X_COLLISION) {
      this.counters.crcErrors++;
      this.counters.lastError = "sak-crc";
    } else this.#countFailure(x.status);
    return false;
  }

  #done(s: number): number {
    const x = this.x;
    const c = this.counters;
    switch (s) {
      case ST_REQA: {
        if (x.status === X_TIMEOUT || x.status === X_HOST_TIMEOUT || x.status === X_BUS) {
          if (x.status !== X_TIMEOUT) this.#countFailure(x.status);
          if (this.#recover && x.status === X_TIMEOUT) {
            this.#recover = false;
            this.#go(ST_REQA);
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
        this.#go(ST_AC);
        return 0;
      }
      case ST_AC:
        this.#anticollisionDone();
        return 0;
      case ST_SEL: {
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
          this.#go(ST_AC);
          return 0;
        }
        for (let i = 0; i < 4; i++) this.#uid[this.#uidLen++] = cl[i]!;
        this.#info.sak = sak;
        this.#go(ST_HLT);
        return 0;
      }
      case ST_HLT:
        if (x.status !== X_TIMEOUT) {
          c.haltAnswered++;
          c.lastError = "halt";
        }
        return this.#cardDone();
      case ST_WUPA_K:
        if (x.status === X_TIMEOUT || x.status === X_HOST_TIMEOUT || x.status === X_BUS) {
          if (x.status !== X_TIMEOUT) this.#countFailure(x.status);
          this.#state = ST_FINISH; // nobody in the field answers
          this.#k = 0;
          return 0;
        }
        this.#kLevel = 1;
        this.#go(ST_SEL_K);
        return 0;
      case ST_SEL_K: {
        if (x.status === X_TIMEOUT) {
          this.#phase2(this.#k + 1); // this card did not answer: absent this tick
          return 0;
        }
        if (!this.#sakValid()) {
          this.#phase2(this.#k + 1);
          return 0;
        }
        const levels = cascadeLevels(this.#slotLen[this.#k]!);
        const cascade = (x.rx[0]! & SAK_CASCADE) !== 0;
        if (cascade && this.#kLevel < levels) {
          this.#kLevel++;
          this.#go(ST_SEL_K);
        } else if (!cascade && this.#kLevel === levels) {
          this.#slotSeen[this.#k] = 1;
          c.presenceConfirmed++;
          this.#go(ST_HLT_K);
        } else {
          c.protocolErrors++;
          c.lastError = "cascade";
          this.#phase2(this.#k + 1);
        }
        return 0;
      }
      default: // ST_HLT_K
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
    const cl = this.#cl;
    const first = this.#known >> 3;
    if (x.status !== X_OK && x.status !== X_COLLISION) {
      this.#countFailure(x.status);
      this.#restart();
      return;
    }
    if (x.rxLen === 0 || first + x.rxLen > 5) {
      c.protocolErrors++;
      c.lastError = "anticollision-length";
      this.#restart();
      return;
    }
    // Merge the received bits behind the known ones.
    const align = x.rxAlign;
    for (let j = 0; j < x.rxLen; j++) {
      const v = x.rx[j]!;
      if (j === 0 && align !== 0) {
        const m = (1 << align) - 1;
        cl[first] = (cl[first]! & m) | (v & ~m & 0xff);
      } else cl[first + j] = v;
    }
    if (x.status === X_COLLISION) {
      c.collisions++;
      const bit = collisionBit(x.collReg, align, first);
      if (bit < this.#known || bit >= 32 || (bit >> 3) >= first + x.rxLen) {
        c.protocolErrors++;
        c.lastError = "collision-position";
        this.#restart();
        return;
      }
      const byte = bit >> 3;
      const b = bit & 7;
      cl[byte] = (cl[byte]! & ((1 << b) - 1)) | (1 << b); // pick the cards sending 1
      this.#known = bit + 1;
      this.#go(ST_AC);
      return;
    }
    if (first + x.rxLen !== 5 || x.rxLastBits !== 0) {
      c.protocolErrors++;
      c.lastError = "anticollision-length";
      this.#restart();
      return;
    }
    if ((cl[0]! ^ cl[1]! ^ cl[2]! ^ cl[3]!) !== cl[4]) {
      c.bccErrors++;
      c.lastError = "bcc";
      this.#restart();
      return;
    }
    this.#known = 40;
    this.#go(ST_SEL);
  }

  #findSlot(uid: Uint8Array, len: number): number {
    for (let k = 0; k < MAX_TRACKED; k++) {
      if (this.#slotLen[k] !== len) continue;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (this.#slotUid[k * 10 + i] !== uid[i]) {
          same = false;
          break;
        }
      }
      if (same) return k;
    }
    return -1;
  }

  #fill(uid: Uint8Array, off: number, len: number, sak: number, atqa: number): void {
    const r = this.#read;
    r.data.fill(0);
    for (let i = 0; i < len; i++) r.data[i] = uid[off + i]!;
    r.byteLength = len;
    r.bitLength = len * 8;
    r.facility = -1;
    r.card = -1;
    r.format = RC522_FORMAT;
    const info = this.#info;
    info.sak = sak;
    info.atqa = atqa;
    info.uidSize = len;
    info.cardType = sakCardType(sak);
  }

  /** A card was read and halted: record it, report it when new, look for more. */
  #cardDone(): number {
    const len = this.#uidLen;
    const sak = this.#info.sak;
    this.#cards++;
    if (this.#cards >= this.#maxCards) this.#phase2(0);
    else this.#go(ST_REQA);
    let k = this.#findSlot(this.#uid, len);
    if (k >= 0) {
      this.#slotSeen[k] = 1;
      return 0;
    }
    for (k = 0; k < MAX_TRACKED && this.#slotLen[k] !== 0; k++);
    if (k < MAX_TRACKED) {
      for (let i = 0; i < len; i++) this.#slotUid[k * 10 + i] = this.#uid[i]!;
      this.#slotLen[k] = len;
      this.#slotSak[k] = sak;
      this.#slotAtqa[k] = this.#atqa;
      this.#slotMissed[k] = 0;
      this.#slotSeen[k] = 1;
    } else {
      this.counters.tableFull++;
    }
    this.#fill(this.#uid, 0, len, sak, this.#atqa);
    this.counters.cardsRead++;
    return STEP_CARD;
  }

  /** Phase 2: the next known card from slot `from` not seen this tick, or the finish. */
  #phase2(from: number): void {
    for (let k = from; k < MAX_TRACKED; k++) {
      if (this.#slotLen[k] !== 0 && this.#slotSeen[k] === 0) {
        this.#k = k;
        this.#go(ST_WUPA_K);
        return;
      }
    }
    this.#k = 0;
    this.#state = ST_FINISH;
  }

  /** Ages cards not seen this tick; reports removals one at a time. */
  #finish(): number {
    for (let k = this.#k; k < MAX_TRACKED; k++) {
      if (this.#slotLen[k] === 0) continue;
      if (this.#slotSeen[k] !== 0) {
        this.#slotMissed[k] = 0;
        continue;
      }
      this.#slotMissed[k] = this.#slotMissed[k]! + 1;
      if (this.#slotMissed[k]! >= this.#absentTicks) {
        const len = this.#slotLen[k]!;
        this.#fill(this.#slotUid, k * 10, len, this.#slotSak[k]!, this.#slotAtqa[k]!);
        this.#slotLen[k] = 0;
        this.#k = k + 1;
        this.counters.removals++;
        return STEP_REMOVED;
      }
    }
    this.#state = ST_IDLE;
    return STEP_DONE;
  }
}
