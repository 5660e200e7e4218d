/**
 * Per-reader status of the OSDP control panel, as plain JSON-able data for
 * the agent's `/health`, `/metrics` and `status` output. Never carries keys.
 *
 * @module
 */

import type { PdLink } from "./link.ts";
import type { LinkCounters, LinkPhase, ScState } from "./link_types.ts";
import type { KeySource } from "./key_ring.ts";
import type { PdId } from "./payload.ts";

/** Status of one reader on an OSDP bus. */
export interface OsdpReaderStatus {
  /** Reader name. */
  name: string;
  /** PD address. */
  address: number;
  /** True when polled normally and card data is accepted. */
  online: boolean;
  /** Connection phase. */
  phase: LinkPhase;
  /** The link state machine's state (`id`, `chlng`, `online`, …). */
  state: string;
  /** False after a few timeouts in a row (polled on the slow schedule): a warning before offline. */
  answering: boolean;
  /** Why the panel refuses the reader, null when it does not. */
  refusal: string | null;
  /** Secure Channel state (`default-key`: a session on the public SCBK-D). */
  secureChannel: ScState;
  /** Where the session's key came from: `installed`, `configured`, `default`; null without one. */
  keySource: KeySource | null;
  /** Last Secure Channel problem, null when none. */
  secureChannelError: string | null;
  /** Tamper from LSTATR (null: unknown yet). */
  tamper: boolean | null;
  /** Power failure from LSTATR (null: unknown yet). */
  powerFailure: boolean | null;
  /** Check characters in use. */
  check: "crc" | "checksum";
  /** Current sequence number. */
  sequence: number;
  /** Last NAK code, null when none. */
  lastNak: number | null;
  /** Last error, null when none. */
  lastError: string | null;
  /** Milliseconds since the last valid reply. */
  lastReplyAgoMs: number;
  /** When offline or refused: milliseconds until the next attempt. */
  retryInMs: number | null;
  /** Address and baud rate from the last `osdp_COM` (after a COMSET), null before any. */
  com: { address: number; baudRate: number } | null;
  /** The reader's identity (PDID), null before the first. */
  id: PdId | null;
  /** Counters. */
  counters: LinkCounters;
}

/** Snapshot of a link's status at `now`. */
export function readerStatus(link: PdLink, now: number): OsdpReaderStatus {
  const waiting = link.phase === "offline" || link.phase === "refused";
  return {
    name: link.name,
    address: link.address,
    online: link.online,
    phase: link.phase,
    state: link.state,
    answering: link.schedule.answering,
    refusal: link.refusal || null,
    secureChannel: link.security.sc,
    keySource: link.security.keySource,
    secureChannelError: link.security.error || null,
    tamper: link.reports.tamper,
    powerFailure: link.reports.powerFailure,
    check: link.useCrc ? "crc" : "checksum",
    sequence: link.seq,
    lastNak: link.lastNak >= 0 ? link.lastNak : null,
    lastError: link.lastError || null,
    lastReplyAgoMs: Math.max(0, Math.round(now - link.schedule.lastReplyAt)),
    retryInMs: waiting ? Math.max(0, Math.round(link.dueAt - now)) : null,
    com: link.reports.com,
    id: link.pdId,
    counters: { ...link.counters },
  };
}
