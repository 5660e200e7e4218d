/**
 * One capture run: attach a {@link CaptureTap} to a transport, drain it into a
 * {@link CaptureWriter} every `intervalMs` for `seconds`, then detach and
 * write the trailer with the counters at the end.
 *
 * @module
 */

import type { CaptureTap } from "./tap.ts";
import type { CaptureWriter } from "./writer.ts";

/** What {@link runCapture} needs. */
export interface CaptureRun {
  /** The tap (attached by `attach`). */
  tap: CaptureTap;
  /** Where the records go. */
  writer: CaptureWriter;
  /** How long to record, in seconds. */
  seconds: number;
  /** Hooks the tap into the transport. */
  attach(tap: CaptureTap): void;
  /** Unhooks it. */
  detach(): void;
  /** The decoder's counters (for the trailer). */
  counters(): Record<string, unknown>;
  /** Drain period (default 100 ms). */
  intervalMs?: number;
  /** Ends the capture early. */
  signal?: AbortSignal;
  /** Rewrites each drained batch before it is written (e.g. blanks OSDP KEYSET data). */
  scrub?: (records: Uint8Array, count: number) => void;
}

/** What a finished capture holds. */
export interface CaptureSummary {
  /** Records kept. */
  records: number;
  /** Records dropped (ring full). */
  dropped: number;
  /** Compressed bytes written. */
  bytes: number;
  /** Files written (1 + rotations). */
  parts: number;
}

/** Records for `seconds` (or until `signal`), then closes the writer. */
export async function runCapture(run: CaptureRun): Promise<CaptureSummary> {
  const { tap, writer } = run;
  const interval = run.intervalMs ?? 100;
  const until = performance.now() + run.seconds * 1000;
  let records = 0;
  await writer.append(new Uint8Array(0)); // the header, before any record
  run.attach(tap);
  try {
    while (performance.now() < until && !run.signal?.aborted) {
      await new Promise((r) => setTimeout(r, Math.min(interval, until - performance.now())));
      const out = tap.drain();
      run.scrub?.(out, out.length / 64);
      records += out.length / 64;
      await writer.append(out);
    }
  } finally {
    run.detach();
  }
  const rest = tap.drain();
  run.scrub?.(rest, rest.length / 64);
  records += rest.length / 64;
  await writer.append(rest);
  const [sec, nsec] = tap.now();
  await writer.close({ counters: run.counters(), dropped: tap.dropped }, sec, nsec);
  return { records, dropped: tap.dropped, bytes: writer.totalBytes, parts: writer.parts };
}
