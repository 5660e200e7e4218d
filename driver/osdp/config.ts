/**
 * Config of an `osdp` reader (the agent adds `name` and `kind`), and the
 * grouping of readers that share a serial port into one bus each.
 *
 * ```jsonc
 * { "name": "gate-1", "kind": "osdp", "port": "/dev/ttyUSB0", "address": 0,
 *   "secureChannel": { "scbk": "00112233445566778899aabbccddeeff", "required": true } }
 * ```
 *
 * @module
 */

import { z } from "zod";
import { TAG_FORMATS, type TagFormat } from "../tag.ts";
import type { OsdpReaderSpec } from "./bus_types.ts";
import { OsdpLedColor, type OsdpLedColorName } from "./constants.ts";
import type { FeedbackPattern } from "./payload.ts";
import { DEFAULT_TIMING, type LinkTiming } from "./timing.ts";
import type { ReaderGroupIssue, Same } from "../config_issue.ts";

/** Options of an `osdp` reader, as parsed. */
export interface OsdpReaderConfig {
  /** Serial device of the RS-485 line, e.g. `/dev/ttyUSB0`; readers on one line share it. */
  port: string;
  /** Line speed (default 9600). */
  baudRate: number;
  /** Kernel RS-485 mode for adapters that need RTS driven (default false). */
  rs485: boolean;
  /** PD address 0–126. */
  address: number;
  /**
   * Secure Channel; absent → clear. Keys tried: the installed one
   * (`osdp-keys.json`), `scbk`, then SCBK-D (with `install`, or without `scbk`).
   * `install`: a reader found on SCBK-D gets `scbk` (or a random key) by KEYSET.
   */
  secureChannel?: { scbk?: string; required: boolean; install: boolean };
  /** Poll interval, ms (default 50). */
  pollIntervalMs: number;
  /** Reply timeout before the same command is sent again, ms (default 200; per line). */
  replyTimeoutMs: number;
  /** No valid reply for this long → the reader is offline, ms (default 8000; per line). */
  offlineAfterMs: number;
  /** Cap of the reconnect backoff once offline, ms (default 30000; per line). */
  reconnectMaxMs: number;
  /** How a card read becomes the `rfidTag` (default `dec10`). */
  tagFormat: TagFormat;
  /** LED/beep patterns for journaled (`ok`) and rejected scans; unset fields keep the defaults. */
  feedback?: { ok?: Partial<FeedbackPattern>; rejected?: Partial<FeedbackPattern> };
}

const ms = (max: number) => z.number().int().min(0).max(max);

/** One feedback pattern; every field optional (defaults: `FEEDBACK_OK` / `FEEDBACK_REJECTED`). */
const pattern = z.strictObject({
  color: z.enum(Object.keys(OsdpLedColor) as [OsdpLedColorName, ...OsdpLedColorName[]]).optional(),
  durationMs: ms(25_000).optional(),
  flashOnMs: ms(25_000).optional(),
  flashOffMs: ms(25_000).optional(),
  beeps: z.number().int().min(0).max(255).optional(),
  beepOnMs: ms(25_000).optional(),
  beepOffMs: ms(25_000).optional(),
});

/**
 * The `osdp` reader options schema (strict: unknown keys are errors). Import it
 * from this file (zod types stay out of the documented module surface).
 */
export const OsdpReaderConfigSchema = z.strictObject({
  port: z.string().min(1, "the serial device of the RS-485 line, e.g. /dev/ttyUSB0"),
  baudRate: z.number().int().min(1200).max(4_000_000).default(9600),
  rs485: z.boolean().default(false),
  address: z.number().int().min(0).max(126, "OSDP addresses are 0..126 (127 is broadcast)"),
  secureChannel: z.strictObject({
    scbk: z.string().regex(/^[0-9a-fA-F]{32}$/, "expected 32 hex digits (a 16-byte key)")
      .optional(),
    required: z.boolean().default(false),
    install: z.boolean().default(false),
  }).optional(),
  pollIntervalMs: z.number().int().min(5).max(60_000).default(50),
  replyTimeoutMs: z.number().int().min(10).max(10_000).default(DEFAULT_TIMING.replyTimeoutMs),
  offlineAfterMs: z.number().int().min(100).max(600_000).default(DEFAULT_TIMING.offlineAfterMs),
  reconnectMaxMs: z.number().int().min(100).max(3_600_000).default(DEFAULT_TIMING.reconnectMaxMs),
  tagFormat: z.enum(TAG_FORMATS).default("dec10"),
  feedback: z.strictObject({ ok: pattern.optional(), rejected: pattern.optional() }).optional(),
});

