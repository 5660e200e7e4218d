/**
 * What a replay reports: one entry per frame the decoders saw (time, raw
 * bytes or bits, the `rfidTag` per `tagFormat` or why it failed), the scans
 * it came to, and the counters. Each kind's replayer (`replay_*.ts`) fills
 * it from a parsed capture through the same decoders the agent runs.
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import { formatTag, isTagFormat, TAG_FORMATS, type TagFormat } from "../tag.ts";
import {
  captureEvents,
  type CaptureTear,
  type CaptureTrailer,
  type ParsedCapture,
} from "./format.ts";

/** One frame as the decoders saw it. */
export interface ReplayFrame {
  /** Seconds since the capture's first record. */
  time: number;
  /** `rx` (from the reader), `tx` (to it), `edges` (Wiegand), `regs` (RC522). */
  dir: "rx" | "tx" | "edges" | "regs";
  /** Raw bytes in hex, or Wiegand bits. */
  raw: string;
  /** True when it decoded (a card, or for OSDP a valid packet). */
  ok: boolean;
  /** What it is (OSDP: the command or reply name). */
  what?: string;
  /** The reader (OSDP: the address). */
  reader?: number;
  /** The card's `rfidTag` in every tag format. */
  tags?: Record<string, string>;
  /** The `rfidTag` in the reader's configured format: what would be journaled. */
  tag?: string;
  /** Why it failed (checksum, framing, parity, unknown format …). */
  error?: string;
}

/** The result of replaying one capture. */
export interface ReplayReport {
  /** Reader kind. */
  kind: string;
  /** Reader name from the header. */
  reader: string;
  /** The reader's configured tag format. */
  tagFormat: TagFormat;
  /** Records replayed. */
  records: number;
  /** Every frame, in order. */
  frames: ReplayFrame[];
  /** The cards, as the `rfidTag`s the agent would journal. */
  scans: string[];
  /** The replaying decoders' counters at the end. */
  counters: Record<string, unknown>;
  /** The recorded decoder's counters at the start (header) and end (trailer). */
  recorded: { start: Record<string, unknown>; end: CaptureTrailer | null };
  /** Where the capture was torn, if it was. */
  tear: CaptureTear | null;
  /** Problems the replay met (a recording the decoders could not follow). */
  notes: string[];
}

/** Replays a parsed capture of one kind. */
export type Replayer = (cap: ParsedCapture) => ReplayReport;

/** Collects frames; shared by the replayers. */
export class ReplayLog {
  /** Frames so far. */
  readonly frames: ReplayFrame[] = [];
  /** Tags of the cards so far. */
  readonly scans: string[] = [];
  /** Problems met. */
  readonly notes: string[] = [];
  /** The configured tag format. */
  readonly tagFormat: TagFormat;
  readonly #t0: number;

  /** A log for `cap`, with times relative to its first record. */
  constructor(readonly cap: ParsedCapture) {
    const f = cap.header.reader["tagFormat"];
    this.tagFormat = typeof f === "string" && isTagFormat(f) ? f : "dec10";
    const r = cap.records;
    const v = new DataView(r.buffer, r.byteOffset, r.byteLength);
    this.#t0 = cap.count > 0 ? v.getUint32(0, true) + v.getUint32(4, true) / 1e9 : 0;
    for (const e of captureEvents(cap.records, cap.count)) {
      if (e.event.event === "reopened") {
        this.notes.push(
          `the reader's device was reopened at ${this.time(e.sec, e.nsec)} s (after an I/O ` +
            `error or an unplug)${
              e.event["tapped"] === false ? "; the new device was not tapped" : ""
            }`,
        );
      }
    }
  }

  /** Seconds since the first record, rounded to the microsecond. */
  time(sec: number, nsec: number): number {
    return Math.round((sec + nsec / 1e9 - this.#t0) * 1e6) / 1e6;
  }

  /** Adds a frame that decoded to a card. */
  card(frame: Omit<ReplayFrame, "ok" | "tags" | "tag">, read: CardRead): void {
    const tags: Record<string, string> = {};
    for (const f of TAG_FORMATS) tags[f] = formatTag(read, f);
    const tag = tags[this.tagFormat]!;
    this.frames.push({ ...frame, ok: true, tags, tag });
    this.scans.push(tag);
  }

  /** Adds any other frame. */
  frame(frame: ReplayFrame): void {
    this.frames.push(frame);
  }

  /** The report. */
  report(counters: Record<string, unknown>): ReplayReport {
    const h = this.cap.header;
    return {
      kind: h.kind,
      reader: String(h.reader["name"] ?? ""),
      tagFormat: this.tagFormat,
      records: this.cap.count,
      frames: this.frames,
      scans: this.scans,
      counters,
      recorded: { start: h.counters, end: this.cap.trailer },
      tear: this.cap.tear,
      notes: this.notes,
    };
  }
}
