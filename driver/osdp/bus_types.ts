/**
 * Types of the OSDP bus: the transport it drives, the readers it polls, the
 * events it emits, its options and counters.
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import type { TagFormat } from "../tag.ts";
import type { OsdpKeyStore, OsdpLogger } from "./link_types.ts";
import type { FeedbackPattern } from "./payload.ts";
import type { LinkTiming } from "./timing.ts";

/** What the bus reads and writes (a `SerialPort`, or a pty master in tests). */
export interface OsdpTransport {
  /** Resolves with ≥ 1 bytes, or 0 on timeout or once closed. */
  read(buf: Uint8Array<ArrayBuffer>, timeoutMs?: number): Promise<number>;
  /** Writes all bytes. */
  write(data: Uint8Array): Promise<void>;
  /** Closes; a waiting read resolves 0. */
  close(): Promise<void>;
  /** True once closed. */
  readonly closed: boolean;
  /** Line settings in force (a {@link SerialPort} has them). */
  readonly settings?: { readonly baudRate: number };
  /** Changes the line speed (to follow a reader's accepted COMSET). */
  setBaudRate?(baudRate: number): void;
}

/** One reader on the bus. */
export interface OsdpReaderSpec {
  /** Name reported with its events. */
  name: string;
  /** Address 0x00–0x7E. */
  address: number;
  /**
   * Secure Channel: `scbk` as 32 hex digits or 16 bytes; `required` refuses
   * readers without a Secure Channel on a key of their own; `install` gives a
   * reader found on SCBK-D a key (`scbk`, the stored one, or a random one) with
   * KEYSET, stored first in the bus's `keyStore`.
   */
  secureChannel?: { scbk?: string | Uint8Array; required?: boolean; install?: boolean };
  /** Tag format for {@link OsdpCardEvent.tag} (default `dec10`). */
  tagFormat?: TagFormat;
  /** Poll interval for this reader (default: the bus timing's). */
  pollIntervalMs?: number;
  /** Feedback patterns (defaults `FEEDBACK_OK` and `FEEDBACK_REJECTED`). */
  feedback?: { ok?: Partial<FeedbackPattern>; rejected?: Partial<FeedbackPattern> };
}

/** A card read on one reader. */
export interface OsdpCardEvent {
  /** Reader name. */
  reader: string;
  /** PD address. */
  address: number;
  /** Reader number on the PD (0 for single-head readers). */
  readerNumber: number;
  /** The `rfidTag` string in the reader's tag format. */
  tag: string;
  /** Decoder format name (`h10301`, `raw`, `osdp-fmt`, …). */
  format: string;
  /** `osdp_RAW` (bits) or `osdp_FMT` (ASCII number). */
  source: "raw" | "fmt";
  /** The decoded read; reused: valid during the callback only. */
  read: CardRead;
}

/** Keys pressed on one reader. */
export interface OsdpKeypadEvent {
  /** Reader name. */
  reader: string;
  /** PD address. */
  address: number;
  /** Reader number on the PD. */
  readerNumber: number;
  /** Keys, `*` and `#` as characters. */
  keys: string;
}

/** Options of a bus. */
export interface OsdpBusOptions {
  /** Readers on this line. */
  readers: OsdpReaderSpec[];
  /** Timing overrides (defaults in `DEFAULT_TIMING`). */
  timing?: Partial<LinkTiming>;
  /** Called for each card read. */
  onCard?: (ev: OsdpCardEvent) => void;
  /** Called for keypad input. */
  onKeypad?: (ev: OsdpKeypadEvent) => void;
  /** Called when a reader answers and is online (after its Secure Channel handshake). */
  onReaderOnline?: (reader: string) => void;
  /** Log sink (default: none). Keys are never logged. */
  logger?: OsdpLogger;
  /** Largest frame accepted (default 1024). */
  maxFrame?: number;
  /** RND.A and generated-key source (tests); default crypto random. */
  random?: (buf: Uint8Array) => void;
  /** Where installed keys are kept (needed for `install` and rekeying). */
  keyStore?: OsdpKeyStore;
}

/** Options of {@link OsdpBus.open}. */
export interface OsdpBusOpenOptions extends OsdpBusOptions {
  /** Baud rate (default 9600). */
  baudRate?: number;
  /** Kernel RS-485 mode (default false; most USB adapters switch direction themselves). */
  rs485?: boolean;
  /**
   * Reopen the port with capped backoff when it fails (default true). With
   * false, `OsdpBus.finished` rejects with the port's error instead.
   */
  reopen?: boolean;
}

/** Line-level counters of a bus. */
export interface OsdpBusCounters {
  /** Valid frames parsed. */
  frames: number;
  /** CRC/checksum errors. */
  checkErrors: number;
  /** Bad lengths. */
  lengthErrors: number;
  /** Bad security block layouts. */
  layoutErrors: number;
  /** Garbage bytes skipped. */
  garbageBytes: number;
  /** Partial frames dropped (reply cut short before the next command). */
  truncated: number;
  /** Replies from addresses not being polled. */
  strayFrames: number;
  /** Commands seen on the line (RS-485 echo), ignored. */
  echoes: number;
  /** Port failures (disconnects). */
  portErrors: number;
}