const _same: Same<z.output<typeof OsdpReaderConfigSchema>, OsdpReaderConfig> = true;
void _same;

/** One serial line and the readers on it, ready for `OsdpBus.open`. */
export interface OsdpLineConfig {
  /** Serial device. */
  port: string;
  /** Line speed. */
  baudRate: number;
  /** Kernel RS-485 mode. */
  rs485: boolean;
  /** Readers on the line. */
  readers: OsdpReaderSpec[];
  /** Line timing (reply timeout, offline time, reconnect cap). */
  timing: Partial<LinkTiming>;
}

/**
 * Checks `osdp` readers that share a port: one speed, RS-485 mode and timing
 * per line, distinct addresses. Each problem names the reader it is reported
 * at (its index in `readers`) and the key; empty when fine.
 */
export function osdpLineIssues(
  readers: readonly (OsdpReaderConfig & { name: string })[],
): ReaderGroupIssue[] {
  const out: ReaderGroupIssue[] = [];
  const first = new Map<string, OsdpReaderConfig & { name: string }>();
  const addresses = new Map<string, string>();
  readers.forEach((r, reader) => {
    const f = first.get(r.port);
    if (!f) first.set(r.port, r);
    else if (r.baudRate !== f.baudRate || r.rs485 !== f.rs485) {
      out.push({
        reader,
        path: [r.baudRate !== f.baudRate ? "baudRate" : "rs485"],
        message:
          `osdp readers "${f.name}" and "${r.name}" share ${r.port} but differ in baudRate/rs485`,
      });
    } else if (
      r.replyTimeoutMs !== f.replyTimeoutMs || r.offlineAfterMs !== f.offlineAfterMs ||
      r.reconnectMaxMs !== f.reconnectMaxMs
    ) {
      out.push({
        reader,
        path: [],
        message: `osdp readers "${f.name}" and "${r.name}" share ${r.port} but differ in ` +
          `replyTimeoutMs/offlineAfterMs/reconnectMaxMs`,
      });
    }
    const key = `${r.address}@${r.port}`;
    const clash = addresses.get(key);
    if (clash !== undefined) {
      out.push({
        reader,
        path: ["address"],
        message:
          `osdp readers "${clash}" and "${r.name}" both use address ${r.address} on ${r.port}`,
      });
    } else addresses.set(key, r.name);
  });
  return out;
}

/**
 * Groups named `osdp` reader configs by port. Throws an `Error` naming the
 * readers when {@link osdpLineIssues} finds a problem.
 */
export function groupOsdpReaders(
  readers: readonly (OsdpReaderConfig & { name: string })[],
): OsdpLineConfig[] {
  const problem = osdpLineIssues(readers)[0];
  if (problem) throw new Error(problem.message);
  const lines = new Map<string, OsdpLineConfig>();
  for (const r of readers) {
    let line = lines.get(r.port);
    if (!line) {
      line = {
        port: r.port,
        baudRate: r.baudRate,
        rs485: r.rs485,
        readers: [],
        timing: {
          replyTimeoutMs: r.replyTimeoutMs,
          offlineAfterMs: r.offlineAfterMs,
          reconnectMaxMs: r.reconnectMaxMs,
        },
      };
      lines.set(r.port, line);
    }
    line.readers.push({
      name: r.name,
      address: r.address,
      secureChannel: r.secureChannel,
      pollIntervalMs: r.pollIntervalMs,
      tagFormat: r.tagFormat,
      feedback: r.feedback,
    });
  }
  return [...lines.values()];
}
