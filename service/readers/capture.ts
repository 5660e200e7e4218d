/**
 * Capturing one reader's raw traffic from its running driver: the header
 * (kind, the reader's config entry without keys, pontaj's version, the
 * counters at the start), the tap attached to the driver's transport for the
 * requested time, the trailer with the counters at the end. Used by the agent
 * (`POST /actions/capture`) and by `cli capture` with the agent stopped.
 *
 * @module
 */

import type { CaptureHeader } from "../../driver/capture/format.ts";
import { type CaptureSummary, runCapture } from "../../driver/capture/session.ts";
import { CaptureTap } from "../../driver/capture/tap.ts";
import { scrubKeysets } from "../../driver/capture/osdp_keys.ts";
import { type CaptureOutput, CaptureWriter } from "../../driver/capture/writer.ts";
import { PACKAGE_VERSION } from "../iflow/config.ts";
import type { ReaderConfig } from "./kinds/mod.ts";
import type { ReaderDriver } from "./types.ts";

/** Longest capture, in seconds. */
export const CAPTURE_MAX_SECONDS = 3600;

/** Keys that hold secrets and never go into a capture (OSDP `secureChannel.scbk`). */
const SECRET_KEYS = new Set(["scbk", "key", "accessToken", "token"]);

/** The reader's config entry as a capture header carries it: every secret key removed. */
export function captureReaderConfig(reader: ReaderConfig): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(reader, (k, v) => SECRET_KEYS.has(k) ? undefined : v),
  ) as Record<string, unknown>;
}

/** Why a capture could not start. */
export class CaptureError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "CaptureError";
  }
}

/** What {@link captureReader} needs. */
export interface CaptureReaderOptions {
  /** The reader's config entry. */
  reader: ReaderConfig;
  /** The running driver hosting it (read again when the capture ends). */
  driver: () => ReaderDriver | undefined;
  /** Seconds to record (1 … {@link CAPTURE_MAX_SECONDS}). */
  seconds: number;
  /** Where the file goes. */
  out: CaptureOutput;
  /** Compressed bytes per file before rotating. */
  maxBytes?: number;
  /** Ends early. */
  signal?: AbortSignal;
  /** Drain period (default 100 ms). */
  intervalMs?: number;
  /**
   * Calls its argument with each driver that opens during the capture (the
   * supervisor's `watchOpen`): a reopened device is tapped too, and a
   * `reopened` meta record says so. Returns the function that stops the calls.
   */
  watchOpen?: (fn: (driver: ReaderDriver) => void) => () => void;
}

/** Counters as JSON values (numbers, strings, null) only. */
function counters(d: ReaderDriver | undefined, name: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(d?.details?.(name) ?? {})) as Record<string, unknown>;
}

/** Records the reader's traffic for `seconds`; throws {@link CaptureError} when it is not open. */
export async function captureReader(opts: CaptureReaderOptions): Promise<CaptureSummary> {
  const { reader } = opts;
  if (!(opts.seconds > 0 && opts.seconds <= CAPTURE_MAX_SECONDS)) {
    throw new CaptureError(`seconds: expected 1 to ${CAPTURE_MAX_SECONDS}, got ${opts.seconds}`);
  }
  const driver = opts.driver();
  if (!driver) throw new CaptureError(`reader ${reader.name} is not open`);
  const header: CaptureHeader = {
    kind: reader.kind,
    reader: captureReaderConfig(reader),
    pontajVersion: PACKAGE_VERSION,
    startedAt: new Date().toISOString(),
    counters: counters(driver, reader.name),
  };
  const tap = new CaptureTap();
  const writer = new CaptureWriter(opts.out, header, { maxBytes: opts.maxBytes });
  let current: ReaderDriver | null = null;
  let reopened = 0;
  let unwatch = () => {};
  return await runCapture({
    tap,
    writer,
    seconds: opts.seconds,
    signal: opts.signal,
    intervalMs: opts.intervalMs,
    // A KEYSET's new key, encrypted under a session whose keys the capture may hold, is blanked.
    scrub: reader.kind === "osdp" ? scrubKeysets : undefined,
    attach: (t) => {
      if (!driver.setTap(reader.name, t)) {
        throw new CaptureError(`reader ${reader.name} is not open`);
      }
      current = driver;
      unwatch = opts.watchOpen?.((d) => {
        if (d === current) return;
        const ok = d.setTap(reader.name, t);
        if (ok) current = d;
        reopened++;
        t.meta(JSON.stringify({
          event: "reopened",
          reopened,
          tapped: ok,
          counters: counters(d, reader.name),
        }));
      }) ?? (() => {});
    },
    detach: () => {
      unwatch();
      current?.setTap(reader.name, null);
    },
    counters: () => counters(opts.driver(), reader.name),
  });
}
