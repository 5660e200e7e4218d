/**
 * What the agent needs from a reader, whatever its kind: open it, hand every
 * card read to the pipeline, close it, and count what it could not decode.
 *
 * @module
 */

import type { CardRead } from "../../driver/card.ts";
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
  /** A PIN was entered on a keypad (kept for status; not journaled as a scan). */
  onPin?(reader: string, pin: string): void;
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
  state?(reader: string): "online" | "offline" | "connecting";
  /** Kind-specific status details for a reader name. */
  details?(reader: string): Record<string, unknown>;
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
