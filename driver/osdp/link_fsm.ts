/**
 * The control panel's link states for one reader and every transition
 * between them, in one table (as libosdp's `osdp_cp.c` keeps its next-state
 * rules together). {@link PdLink} decides which {@link LinkEvent} happened;
 * {@link nextStep} alone decides where that leads.
 *
 * ```
 * ID ─ok→ CAP ─ok→ LSTAT ─ok→ ONLINE ─rekey→ KEYSET
 *          └secure→ CHLNG ─ok→ SCRYPT ─ok→ LSTAT
 *                    ↑ nextKey ┘  └install→ KEYSET ─ok→ ID (new key)
 * any ─restart→ ID · any ─silent/portLost→ OFFLINE · any ─refuse→ REFUSED
 * OFFLINE/REFUSED ─ok (probe answered)→ CAP
 * ```
 *
 * @module
 */

/** Where a link is (each connect state names the command it sends). */
export const LinkStep = {
  /** `osdp_ID` at sequence 0: first contact. */
  ID: 0,
  /** `osdp_CAP`. */
  CAP: 1,
  /** `osdp_CHLNG`: Secure Channel handshake, first half. */
  CHLNG: 2,
  /** `osdp_SCRYPT`: handshake, second half. */
  SCRYPT: 3,
  /** `osdp_KEYSET`: installing a new SCBK (stored durably before it is sent). */
  KEYSET: 4,
  /** `osdp_LSTAT`: last connect step. */
  LSTAT: 5,
  /** Polling; card data accepted. */
  ONLINE: 6,
  /** No reply for `offlineAfterMs`: probed with `osdp_ID` on a backoff. */
  OFFLINE: 7,
  /** Refused by the panel (e.g. Secure Channel required): probed on a backoff. */
  REFUSED: 8,
} as const;

/** A {@link LinkStep} value. */
export type LinkStep = typeof LinkStep[keyof typeof LinkStep];

/** What happened to the command of the current step. */
export const LinkEvent = {
  /** The reply the step waits for (or a connect step the reader does not know). */
  OK: 0,
  /** After CAP: Secure Channel wanted and offered. */
  SECURE: 1,
  /** Secure Channel unavailable or failed and not required: continue in clear. */
  CLEAR: 2,
  /** The reader cannot be accepted (reason in `lastError`). */
  REFUSE: 3,
  /** The key did not verify; another candidate key is left to try. */
  NEXT_KEY: 4,
  /** Session up on SCBK-D in install mode: install a key. */
  INSTALL: 5,
  /** A key change was asked for (`cli osdp rekey`). */
  REKEY: 6,
  /** Start over at sequence 0 (sequence error, session lost, new key installed). */
  RESTART: 7,
  /** No valid reply for `offlineAfterMs`. */
  SILENT: 8,
  /** The serial port failed. */
  PORT_LOST: 9,
} as const;

/** A {@link LinkEvent} value. */
export type LinkEvent = typeof LinkEvent[keyof typeof LinkEvent];

const STEP_NAMES = [
  "id",
  "cap",
  "chlng",
  "scrypt",
  "keyset",
  "lstat",
  "online",
  "offline",
  "refused",
];
const EVENT_NAMES = [
  "ok",
  "secure",
  "clear",
  "refuse",
  "nextKey",
  "install",
  "rekey",
  "restart",
  "silent",
  "portLost",
];

/** Name of a step for logs (`chlng`), or `unknown N`. */
export function stepName(step: number): string {
  return STEP_NAMES[step] ?? `unknown ${step}`;
}

/** Name of an event for logs (`nextKey`), or `unknown N`. */
export function eventName(event: number): string {
  return EVENT_NAMES[event] ?? `unknown ${event}`;
}

const S = LinkStep, E = LinkEvent;
type Row = Partial<Record<LinkEvent, LinkStep>>;

/** Transitions every state shares. */
const ANY: Row = {
  [E.RESTART]: S.ID,
  [E.SILENT]: S.OFFLINE,
  [E.PORT_LOST]: S.OFFLINE,
  [E.REFUSE]: S.REFUSED,
};

/** The transition table: state → event → next state (then {@link ANY}). */
const TABLE: Record<LinkStep, Row> = {
  [S.ID]: { [E.OK]: S.CAP },
  [S.CAP]: { [E.OK]: S.LSTAT, [E.SECURE]: S.CHLNG, [E.CLEAR]: S.LSTAT },
  [S.CHLNG]: { [E.OK]: S.SCRYPT, [E.NEXT_KEY]: S.CHLNG, [E.CLEAR]: S.LSTAT },
  [S.SCRYPT]: { [E.OK]: S.LSTAT, [E.INSTALL]: S.KEYSET, [E.NEXT_KEY]: S.CHLNG, [E.CLEAR]: S.LSTAT },
  [S.KEYSET]: { [E.OK]: S.ID, [E.CLEAR]: S.LSTAT },
  [S.LSTAT]: { [E.OK]: S.ONLINE },
  [S.ONLINE]: { [E.REKEY]: S.KEYSET },
  [S.OFFLINE]: { [E.OK]: S.CAP },
  [S.REFUSED]: { [E.OK]: S.CAP },
};

/** The state `event` leads to from `step`, or -1 when the table has no such transition. */
export function nextStep(step: LinkStep, event: LinkEvent): LinkStep | -1 {
  return TABLE[step][event] ?? ANY[event] ?? -1;
}
