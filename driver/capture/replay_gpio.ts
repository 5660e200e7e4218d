/**
 * Wiegand captures back onto GPIO lines: the recorded edges as
 * `gpio_v2_line_event` records, grouped by frame, their timestamps moved to
 * a new start, so a simulated GPIO chip (`SimulatedGpio.send`) can play a
 * captured reader to a running agent at the recorded pace.
 *
 * @module
 */

import {
  GPIO_V2_EVENT_FALLING,
  GPIO_V2_EVENT_RISING,
  GPIO_V2_LINE_EVENT_SIZE,
  writeLineEvent,
} from "../wiegand/gpio_event.ts";
import { chunks, type ParsedCapture, RecordFlag, RecordType } from "./format.ts";

/** One burst of edges to send at once, `delayNs` after the previous burst's first edge. */
export interface GpioBurst {
  /** Time since the previous burst (ns; 0 for the first). */
  delayNs: number;
  /** The events, 48 bytes each. */
  events: Uint8Array;
}

/**
 * The capture's edges as event bursts for lines `d0` and `d1`, a new burst
 * after every gap longer than `gapNs`; timestamps start at `startNs`.
 */
export function gpioBursts(
  cap: ParsedCapture,
  opts: { d0: number; d1: number; startNs: bigint; gapNs?: number },
): GpioBurst[] {
  const gap = opts.gapNs ?? 10_000_000;
  const edges = [...chunks(cap.records, cap.count)].filter((c) => c.type === RecordType.edge);
  const bursts: GpioBurst[] = [];
  let first = -1;
  let prev = -1;
  let burstStart = -1;
  let group: typeof edges = [];
  let seq = 0;
  const flush = () => {
    if (group.length === 0) return;
    const events = new Uint8Array(group.length * GPIO_V2_LINE_EVENT_SIZE);
    group.forEach((e, i) => {
      const t = e.sec * 1e9 + e.nsec - first;
      writeLineEvent(events, i * GPIO_V2_LINE_EVENT_SIZE, {
        timestampNs: opts.startNs + BigInt(t),
        id: (e.flags & RecordFlag.rising) !== 0 ? GPIO_V2_EVENT_RISING : GPIO_V2_EVENT_FALLING,
        offset: e.line === 1 ? opts.d1 : opts.d0,
        seqno: ++seq,
        lineSeqno: seq,
      });
    });
    const start = group[0]!.sec * 1e9 + group[0]!.nsec;
    bursts.push({ delayNs: burstStart < 0 ? 0 : start - burstStart, events });
    burstStart = start;
    group = [];
  };
  for (const e of edges) {
    const t = e.sec * 1e9 + e.nsec;
    if (first < 0) first = t;
    if (prev >= 0 && t - prev > gap) flush();
    group.push(e);
    prev = t;
  }
  flush();
  return bursts;
}
