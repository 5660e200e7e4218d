import assert from "node:assert/strict";
import { CardRead } from "../../../driver/card.ts";
import { parseCapture } from "../../../driver/capture/format.ts";
import {
  KeyedHash,
  redactCapture,
  redactedBytes,
  redactWiegandBits,
} from "../../../driver/capture/redact.ts";
import type { ReplayReport } from "../../../driver/capture/replay.ts";
import { replayAscii, replayLine } from "../../../driver/capture/replay_serial.ts";
import { replayOsdp } from "../../../driver/capture/replay_osdp.ts";
import { replayWiegand } from "../../../driver/capture/replay_wiegand.ts";
import { replayRc522 } from "../../../driver/capture/replay_rc522.ts";
import { DecodeStatus, decodeWiegandBits } from "../../../driver/wiegand/decode.ts";
import { AUTO_FORMATS, BUILTIN_FORMATS } from "../../../driver/wiegand/formats.ts";
import { encodeWiegand } from "../../../driver/wiegand/encode.ts";
import { withSeed } from "../../support/prng.ts";

const CAPTURES = new URL("../../captures/", import.meta.url).pathname;
const KEY = new Uint8Array(32).fill(7);

const REPLAYERS: Record<string, (c: Awaited<ReturnType<typeof parseCapture>>) => ReplayReport> = {
  ascii: replayAscii,
  line: replayLine,
  wiegand: replayWiegand,
  osdp: replayOsdp,
  rc522: replayRc522,
};

Deno.test("capture --redact keeps lengths, frame kinds and valid checks; every card number changes", async () => {
  for (const [kind, replay] of Object.entries(REPLAYERS)) {
    const cap = await parseCapture(await Deno.readFile(`${CAPTURES}${kind}.pjcap`));
    const before = replay(cap);
    const red = await redactCapture(cap, new KeyedHash(KEY));
    const after = replay(await parseCapture(redactedBytes(red)));
    assert.equal(red.header.redacted, true);
    assert.equal(after.records, before.records, kind);
    assert.equal(after.frames.length, before.frames.length, kind);
    assert.equal(after.scans.length, before.scans.length, kind);
    assert.ok(after.scans.length >= 2, kind);
    for (const [i, f] of before.frames.entries()) {
      const g = after.frames[i]!;
      assert.equal(g.ok, f.ok, `${kind} frame ${i}`);
      assert.equal(g.what, f.what, `${kind} frame ${i}`);
      assert.equal(g.raw.length, f.raw.length, `${kind} frame ${i}`);
      assert.equal(g.tag?.length, f.tag?.length, `${kind} frame ${i}`);
    }
    for (const [i, tag] of before.scans.entries()) assert.notEqual(after.scans[i], tag, kind);
    // Same card, same key: same redacted card.
    const again = replay(
      await parseCapture(redactedBytes(await redactCapture(cap, new KeyedHash(KEY)))),
    );
    assert.deepEqual(again.scans, after.scans, kind);
  }
});

Deno.test("capture --redact Wiegand bits: valid parity stays valid, bad parity stays bad", async () => {
  await withSeed(22, async (rng) => {
    const hash = new KeyedHash(KEY);
    const read = new CardRead();
    // The formats a reader on `auto` decodes each length as.
    for (const name of Object.values(AUTO_FORMATS)) {
      const def = BUILTIN_FORMATS[name]!;
      for (let k = 0; k < 20; k++) {
        const fc = def.facility
          ? rng.int(2 ** Math.min(16, def.facility[1] - def.facility[0] + 1))
          : 0;
        const cn = rng.int(2 ** Math.min(16, def.card[1] - def.card[0] + 1));
        const bits = encodeWiegand(name, fc, cn);
        assert.equal(decodeWiegandBits(bits, bits.length, read), DecodeStatus.ok, name);
        const orig = bits.slice();
        await redactWiegandBits(bits, hash);
        assert.equal(bits.length, orig.length);
        assert.equal(
          decodeWiegandBits(bits, bits.length, read),
          DecodeStatus.ok,
          `${name} redacted`,
        );
        assert.equal(read.format, name);
        assert.notDeepEqual(bits, orig);
        orig[def.parity[0]!.bit - 1]! ^= 1; // now its parity is wrong
        await redactWiegandBits(orig, hash);
        assert.equal(decodeWiegandBits(orig, orig.length, read), DecodeStatus.parity, name);
      }
    }
  });
});
