/**
 * What the scanner reports besides the UID ({@link Rc522CardInfo}) and the
 * counters it keeps ({@link Rc522Counters}); both are reused objects.
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import { type CardType, sakCardType } from "./iso14443a.ts";
import { X_BUS, X_HOST_TIMEOUT, X_TIMEOUT } from "./exchange.ts";

/** What `Iso14443aScanner.step` asks of its caller. */
export const ScanStep = {
  /** Run the batch, then call step again. */
  RUN: 0,
  /** The chip is busy; call step again a little later. */
  WAIT: 1,
  /** The tick is over. */
  DONE: 2,
  /** A new card was read (read/info filled); call step again. */
  CARD: 3,
  /** A card left the field (read/info filled); call step again. */
  REMOVED: 4,
} as const;

/** A {@link ScanStep} value. */
export type ScanStep = typeof ScanStep[keyof typeof ScanStep];

/** Names of {@link ScanStep} values, for logs. */
export const SCAN_STEP_NAMES: readonly string[] = ["run", "wait", "done", "card", "removed"];

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

/** Fills the reused read and info with a card's UID and answers. */
export function fillRead(
  r: CardRead,
  info: Rc522CardInfo,
  uid: Uint8Array,
  off: number,
  len: number,
  sak: number,
  atqa: number,
): void {
  r.data.fill(0);
  for (let i = 0; i < len; i++) r.data[i] = uid[off + i]!;
  r.byteLength = len;
  r.bitLength = len * 8;
  r.facility = -1;
  r.card = -1;
  r.format = RC522_FORMAT;
  info.sak = sak;
  info.atqa = atqa;
  info.uidSize = len;
  info.cardType = sakCardType(sak);
}

/** Counts a failed exchange (timeout, bus, chip timer, protocol) in `c`. */
export function countFailure(c: Rc522Counters, status: number): void {
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

/** True for outcomes where nothing was received: timeout, chip timer never fired, bus failure. */
export function noAnswer(status: number): boolean {
  return status === X_TIMEOUT || status === X_HOST_TIMEOUT || status === X_BUS;
}
