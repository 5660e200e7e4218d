import assert from "node:assert/strict";
import { CaptureTap, encodeHeader, parseCapture } from "../../../driver/capture/mod.ts";
import { replayOsdp } from "../../../driver/capture/replay_osdp.ts";
import { OsdpBus, OsdpEmulator } from "../../../driver/osdp/mod.ts";
import { openPty, SerialPort } from "../../../driver/serial/mod.ts";
import { bitsToString, encodeWiegand } from "../../../driver/wiegand/encode.ts";
import { FAST, until } from "../osdp/harness.ts";

const KEY = "00112233445566778899aabbccddeeff";

/** A CP and an emulated reader on a pty, the port tapped before the first byte. */
async function capturedLine(scbk: string | undefined, taps: [number, number][]) {
  const pty = openPty();
  const emu = new OsdpEmulator(pty.master, {
    readers: [{ address: 1, ...(scbk ? { scbk } : {}) }],
  });
  emu.start();
  const port = await SerialPort.open(pty.path, { baudRate: 115200 });
  const tap = new CaptureTap(8192);
  port.tap = tap;
  const tags: string[] = [];
  const bus = new OsdpBus(port, {
    readers: [{ name: "r", address: 1, secureChannel: scbk ? { scbk } : {} }],
    timing: FAST,
    onCard: (ev) => tags.push(ev.tag),
  });
  bus.start();
  try {
    const sc = () => bus.readerStatus(1)!.secureChannel;
    await until(() => sc() === "active" || sc() === "default-key", "secure channel");
    for (const [fc, cn] of taps) {
      const before = tags.length;
      emu.reader(1).tapBits(bitsToString(encodeWiegand("h10301", fc, cn)), 1);
      await until(() => tags.length === before + 1, `card ${fc},${cn}`);
    }
    await until(() => tags.length === taps.length, "all cards");
  } finally {
    port.tap = null;
    await bus.close();
    await emu.close();
    await pty.close();
  }
  const h = encodeHeader({
    kind: "osdp",
    reader: { name: "r", kind: "osdp", address: 1, tagFormat: "dec10" },
    pontajVersion: "test",
    startedAt: "2026-01-01T00:00:00Z",
    counters: {},
  });
  const recs = tap.drain();
  const bytes = new Uint8Array(h.length + recs.length);
  bytes.set(h);
  bytes.set(recs, h.length);
  return { cap: await parseCapture(bytes), tags };
}

Deno.test("replay osdp follows an install-mode Secure Channel from its handshake and reads the cards", async () => {
  const { cap, tags } = await capturedLine(undefined, [[59, 20934], [188, 24910]]);
  const r = replayOsdp(cap);
  assert.deepEqual(tags, ["0003887558", "0012345678"]);
  assert.deepEqual(r.scans, tags);
  assert.equal(r.counters["unreadable"], 0);
  const names = r.frames.map((f) => f.what);
  for (const n of ["osdp_CHLNG", "osdp_CCRYPT", "osdp_SCRYPT", "osdp_RMAC_I"]) {
    assert.ok(names.includes(n), `${n} recorded`);
  }
});

Deno.test("replay osdp under a reader's own key says the traffic cannot be read, and invents nothing", async () => {
  const { cap, tags } = await capturedLine(KEY, [[59, 20934]]);
  assert.deepEqual(tags, ["0003887558"]);
  const r = replayOsdp(cap);
  assert.deepEqual(r.scans, []);
  assert.ok(Number(r.counters["unreadable"]) > 0);
  assert.ok(
    r.frames.some((f) =>
      f.error === "Secure Channel under the reader's own key, and no session keys recorded"
    ),
  );
  // The key is nowhere in what the replay shows.
  assert.ok(!JSON.stringify(r).toLowerCase().includes(KEY));
});
