import assert from "node:assert/strict";
import { type Prng, withSeed } from "../../support/prng.ts";
import { feedRandomEdges } from "../../support/wiegand_edges.ts";
import {
  CardRead,
  DecodeStatus,
  decodeWiegandBits,
  decodeWiegandPacked,
  decodeWiegandText,
  GPIO_V2_LINE_EVENT_SIZE,
  wiegandConfigDefaults,
  type WiegandEvent,
  WiegandFormatSet,
  WiegandReader,
  type WiegandReaderConfig,
  writeLineEvent,
} from "../../../driver/wiegand/mod.ts";

function configs(rng: Prng): WiegandReaderConfig {
  const kp = wiegandConfigDefaults(0, 1).keypad;
  return wiegandConfigDefaults(0, 1, {
    unknownLengths: rng.int(2) ? "raw" : "drop",
    format: ["auto", "auto", "h10301", "raw", "c1000-48"][rng.int(5)]!,
    lengthFormats: rng.int(2) ? { "37": "h10302" } : {},
    keypad: { ...kp, enabled: rng.int(4) !== 0, onTimeout: rng.int(2) ? "submit" : "discard" },
  });
}

Deno.test("wiegand fuzz: 100,000 random edge streams never throw and every frame is accounted for", async () => {
  await withSeed(0x5eed_6001, (rng) => {
    const counts = { card: 0, key: 0, pin: 0, fault: 0, hint: 0, error: 0 };
    const onEvent = (e: WiegandEvent) => {
      counts[e.kind]++;
      if (e.kind === "card") {
        assert.ok(e.read.byteLength >= 1 && e.read.byteLength <= 16);
        assert.ok(typeof e.tag === "string" && e.tag.length > 0);
      }
    };
    const readers = Array.from({ length: 8 }, () => new WiegandReader(configs(rng), onEvent));
    for (let s = 0; s < 100_000; s++) {
      const r = readers[s & 7]!;
      r.assembler.reset();
      const clock = { sec: rng.int(1 << 20), nsec: rng.int(1_000_000_000) };
      feedRandomEdges(rng, r, clock, rng.int(80), rng.int(2) === 0, 16);
      r.tick(clock.sec + 10, clock.nsec);
    }
    let frames = 0;
    for (const r of readers) {
      const st = r.stats();
      frames += st.frames;
      assert.deepEqual(
        st.frames,
        st.cards + st.parityErrors + st.unknownLengths + st.keys + st.keypadErrors,
        JSON.stringify(st),
      );
    }
    assert.deepEqual(counts.error, 0);
    assert.ok(frames > 10_000, `only ${frames} frames`);
    assert.ok(counts.card > 1000 && counts.key > 100 && counts.fault > 100, JSON.stringify(counts));
  });
});

Deno.test("wiegand fuzz: random gpio event bytes and lengths never throw", async () => {
  await withSeed(0x5eed_6002, (rng) => {
    const r = new WiegandReader(wiegandConfigDefaults(3, 4), () => {});
    const buf = new Uint8Array(GPIO_V2_LINE_EVENT_SIZE * 40);
    let t = 0n;
    for (let s = 0; s < 5_000; s++) {
      if (rng.int(3) === 0) rng.bytes(buf);
      else {
        for (let i = 0; i < 40; i++) {
          t += BigInt(rng.int(3_000_000));
          if (rng.int(50) === 0) t = BigInt(rng.nextU32()) * BigInt(rng.nextU32()) * 1000n;
          writeLineEvent(buf, i * 48, {
            timestampNs: t & 0xffff_ffff_ffff_ffffn,
            id: rng.int(4),
            offset: 2 + rng.int(4),
            seqno: rng.nextU32(),
            lineSeqno: rng.int(100),
          });
        }
      }
      // Mostly whole records (as the kernel delivers them); sometimes any length, after
      // which the stream is out of step until the lines are reopened (parser reset).
      const whole = rng.int(8) !== 0;
      r.feedEvents(buf, whole ? 48 * rng.int(41) : rng.int(buf.length + 1));
      if (!whole) r.parser.reset();
      r.tick(rng.int(1 << 30), rng.int(1_000_000_000));
    }
    const st = r.stats();
    assert.ok(st.events > 5_000 && st.unknownLines > 5_000, JSON.stringify(st));
  });
});

Deno.test("wiegand fuzz: decoders and text input take anything", async () => {
  await withSeed(0x5eed_6003, (rng) => {
    const read = new CardRead();
    const sets = [new WiegandFormatSet(), new WiegandFormatSet({ unknownLengths: "drop" })];
    const bits = new Uint8Array(140);
    let ok = 0;
    for (let i = 0; i < 50_000; i++) {
      rng.bytes(bits);
      if (rng.int(2)) { for (let k = 0; k < bits.length; k++) bits[k]! &= 1; }
      const n = [rng.int(140), 26, 34, 35, 37, 48, -1, NaN, 1e9][rng.int(9)]!;
      const set = sets[i & 1]!;
      const a = decodeWiegandBits(bits, n, read, set);
      if (a === DecodeStatus.ok) {
        ok++;
        assert.ok(read.byteLength >= 1 && read.byteLength <= 16 && read.format !== "");
      }
      decodeWiegandPacked(bits.subarray(0, rng.int(20)), n, read, set);
    }
    assert.ok(ok > 1000);
    const alphabet = "01xX:hex0123456789abcdefABCDEF _-";
    for (let i = 0; i < 5_000; i++) {
      let s = "";
      for (let k = rng.int(40); k > 0; k--) s += alphabet[rng.int(alphabet.length)];
      const r = decodeWiegandText(s);
      assert.ok(typeof r.status === "string");
    }
  });
});
