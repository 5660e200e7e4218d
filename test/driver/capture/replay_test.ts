import assert from "node:assert/strict";
import { encodeAsciiFrame } from "../../../driver/ascii/frame.ts";
import {
  type CaptureHeader,
  CaptureTap,
  encodeHeader,
  parseCapture,
  RecordType,
} from "../../../driver/capture/mod.ts";
import { replayAscii } from "../../../driver/capture/replay_serial.ts";
import { replayOsdp } from "../../../driver/capture/replay_osdp.ts";
import { replayWiegand } from "../../../driver/capture/replay_wiegand.ts";
import { encodeWiegand } from "../../../driver/wiegand/encode.ts";

/** A clock the test moves by hand. */
function handClock(): { clock: (out: Int32Array) => void; at: (ms: number) => void } {
  let ns = 1_000_000_000;
  return {
    clock: (out) => {
      out[0] = Math.floor(ns / 1e9);
      out[1] = ns % 1e9;
    },
    at: (ms) => ns = 1_000_000_000 + ms * 1e6,
  };
}

async function capture(kind: string, reader: Record<string, unknown>, tap: CaptureTap) {
  const header: CaptureHeader = {
    kind,
    reader: { name: "r", kind, ...reader },
    pontajVersion: "test",
    startedAt: "2026-01-01T00:00:00Z",
    counters: {},
  };
  const h = encodeHeader(header);
  const recs = tap.drain();
  const bytes = new Uint8Array(h.length + recs.length);
  bytes.set(h);
  bytes.set(recs, h.length);
  return await parseCapture(bytes);
}

Deno.test("replay ascii: each frame with its bytes and tag, a bad checksum says why", async () => {
  const t = handClock();
  const tap = new CaptureTap(64, t.clock);
  const good = encodeAsciiFrame(0x67003b51c6n);
  const bad = encodeAsciiFrame(0x67003b51c6n, { badChecksum: true });
  tap.bytes(RecordType.rx, good, 0, 7); // split as two kernel reads
  t.at(2);
  tap.bytes(RecordType.rx, good, 7, good.length - 7);
  t.at(500);
  tap.bytes(RecordType.rx, bad, 0, bad.length);
  const r = replayAscii(await capture("ascii", { tagFormat: "dec10" }, tap));
  assert.deepEqual(r.scans, ["0003887558"]);
  assert.equal(r.frames.length, 2);
  assert.deepEqual(
    [r.frames[0]!.time, r.frames[0]!.ok, r.frames[0]!.raw],
    [0.002, true, "02 36 37 30 30 33 42 35 31 43 36 43 42 03"],
  );
  assert.equal(r.frames[0]!.tags?.hex, "67003B51C6");
  assert.deepEqual([r.frames[1]!.time, r.frames[1]!.ok, r.frames[1]!.error], [
    0.5,
    false,
    "checksum",
  ]);
  assert.equal(r.counters["checksumErrors"], 1);
});

Deno.test("replay osdp: a command left unanswered and a late reply, timed by the recorded clock", async () => {
  const t = handClock();
  const tap = new CaptureTap(64, t.clock);
  const poll = Uint8Array.of(0x53, 0x01, 0x08, 0x00, 0x05, 0x60, 0x8b, 0x33);
  const ack = Uint8Array.of(0x53, 0x81, 0x08, 0x00, 0x05, 0x40, 0x39, 0x35);
  tap.bytes(RecordType.tx, poll, 0, 8);
  t.at(250); // past the 200 ms default reply timeout
  tap.bytes(RecordType.rx, ack, 0, 8);
  t.at(300);
  tap.bytes(RecordType.tx, poll, 0, 8);
  t.at(700);
  tap.bytes(RecordType.tx, poll, 0, 8); // the one before got no reply
  t.at(705);
  tap.bytes(RecordType.rx, ack, 0, 8);
  const r = replayOsdp(await capture("osdp", { address: 1 }, tap));
  assert.equal(r.counters["noReply"], 1);
  assert.equal(r.counters["lateReplies"], 1);
  const failed = r.frames.filter((f) => !f.ok);
  assert.deepEqual(failed.map((f) => [f.time, f.what, f.error]), [
    [0.3, "osdp_POLL", "no reply before the next command (400 ms later)"],
  ]);
  assert.match(
    r.notes[0]!,
    /osdp_ACK from 1 at 0.25 s came 250 ms after osdp_POLL, past the 200 ms/,
  );
});

Deno.test("replay wiegand: edges at their recorded times; a parity error says so", async () => {
  const tap = new CaptureTap(256);
  let ns = 5_000_000_000;
  const frame = (bits: Uint8Array) => {
    for (const b of bits) {
      tap.edge(b ? 1 : 0, false, Math.floor(ns / 1e9), ns % 1e9);
      tap.edge(b ? 1 : 0, true, Math.floor((ns + 50_000) / 1e9), (ns + 50_000) % 1e9);
      ns += 2_000_000;
    }
    ns += 200_000_000;
  };
  frame(encodeWiegand("h10301", 59, 20934));
  const broken = encodeWiegand("h10301", 1, 2);
  broken[25]! ^= 1;
  frame(broken);
  frame(encodeWiegand("h10301", 188, 24910)); // its gap ends the frame before: no trailer needed
  const r = replayWiegand(await capture("wiegand", { chip: "/dev/gpiochip0", d0: 0, d1: 1 }, tap));
  assert.deepEqual(r.scans, ["0003887558"]); // the last frame has no end: not decoded short
  assert.equal(r.frames.length, 2);
  assert.deepEqual([r.frames[1]!.ok, r.frames[1]!.error, r.frames[1]!.raw.length], [
    false,
    "parity",
    26,
  ]);
  assert.match(r.notes[0]!, /26 bits at the end did not make a whole frame/);
});
