/**
 * What the agent needs from a reader, whatever its kind: open it, hand every
 * card read to the pipeline, close it, and count what it could not decode.
 *
 * @module
 */

import type { CardRead } from "../../driver/card.ts";
import type { CaptureTap } from "../../driver/capture/tap.ts";
import type { ReaderStatus } from "../status/snapshot.ts";

/** What a reader reports about its line: drops by reason, unknown lengths, hints. */
export type ReaderLineReport = Pick<
  ReaderStatus,
  "drops" | "unknownLengths" | "lastUnknownLengths" | "hints"
>;

/** Callbacks a running reader calls. */
export interface ReaderSink {
  /** The device is open and being read. */
  onOpen(): void;
  /** A card was read by the reader named `reader` (a bus may host several). */
  onCard(reader: string, read: CardRead): void;
  /** A reader of a bus answered and is online (drivers with `reportsOnline`). */
  onReaderOnline?(reader: string): void;
  /** A PIN was entered on a keypad (kept for status; not journaled as a scan). */
  onPin?(reader: string, pin: string): void;
}

/** A reader's own view of its health (a bus hosts several readers; the port's state is not theirs). */
export interface ReaderHealth {
  /** Why the agent is degraded because of this reader (e.g. `refused: …`), if it is. */
  degraded?: string;
  /** A warning that does not make the agent degraded (e.g. `not answering …`). */
  warning?: string;
  /** The reader's last error, if any. */
  lastError?: string;
}

/** Feedback a reader that can beep or light is given about a scan. */
export type ScanFeedback = "journaled" | "rejected" | "granted" | "denied";

/**
 * One running device: a serial reader, a GPIO pair, an SPI chip, or an OSDP
 * bus hosting several readers.
 */
export interface ReaderDriver {
  /**
   * Opens the device and reads until {@link close}; resolves when closed,
   * rejects when the device fails (the supervisor reopens it).
   */
  run(sink: ReaderSink): Promise<void>;
  /** Stops reading and releases the device; safe to call twice. */
  close(): Promise<void>;
  /** Decode errors so far (checksum, parity, framing), per reader name. */
  decodeErrors(reader: string): number;
  /** Per-reader state for devices hosting several readers (default: the device's). */
  state?(reader: string): "online" | "offline" | "connecting" | "refused" | "not-answering";
  /** Per-reader health for devices hosting several readers (status headline and `/health`). */
  health?(reader: string): ReaderHealth;
  /** True when the driver logs each reader's "online" itself (when it answers, not when the port opens). */
  readonly reportsOnline?: boolean;
  /** Kind-specific status details for a reader name. */
  details?(reader: string): Record<string, unknown>;
  /**
   * Attaches a capture tap to the transport that carries the reader named
   * `reader` (its port, GPIO lines or register bus; an OSDP line carries all
   * its readers), or with null detaches it. False when the device is not open.
   */
  setTap(reader: string, tap: CaptureTap | null): boolean;
  /** Drops by reason, unknown lengths and line hints for a reader name. */
  lineReport?(reader: string): ReaderLineReport | undefined;
  /** Tells the reader named `reader` what became of its last scan. */
  feedback?(reader: string, result: ScanFeedback): void;
  /**
   * Drives output `output` of the reader named `reader` (its lock relay): on
   * for about `pulseMs`, or off. False when the reader cannot be told now.
   */
  output?(reader: string, output: number, on: boolean, pulseMs: number): boolean;
}
