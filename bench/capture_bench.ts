/**
 * Capture benchmarks: the reader's hot loop with a capture tap off and on,
 * as the transports run it (one tap call per kernel read or write of a
 * chunk, per Wiegand edge).
 *
 * First, printed (and noted for `bench/report.ts`): off and on interleaved in
 * the same run, median per run, ranges over 3 runs, for
 * - the pure decode (ASCII frames, OSDP poll/ACK pairs, Wiegand edges), the
 *   tap called as the transport would call it;
 * - the hot loop as it runs on a line: a chunk written into a real kernel pty
 *   by the simulated reader, the port's kernel read (poll, read) and the
 *   decode; for OSDP the CP's poll written to the pty and the ACK read back.
 * Then Deno.bench's own groups for the pure decode (one side after the other).
 *
 * Run: `deno bench -A bench/capture_bench.ts`
 */
import { AsciiFrameDecoder, encodeAsciiFrame } from "../driver/ascii/mod.ts";
import { RecordType } from "../driver/capture/format.ts";
import { CaptureTap, tapClock } from "../driver/capture/tap.ts";
import { libc } from "../driver/libc.ts";
import { OsdpParser } from "../driver/osdp/parser.ts";
import { openPty } from "../driver/serial/pty.ts";
import { SerialPort } from "../driver/serial/port.ts";
import { WiegandReader } from "../driver/wiegand/reader.ts";
import { WiegandReaderConfigSchema } from "../driver/wiegand/config.ts";
import { encodeWiegand } from "../driver/wiegand/encode.ts";
import { interleaved } from "./capture_interleave.ts";
import { benchNote } from "./notes.ts";

const FRAMES = 1000;
const asciiFrame = Uint8Array.from(encodeAsciiFrame(0x67003b51c6n));
const ascii = new AsciiFrameDecoder();
const tap = new CaptureTap();
let sink = 0;

/** Empties the ring as a session's drain would (outside the measured loop's hot path). */
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

// 26-bit frames as edges: 50 µs pulses, 1 ms apart, frames 100 ms apart.
const config = WiegandReaderConfigSchema.parse({ chip: "/dev/gpiochip0", d0: 0, d1: 1 });
const reader = new WiegandReader(config, (e) => {
  if (e.kind === "card") sink++;
});
const bits = encodeWiegand("h10301", 59, 20934);
const WIEGAND_FRAMES = 40;
let nowNs = 0;

function wiegandRun(withTap: boolean): void {
  reader.tap = withTap ? tap : null;
  for (let f = 0; f < WIEGAND_FRAMES; f++) {
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
  reader.tap = null;
  keepRoom();
}

// The hot loop on a real line: a kernel pty, the reader's port on its slave end.
const PTY_FRAMES = 200;
const pty = openPty();
const port = await SerialPort.open(pty.path, { baudRate: 9600 });
const rx = new Uint8Array(256);
const mrx = new Uint8Array(256);

async function asciiPty(withTap: boolean): Promise<void> {
  port.tap = withTap ? tap : null;
  for (let f = 0; f < PTY_FRAMES; f++) {
    await pty.master.write(asciiFrame);
    let got = 0;
    while (got < asciiFrame.length) {
      const n = await port.read(rx);
      for (let i = 0; i < n; i++) if (ascii.push(rx[i]!)) sink++;
      got += n;
    }
  }
  port.tap = null;
  keepRoom();
}

async function osdpPty(withTap: boolean): Promise<void> {
  port.tap = withTap ? tap : null;
  for (let f = 0; f < PTY_FRAMES; f++) {
    await port.write(poll);
    let got = 0;
    while (got < poll.length) got += await pty.master.read(mrx);
    await pty.master.write(ack);
    got = 0;
    while (got < ack.length) {
      const n = await port.read(rx);
      let i = 0;
      while (i < n) {
        i = parser.feed(rx, i, n);
        if (parser.ready) sink++;
      }
      got += n;
    }
  }
  port.tap = null;
  keepRoom();
}

benchNote((await interleaved("ascii decode", FRAMES, asciiRun, 41)).line);
benchNote((await interleaved("osdp parse (poll/ACK pair)", FRAMES, osdpRun, 41)).line);
benchNote(
  (await interleaved("wiegand 26-bit frame as 52 edges", WIEGAND_FRAMES, wiegandRun, 41)).line,
);
benchNote((await interleaved("ascii pty kernel read + decode", PTY_FRAMES, asciiPty, 9)).line);
benchNote(
  (await interleaved("osdp pty poll write + ACK kernel read + parse", PTY_FRAMES, osdpPty, 9))
    .line,
);
await port.close();
await pty.close();

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
Deno.bench({
  name: `wiegand ${WIEGAND_FRAMES} frames of 26 bits as edges, capture off`,
  group: "capture: wiegand",
  baseline: true,
  fn: () => wiegandRun(false),
});
Deno.bench({
  name: `wiegand ${WIEGAND_FRAMES} frames of 26 bits as edges, capture on`,
  group: "capture: wiegand",
  fn: () => wiegandRun(true),
});

// Where a tapped chunk's time goes: the clock read (as the tap makes it, and
// with a `buffer` argument as the GPIO clock does), and the tap without it.
const fixedClock = (o: Int32Array) => {
  o[0] = 1;
  o[1] = 2;
};
const noClockTap = new CaptureTap(4096, fixedClock);
const stamp = new Int32Array(2);
const ts = new Int32Array(4);
const tsBytes = new Uint8Array(ts.buffer);
Deno.bench({
  name: `tapClock() x ${FRAMES} (clock_gettime, pointer argument)`,
  group: "capture: tap cost",
  baseline: true,
  fn: () => {
    for (let i = 0; i < FRAMES; i++) tapClock(stamp);
  },
});
Deno.bench({
  name: `clock_gettime x ${FRAMES} (buffer argument)`,
  group: "capture: tap cost",
  fn: () => {
    for (let i = 0; i < FRAMES; i++) libc().clock_gettime(1, tsBytes);
  },
});
Deno.bench({
  name: `performance.now() x ${FRAMES}`,
  group: "capture: tap cost",
  fn: () => {
    for (let i = 0; i < FRAMES; i++) sink += performance.now() > 0 ? 0 : 1;
  },
});
Deno.bench({
  name: `tap.bytes(${asciiFrame.length} B) x ${FRAMES}, clock stubbed`,
  group: "capture: tap cost",
  fn: () => {
    for (let i = 0; i < FRAMES; i++) {
      noClockTap.bytes(RecordType.rx, asciiFrame, 0, asciiFrame.length);
    }
    noClockTap.clear();
  },
});
Deno.bench({
  name: `tap.bytes(${asciiFrame.length} B) x ${FRAMES}, real clock`,
  group: "capture: tap cost",
  fn: () => {
    for (let i = 0; i < FRAMES; i++) tap.bytes(RecordType.rx, asciiFrame, 0, asciiFrame.length);
    tap.clear();
  },
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
