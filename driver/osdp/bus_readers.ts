/**
 * From a bus's reader specs to its readers: addresses checked (0–126, once
 * per line), one {@link PdLink} each with its timing, keys (configured and
 * stored) and sharing of the line, and the LED/beep commands for journaled
 * and rejected scans built once.
 *
 * @module
 */

import type { TagFormat } from "../tag.ts";
import { PdLink } from "./link.ts";
import type { LinkSink } from "./link_types.ts";
import { MAX_FRAME } from "./parser.ts";
import {
  buzzerBytes,
  FEEDBACK_OK,
  FEEDBACK_REJECTED,
  feedbackBuzzer,
  feedbackLed,
  type FeedbackPattern,
  LED_RECORD_LENGTH,
  writeLed,
} from "./payload.ts";
import { parseKeyHex } from "./secure.ts";
import { resolveTiming } from "./timing.ts";
import type { OsdpBusOptions } from "./bus_types.ts";

/** LED record and buzzer record (null: no beep) of one feedback pattern. */
export interface FeedbackCommands {
  /** `osdp_LED` data. */
  led: Uint8Array;
  /** `osdp_BUZ` data, null for no beep. */
  buz: Uint8Array | null;
}

/** One reader on a bus. */
export interface BusReader {
  /** Its link. */
  link: PdLink;
  /** Tag format of its card events. */
  tagFormat: TagFormat;
  /** Feedback for a journaled scan. */
  ok: FeedbackCommands;
  /** Feedback for a rejected scan. */
  rejected: FeedbackCommands;
}

function feedbackCommands(
  base: FeedbackPattern,
  over: Partial<FeedbackPattern> | undefined,
): FeedbackCommands {
  const p = { ...base, ...over };
  const led = new Uint8Array(LED_RECORD_LENGTH);
  writeLed(led, 0, feedbackLed(p));
  const b = feedbackBuzzer(p);
  return { led, buz: b ? buzzerBytes(b) : null };
}

/** The readers of `options`, their links reporting to `sink`; throws on a bad or repeated address. */
export function busReaders(options: OsdpBusOptions, sink: LinkSink, now: number): BusReader[] {
  const seen = new Set<number>();
  return options.readers.map((r) => {
    if (!Number.isInteger(r.address) || r.address < 0 || r.address > 0x7e) {
      throw new Error(`osdp reader "${r.name}": address must be 0..126, got ${r.address}`);
    }
    if (seen.has(r.address)) {
      throw new Error(`osdp reader "${r.name}": address ${r.address} used twice on one port`);
    }
    seen.add(r.address);
    const sc = r.secureChannel;
    const scbk = typeof sc?.scbk === "string" ? parseKeyHex(sc.scbk) : sc?.scbk;
    const timing = resolveTiming({
      ...options.timing,
      pollIntervalMs: r.pollIntervalMs ?? options.timing?.pollIntervalMs,
    });
    const link = new PdLink(
      {
        name: r.name,
        address: r.address,
        secureChannel: sc ? { scbk, required: sc.required, install: sc.install } : undefined,
        storedKey: sc ? options.keyStore?.load(r.address) ?? null : null,
        shared: options.readers.length > 1,
        timing,
        random: options.random,
      },
      sink,
      now,
      options.maxFrame ?? MAX_FRAME,
    );
    return {
      link,
      tagFormat: r.tagFormat ?? "dec10",
      ok: feedbackCommands(FEEDBACK_OK, r.feedback?.ok),
      rejected: feedbackCommands(FEEDBACK_REJECTED, r.feedback?.rejected),
    };
  });
}
