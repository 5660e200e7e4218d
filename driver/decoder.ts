/**
 * The shape every byte-stream decoder (ASCII frames, lines, OSDP packets)
 * shares, so one read loop can drive any of them.
 *
 * @module
 */

import type { CardRead } from "./card.ts";

/** Counters a byte decoder keeps; plain integers, updated in place. */
export interface DecoderCounters {
  /** Valid frames decoded. */
  frames: number;
  /** Frames whose checksum did not match. */
  checksumErrors: number;
  /** Bytes or frames that broke the framing (resynchronised). */
  framingErrors: number;
  /** Code of the last error (a constant string, "" if none). */
  lastError: string;
}

/** A zero-allocation decoder fed one byte at a time. */
export interface ByteDecoder {
  /** The caller-owned read the decoder fills when a frame completes. */
  readonly read: CardRead;
  /** Counters, updated in place. */
  readonly counters: DecoderCounters;
  /** Feeds one byte; true when {@link read} now holds a new card. */
  push(byte: number): boolean;
  /** Drops any partial frame (e.g. after a reconnect). */
  reset(): void;
}

/** Fresh zeroed counters. */
export function newCounters(): DecoderCounters {
  return { frames: 0, checksumErrors: 0, framingErrors: 0, lastError: "" };
}

/** Value of an ASCII hex digit, or -1. */
export function hexDigitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
