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
  let attached = false;
  return await runCapture({
    tap,
    writer,
    seconds: opts.seconds,
    signal: opts.signal,
    attach: (t) => {
      attached = driver.setTap(reader.name, t);
      if (!attached) throw new CaptureError(`reader ${reader.name} is not open`);
    },
    detach: () => {
      if (attached) driver.setTap(reader.name, null);
    },
    counters: () => counters(opts.driver(), reader.name),
  });
}
