import assert from "node:assert/strict";
import {
  chunks,
  parseCapture,
  type ParsedCapture,
  RecordType,
} from "../../../driver/capture/format.ts";
import { KeyedHash, redactCapture, redactedBytes } from "../../../driver/capture/redact.ts";
import { replayRc522 } from "../../../driver/capture/replay_rc522.ts";
import { CaptureTap } from "../../../driver/capture/tap.ts";
import { checkCrcA } from "../../../driver/rc522/crc_a.ts";
import { cascadeLevelBytes, cascadeLevels } from "../../../driver/rc522/iso14443a.ts";
import { VirtualCard } from "../../../driver/rc522/sim/card.ts";
import { type Prng, withSeed } from "../../support/prng.ts";
import { hex, spiRig, tick } from "../rc522/helpers.ts";

function randomUid(rng: Prng, len: number): Uint8Array {
  const uid = new Uint8Array(len);
  for (let i = 0; i < len; i++) uid[i] = rng.int(256);
  if (uid[0] === 0x88) uid[0] = 0x89; // not a cascade tag (ISO 14443-3)
  return uid;
}

/** A card differing from `uid` from bit `bit` (LSB first) on: the two collide there. */
function sibling(uid: Uint8Array, bit: number): Uint8Array {
  const s = uid.slice();
  s[bit >> 3]! ^= 1 << (bit & 7);
  return s;
}

/**
 * Records the register batches of a poller while cards come and go: two
 * cards colliding, a 7-byte UID among them, a card taken away and put back,
 * and a noisy spell (flipped answer bits: wrong BCCs).
 */
async function recordSession(rng: Prng): Promise<{ cap: ParsedCapture; uids: Uint8Array[] }> {
  const rig = await spiRig({ seed: rng.int(1 << 30) });
  const tap = new CaptureTap(16384);
  rig.poller.tap = tap;
  const a = randomUid(rng, 4);
  const b = sibling(a, 9 + rng.int(20));
  const c = randomUid(rng, 7);
  const d = sibling(c, 3 + rng.int(4)); // collides in the cascade level's first byte
  const cards = [a, b, c, d].map((uid) => new VirtualCard({ uid }));
  const ticks = (n: number) => {
    for (let i = 0; i < n; i++) tick(rig);
  };
  ticks(2);
  rig.chip.field.add(cards[0]!);
  rig.chip.field.add(cards[1]!);
  ticks(4);
  rig.chip.field.remove(cards[0]!);
  ticks(4);
  rig.chip.field.add(cards[0]!); // back: read again, same UID
  rig.chip.field.add(cards[2]!);
  rig.chip.field.add(cards[3]!);
  ticks(4);
  rig.chip.field.noise = { bitFlip: 0.3 };
  for (const card of cards) rig.chip.field.remove(card);
  for (let i = 0; i < 16; i++) { // new cards each read with noise: some anticollision answers fail their BCC
    const card = new VirtualCard({ uid: randomUid(rng, i % 3 === 0 ? 7 : 4) });
    rig.chip.field.add(card);
    ticks(2);
    rig.chip.field.remove(card);
  }
  rig.chip.field.noise = {};
  ticks(4);
  const records = tap.drain();
  const cap: ParsedCapture = {
    header: {
      kind: "rc522",
      reader: { name: "desk", kind: "rc522", tagFormat: "hex" },
      pontajVersion: "test",
      startedAt: "2026-01-01T00:00:00.000Z",
      counters: {},
    },
    records,
    count: records.length / 64,
    tear: null,
    trailer: null,
  };
  return { cap, uids: [a, b, c, d] };
}

/** Every frame the reader wrote to the FIFO before a Transceive. */
function sentFrames(cap: ParsedCapture): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const ch of chunks(cap.records, cap.count)) {
    if (ch.type !== RecordType.regs) continue;
    const d = ch.data;
    let transceive = false;
    const fifo: number[] = [];
    for (let i = 0; i + 1 < d.length; i += 2) {
      if (d[i] === 0x01 && d[i + 1] === 0x0c) transceive = true;
      if (d[i] === 0x09) fifo.push(d[i + 1]!);
    }
    if (transceive) out.push(Uint8Array.from(fifo));
  }
  return out;
}

