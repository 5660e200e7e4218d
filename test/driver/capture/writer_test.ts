import assert from "node:assert/strict";
import {
  type CaptureHeader,
  CaptureTap,
  CaptureWriter,
  FileOutput,
  inflateTolerant,
  MemoryOutput,
  parseCapture,
  RecordType,
} from "../../../driver/capture/mod.ts";
import { replayAscii } from "../../../driver/capture/replay_serial.ts";
import { replayOsdp } from "../../../driver/capture/replay_osdp.ts";
import { replayRc522 } from "../../../driver/capture/replay_rc522.ts";
import { replayWiegand } from "../../../driver/capture/replay_wiegand.ts";
import { withSeed } from "../../support/prng.ts";

const HEADER: CaptureHeader = {
  kind: "line",
  reader: { name: "l", kind: "line" },
  pontajVersion: "test",
  startedAt: "2026-01-01T00:00:00Z",
  counters: {},
};

Deno.test("capture file rotates at its size limit: FILE, FILE.1, FILE.2, each a readable part", async () => {
  await withSeed(7, async (rng) => {
    const dir = await Deno.makeTempDir({ prefix: "pontaj-rotate-" });
    try {
      const path = `${dir}/cap.pjcap`;
      const out = await FileOutput.create(path, 2);
      const w = new CaptureWriter(out, HEADER, { maxBytes: 2000 });
      const tap = new CaptureTap(256);
      const noise = new Uint8Array(40);
      let records = 0;
      for (let round = 0; round < 12; round++) {
        for (let k = 0; k < 50; k++) {
          for (let i = 0; i < noise.length; i++) noise[i] = rng.int(256); // incompressible
          tap.bytes(RecordType.rx, noise, 0, noise.length);
        }
        const recs = tap.drain();
        records += recs.length / 64;
        await w.append(recs);
      }
      await w.close({ counters: {}, dropped: 0 }, 1, 0);
      assert.ok(w.parts >= 4, `parts ${w.parts}`);
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.deepEqual(names, ["cap.pjcap", "cap.pjcap.1", "cap.pjcap.2"]); // keep = 2
      const last = await parseCapture(await Deno.readFile(path));
      const prev = await parseCapture(await Deno.readFile(`${path}.1`));
      assert.equal(last.header.part, w.parts);
      assert.equal(prev.header.part, w.parts - 1);
      assert.equal(last.tear, null);
      assert.equal(prev.tear, null);
      assert.ok(last.trailer !== null && prev.trailer === null);
      assert.ok(prev.count > 0 && prev.count < records);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("capture memory output stops at its limit and counts what it refused", async () => {
  const out = new MemoryOutput(100);
  await out.write(new Uint8Array(60));
  await out.write(new Uint8Array(60));
  await out.write(new Uint8Array(30));
  assert.equal(out.bytes().length, 90);
  assert.equal(out.refused, 60);
});

Deno.test("capture replay of mangled files never throws past a clear format error (seeded)", async () => {
  await withSeed(2026, async (rng) => {
    const dir = new URL("../../captures/", import.meta.url).pathname;
    const replays = {
      ascii: replayAscii,
      wiegand: replayWiegand,
      osdp: replayOsdp,
      rc522: replayRc522,
    };
    let replayed = 0;
    for (const [kind, replay] of Object.entries(replays)) {
      const gz = await Deno.readFile(`${dir}${kind}.pjcap`);
      const { bytes: raw } = await inflateTolerant(gz);
      for (let k = 0; k < 60; k++) {
        const bytes = raw.slice();
        for (let f = 0; f < 1 + rng.int(8); f++) bytes[rng.int(bytes.length)] = rng.int(256);
        let cap;
        try {
          cap = await parseCapture(bytes);
        } catch (err) {
          assert.equal((err as Error).name, "CaptureFormatError", String(err));
          continue;
        }
        // Flipped bytes inside records end the capture there (CRC): replay stays well-formed.
        const r = replay(cap);
        assert.ok(Array.isArray(r.frames) && r.records === cap.count);
        replayed++;
      }
    }
    assert.ok(replayed > 100, `replayed ${replayed}`);
  });
});
