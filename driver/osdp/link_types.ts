/**
 * Types shared by the control panel's link, bus and status: logger, event
 * sink, states, counters and per-reader configuration.
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import type { LinkTiming } from "./timing.ts";

/** What a sink learns about the link an event came from. */
export interface LinkRef {
  /** Reader name. */
  readonly name: string;
  /** Current address. */
  readonly address: number;
}

/** Log callback (same shape as the service's logger). Keys are never passed to it. */
export type OsdpLogger = (
  level: "debug" | "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** Where a link reports what it receives. */
export interface LinkSink {
  /** A card was read; `read` is reused, valid during the call only. */
  card(link: LinkRef, read: CardRead, source: "raw" | "fmt", readerNumber: number): void;
  /** Keys were pressed (`*` and `#` as characters). */
  keypad(link: LinkRef, keys: string, readerNumber: number): void;
  /** Log line. */
  log: OsdpLogger;
  /** The reader answered and is online (after the handshake when Secure Channel is used). */
  online?(link: LinkRef): void;
}

/**
 * Secure Channel state of a link: `active` on a unique key, `default-key` on
 * the public SCBK-D (not a secret), `installing` while a key is being set.
 */
export type ScState =
  | "off"
  | "handshake"
  | "active"
  | "default-key"
  | "installing"
  | "failed"
  | "unsupported";

/** Connection phase of a link. */
export type LinkPhase = "connecting" | "online" | "offline" | "refused";

/** Where the bus keeps installed keys (durably, before `osdp_KEYSET` is sent). */
export interface OsdpKeyStore {
  /** The key stored for the reader at `address` on this line, or null. */
  load(address: number): Uint8Array | null;
  /** Stores `key` for `address` durably; resolves only once it is on disk. */
  save(address: number, key: Uint8Array): Promise<void>;
}

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
  /** Keys installed with `osdp_KEYSET`. */
  keysInstalled: number;
  /** Probes sent on the slow schedule while the reader was not answering. */
  slowPolls: number;
}

/** Per-reader configuration of a link. */
export interface PdLinkConfig {
  /** Reader name (as in the agent's config). */
  name: string;
  /** Address 0x00–0x7E. */
  address: number;
  /**
   * Secure Channel: absent → plain. Keys tried: `storedKey`, then `scbk`, then
   * SCBK-D (with `install`, or when no `scbk` is given). With `install`, a
   * reader answering on SCBK-D gets `scbk` (or a random key) set by KEYSET.
   */
  secureChannel?: { scbk?: Uint8Array; required?: boolean; install?: boolean };
  /** The key stored after an earlier installation, if any. */
  storedKey?: Uint8Array | null;
  /** Other readers share the line: a silent reader is then polled on the slow schedule. */
  shared?: boolean;
  /** Timing (resolved). */
  timing: LinkTiming;
  /** Source of RND.A (default: crypto random). */
  random?: (buf: Uint8Array) => void;
}

/** Fresh zeroed {@link LinkCounters}. */
export function newLinkCounters(): LinkCounters {
  return {
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
    keysInstalled: 0,
    slowPolls: 0,
  };
}