function isSelect(f: Uint8Array): boolean {
  return f.length === 9 && [0x93, 0x95, 0x97].includes(f[0]!) && f[1] === 0x70;
}

Deno.test("capture --redact rc522: the same cards, read the same way, under other consistent UIDs with valid BCC and CRC_A", async () => {
  await withSeed(2020, async (rng) => {
    for (let round = 0; round < 4; round++) {
      const { cap, uids } = await recordSession(rng);
      const before = replayRc522(cap);
      assert.deepEqual(before.notes, [], "the original replays to the end");
      const key = Uint8Array.from({ length: 32 }, () => rng.int(256));
      const red = await redactCapture(cap, new KeyedHash(key));
      assert.equal(red.header.redacted, true);
      assert.equal(red.records.length, cap.records.length);
      const redCap = await parseCapture(redactedBytes(red));
      assert.equal(redCap.count, cap.count);
      const after = replayRc522(redCap);
      assert.deepEqual(after.notes, [], "the redacted capture replays to the end");
      // Same reads, same errors, same collisions.
      const c0 = before.counters as Record<string, number>;
      const c1 = after.counters as Record<string, number>;
      for (
        const k of [
          "batches",
          "replayed",
          "cardsRead",
          "removals",
          "presenceConfirmed",
          "collisions",
          "bccErrors",
          "crcErrors",
          "protocolErrors",
        ]
      ) assert.equal(c1[k], c0[k], k);
      assert.ok(c0["collisions"]! >= 2, `collisions ${c0["collisions"]}`);
      assert.ok(c0["bccErrors"]! >= 1, `bcc errors ${JSON.stringify(c0)}`);
      const cards0 = before.frames.filter((f) => f.ok && f.what?.startsWith("UID"));
      const cards1 = after.frames.filter((f) => f.ok && f.what?.startsWith("UID"));
      assert.equal(cards1.length, cards0.length);
      assert.ok(cards0.length >= 5, `cards read ${cards0.length}`);
      assert.equal(after.scans.length, before.scans.length);
      // One original UID ↔ one redacted UID, never the original, same length.
      const map = new Map<string, string>();
      const back = new Map<string, string>();
      for (const [i, f] of cards0.entries()) {
        const g = cards1[i]!;
        assert.equal(g.raw.length, f.raw.length);
        assert.notEqual(g.raw, f.raw);
        assert.equal(map.get(f.raw) ?? g.raw, g.raw, `UID ${f.raw} redacted two ways`);
        assert.equal(back.get(g.raw) ?? f.raw, f.raw, `two UIDs redacted to ${g.raw}`);
        map.set(f.raw, g.raw);
        back.set(g.raw, f.raw);
      }
      assert.ok([...map.keys()].length < cards0.length, "a card read twice");
      // Every SELECT frame: valid BCC and CRC_A, and none carries an original UID level.
      const sel = sentFrames(redCap).filter(isSelect);
      assert.ok(sel.length >= 10, `select frames ${sel.length}`);
      const secret = new Set<string>();
      for (const uid of uids) {
        const cl = new Uint8Array(5);
        for (let l = 1; l <= cascadeLevels(uid.length); l++) {
          cascadeLevelBytes(uid, 0, uid.length, l, cl, 0);
          secret.add(hex(cl.subarray(uid.length === 4 ? 0 : l === 1 ? 1 : 0, 4)));
        }
      }
      for (const f of sel) {
        assert.equal(f[2]! ^ f[3]! ^ f[4]! ^ f[5]!, f[6]!, `BCC of ${hex(f)}`);
        assert.ok(checkCrcA(f, 0, 9), `CRC_A of ${hex(f)}`);
        const data = hex(f.subarray(2, 6));
        for (const s of secret) assert.ok(!data.includes(s), `${s} left in ${hex(f)}`);
      }
      // The same key gives the same file; another key other UIDs.
      const again = await redactCapture(cap, new KeyedHash(key));
      assert.deepEqual(again.records, red.records);
      const other = replayRc522(
        await parseCapture(redactedBytes(await redactCapture(cap, new KeyedHash()))),
      );
      assert.notDeepEqual(other.scans, after.scans);
    }
  });
});
