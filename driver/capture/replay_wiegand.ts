/**
 * Replaying `wiegand` captures: the recorded D0/D1 edges, with their kernel
 * timestamps, go through the same {@link WiegandReader} (assembler, pulse and
 * gap timing, format decoders) the agent runs; the clock is the recorded one.
 *
 * @module
 */

import { WiegandReaderConfigSchema } from "../wiegand/config.ts";
import type { WiegandReaderConfig } from "../wiegand/config_types.ts";
import type { WiegandEvent } from "../wiegand/events.ts";
import { WiegandReader } from "../wiegand/reader.ts";
import { chunks, type ParsedCapture, RecordFlag, RecordType } from "./format.ts";
import { ReplayLog, type ReplayReport } from "./replay.ts";

const ERROR_KEYS = [
  "parityErrors",
  "unknownLengths",
  "glitches",
  "faults",
  "timingErrors",
  "overflows",
  "discarded",
  "keypadErrors",
] as const;

/** The recorded reader's options, or the defaults (with a note) when they do not parse. */
function wiegandConfig(cap: ParsedCapture, notes: string[]): WiegandReaderConfig {
  const { name: _n, kind: _k, ...options } = cap.header.reader;
  const r = WiegandReaderConfigSchema.safeParse(options);
  if (r.success) return r.data;
  notes.push("the recorded reader options did not parse; replayed with the defaults");
  return WiegandReaderConfigSchema.parse({ chip: "/dev/gpiochip0", d0: 0, d1: 1 });
}

/** Replays a `wiegand` capture. */
export function replayWiegand(cap: ParsedCapture): ReplayReport {
  const log = new ReplayLog(cap);
  const config = wiegandConfig(cap, log.notes);
  let bits = "";
  let time = 0;
  const reader = new WiegandReader(config, (e: WiegandEvent) => {
    if (e.kind === "card") {
      log.card({ time, dir: "edges", raw: bits, what: `${e.bits}-bit ${e.format}` }, e.read);
      bits = "";
    } else if (e.kind === "key" || e.kind === "pin") {
      log.frame({
        time,
        dir: "edges",
        raw: bits,
        ok: true,
        what: e.kind === "key" ? `key ${e.key}` : `PIN (${e.reason})`,
      });
      bits = "";
    } else if (e.kind === "fault") {
      log.frame({ time, dir: "edges", raw: "", ok: false, error: `line fault: ${e.fault}` });
    }
  });
  const errorSum = () => {
    const s = reader.stats();
    return ERROR_KEYS.reduce((n, k) => n + s[k], 0);
  };
  let errors = 0;
  const check = () => {
    const now = errorSum();
    if (now !== errors) {
      log.frame({ time, dir: "edges", raw: bits, ok: false, error: reader.stats().lastError });
      bits = "";
      errors = now;
    }
  };
  let lastSec = 0;
  let lastNsec = 0;
  for (const ch of chunks(cap.records, cap.count)) {
    if (ch.type !== RecordType.edge) continue;
    reader.tick(ch.sec, ch.nsec); // frames whose gap has passed end before this edge
    check();
    time = log.time(ch.sec, ch.nsec);
    const rising = (ch.flags & RecordFlag.rising) !== 0;
    if (!rising) bits += ch.line === 1 ? "1" : "0";
    reader.edge(ch.line, rising, ch.sec, ch.nsec);
    check();
    lastSec = ch.sec;
    lastNsec = ch.nsec;
  }
  // The clock runs on to when the capture ended (its trailer), not further: a frame
  // still coming in then, or cut by a tear, is not ended early into a shorter one.
  const end = lastMeta(cap);
  if (end !== null && (end[0] > lastSec || (end[0] === lastSec && end[1] > lastNsec))) {
    reader.tick(end[0], end[1]);
    check();
  }
  if (bits.length > 0) {
    log.notes.push(
      `${bits.length} bits at the end did not make a whole frame before the capture ended`,
    );
  }
  return log.report({ ...reader.stats() });
}

/** The time of the trailer (the last `meta` record), or null when the capture has none. */
function lastMeta(cap: ParsedCapture): [number, number] | null {
  if (cap.trailer === null) return null;
  let at: [number, number] | null = null;
  for (const ch of chunks(cap.records, cap.count)) {
    if (ch.type === RecordType.meta) at = [ch.sec, ch.nsec];
  }
  return at;
}
