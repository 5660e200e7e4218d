/**
 * Replaying `ascii` and `line` captures: the bytes read from the port go,
 * byte by byte, through the same decoder the agent runs; each card, and each
 * checksum or framing error the decoder counts, is one frame with the bytes
 * since the previous frame.
 *
 * @module
 */

import { AsciiFrameDecoder } from "../ascii/frame.ts";
import { LineDecoder, type LineNumberBase } from "../ascii/line.ts";
import type { ByteDecoder } from "../decoder.ts";
import { hexString } from "../hex.ts";
import { chunks, metaJson, type ParsedCapture, RecordType } from "./format.ts";
import { ReplayLog, type ReplayReport } from "./replay.ts";

/** Raw bytes kept per frame (a reader spewing noise would otherwise make one huge frame). */
const RAW_MAX = 256;

/** Replays through `decoder`. */
export function replayBytes(cap: ParsedCapture, decoder: ByteDecoder): ReplayReport {
  const log = new ReplayLog(cap);
  const c = decoder.counters;
  const raw = new Uint8Array(RAW_MAX);
  let rawLen = 0;
  let rawCut = 0;
  let errors = c.checksumErrors + c.framingErrors;
  const rawText = () => hexString(raw, 0, rawLen) + (rawCut > 0 ? ` … (+${rawCut} bytes)` : "");
  for (const ch of chunks(cap.records, cap.count)) {
    if (ch.type === RecordType.meta && metaJson(ch.data)?.["event"] === "reopened") {
      // The agent resets its decoder on a reopened port: so does the replay.
      if (rawLen + rawCut > 0) {
        log.notes.push(`${rawLen + rawCut} bytes before the reopen were not a whole frame`);
      }
      decoder.reset();
      errors = c.checksumErrors + c.framingErrors;
      rawLen = 0;
      rawCut = 0;
    }
    if (ch.type !== RecordType.rx) continue;
    const time = log.time(ch.sec, ch.nsec);
    for (let i = 0; i < ch.data.length; i++) {
      if (rawLen < RAW_MAX) raw[rawLen++] = ch.data[i]!;
      else rawCut++;
      const got = decoder.push(ch.data[i]!);
      const now = c.checksumErrors + c.framingErrors;
      if (got) {
        log.card({ time, dir: "rx", raw: rawText() }, decoder.read);
      } else if (now !== errors) {
        log.frame({ time, dir: "rx", raw: rawText(), ok: false, error: c.lastError || "error" });
      } else continue;
      errors = now;
      rawLen = 0;
      rawCut = 0;
    }
  }
  if (rawLen > 0) {
    log.notes.push(`${rawLen + rawCut} bytes after the last frame were not a whole frame`);
  }
  return log.report({ ...c });
}

/** Replays an `ascii` capture. */
export function replayAscii(cap: ParsedCapture): ReplayReport {
  return replayBytes(cap, new AsciiFrameDecoder());
}

/** Replays a `line` capture with the recorded reader's `base`. */
export function replayLine(cap: ParsedCapture): ReplayReport {
  const base = cap.header.reader["base"];
  const b: LineNumberBase = base === "dec" || base === "hex" ? base : "auto";
  return replayBytes(cap, new LineDecoder(b));
}
