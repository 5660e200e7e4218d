/**
 * Capture benchmarks: decoder throughput with a capture tap on and off, as
 * the transports run them (one tap call per kernel read of a frame, per
 * Wiegand edge, per RC522 register batch). The tap's ring is cleared when
 * nearly full, as a session's drain would empty it.
 *
 * Run: `deno bench -A bench/capture_bench.ts`
 */
import { AsciiFrameDecoder, encodeAsciiFrame } from "../driver/ascii/mod.ts";
import { RecordType } from "../driver/capture/format.ts";
import { CaptureTap } from "../driver/capture/tap.ts";
import { OsdpParser } from "../driver/osdp/parser.ts";
import { WiegandReader } from "../driver/wiegand/reader.ts";
import { WiegandReaderConfigSchema } from "../driver/wiegand/config.ts";
import { encodeWiegand } from "../driver/wiegand/encode.ts";

const FRAMES = 1000;
const asciiFrame = Uint8Array.from(encodeAsciiFrame(0x67003b51c6n));
const ascii = new AsciiFrameDecoder();
const tap = new CaptureTap();
let sink = 0;

function keepRoom(): void {
  if (tap.pending > 3500) tap.clear();
}

function asciiRun(withTap: boolean): void {
  for (let f = 0; f < FRAMES; f++) {
    if (withTap) tap.bytes(RecordType.rx, asciiFrame, 0, asciiFrame.length);
    for (let i = 0; i < asciiFrame.length; i++) if (ascii.push(asciiFrame[i]!)) sink++;
  }
  keepRoom();
}

Deno.bench({
  name: `ascii decode ${FRAMES} frames, capture off`,
  group: "capture: ascii",
  baseline: true,
  fn: () => asciiRun(false),
});
Deno.bench({
  name: `ascii decode ${FRAMES} frames, capture on`,
  group: "capture: ascii",
  fn: () => asciiRun(true),
});

// An OSDP poll and its ACK, as the CP writes and reads them.
const poll = Uint8Array.of(0x53, 0x01, 0x08, 0x00, 0x05, 0x60, 0x8b, 0x33);
const ack = Uint8Array.of(0x53, 0x81, 0x08, 0x00, 0x05, 0x40, 0x39, 0x35);
const parser = new OsdpParser();

function osdpRun(withTap: boolean): void {
  for (let f = 0; f < FRAMES; f++) {
    if (withTap) tap.bytes(RecordType.tx, poll, 0, poll.length);
    if (withTap) tap.bytes(RecordType.rx, ack, 0, ack.length);
    let i = 0;
    while (i < ack.length) {
      i = parser.feed(ack, i, ack.length);
      if (parser.ready) sink++;
    }
  }
  keepRoom();
}

Deno.bench({
  name: `osdp parse ${FRAMES} replies, capture off`,
  group: "capture: osdp",
  baseline: true,
  fn: () => osdpRun(false),
});
Deno.bench({
  name: `osdp parse ${FRAMES} replies, capture on`,
  group: "capture: osdp",
  fn: () => osdpRun(true),
});

// 26-bit frames as edges: 50 µs pulses, 1 ms apart, frames 100 ms apart.
const config = WiegandReaderConfigSchema.parse({ chip: "/dev/gpiochip0", d0: 0, d1: 1 });
const reader = new WiegandReader(config, (e) => {
  if (e.kind === "card") sink++;
});
const bits = encodeWiegand("h10301", 59, 20934);
let nowNs = 0;

function wiegandRun(withTap: boolean): void {
  for (let f = 0; f < 40; f++) {
    for (let b = 0; b < bits.length; b++) {
      const line = bits[b]! ? 1 : 0;
      const t0 = nowNs + b * 1_000_000;
      const s0 = Math.floor(t0 / 1e9);
      const s1 = Math.floor((t0 + 50_000) / 1e9);
      reader.edge(line, false, s0, t0 - s0 * 1e9);
      reader.edge(line, true, s1, t0 + 50_000 - s1 * 1e9);
    }
    nowNs += 100_000_000;
    const s = Math.floor(nowNs / 1e9);
    reader.tick(s, nowNs - s * 1e9);
  }
  reader.tap = withTap ? tap : null;
  keepRoom();
}

Deno.bench({
  name: "wiegand 40 frames of 26 bits as edges, capture off",
  group: "capture: wiegand",
  baseline: true,
  fn: () => wiegandRun(false),
});
Deno.bench({
  name: "wiegand 40 frames of 26 bits as edges, capture on",
  group: "capture: wiegand",
  fn: () => wiegandRun(true),
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
