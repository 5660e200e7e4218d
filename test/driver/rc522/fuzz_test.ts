import assert from "node:assert/strict";
import { type Prng, withSeed } from "../../support/prng.ts";
import { POLL_WAIT, Rc522Poller } from "../../../driver/rc522/poller.ts";
import { ComIrqReg, ControlReg, ErrorReg, FIFOLevelReg } from "../../../driver/rc522/registers.ts";
import { VirtualCard } from "../../../driver/rc522/sim/card.ts";
import {
  BATCH_IO_ERROR,
  BATCH_OK,
  newTransportStats,
  OP_READ,
  type Rc522Transport,
  type RegBatch,
} from "../../../driver/rc522/transport.ts";
import { formatTag } from "../../../driver/tag.ts";
import { spiRig, tick } from "./helpers.ts";

/** A bus whose every read answers with seeded random (but often plausible) values. */
class RandomBus implements Rc522Transport {
  readonly description = "fuzz";
  readonly synchronous = true;
  readonly stats = newTransportStats();
  batches = 0;
  constructor(private rng: Prng) {}
  #pick(reg: number): number {
    const r = this.rng;
    const roll = r.int(8);
    switch (reg) {
      case ComIrqReg:
        return roll < 3 ? 0x20 : roll < 5 ? 0x01 : roll < 6 ? 0x00 : r.int(256);
      case ErrorReg:
        return roll < 4 ? 0 : roll < 6 ? 0x08 : r.int(256);
      case FIFOLevelReg:
        return roll < 6 ? r.int(7) : r.int(256);
      case ControlReg:
        return roll < 5 ? 0x10 : r.int(256);
      default:
        return r.int(256);
    }
  }
  run(b: RegBatch): void {
    this.batches++;
    this.stats.transfers++;
    b.status = this.rng.int(500) === 0 ? BATCH_IO_ERROR : BATCH_OK;
    if (b.status !== BATCH_OK) return;
    for (let i = 0; i < b.length; i++) {
      if (b.kind[i] === OP_READ) b.value[i] = this.#pick(b.reg[i]!);
    }
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("fuzz: 100000 batches of random register replies never break the poll loop", async () => {
  await withSeed(0x522f, (rng) => {
    const bus = new RandomBus(rng);
    const poller = new Rc522Poller(bus, { hostTimeoutMs: 1e9 });
    const reported = new Set<string>();
    let cards = 0;
    poller.onCard = (r, info) => {
      assert.ok([4, 7, 10].includes(r.byteLength), `UID length ${r.byteLength}`);
      assert.equal(r.format, "iso14443a");
      assert.equal(r.bitLength, r.byteLength * 8);
      assert.equal(info.uidSize, r.byteLength);
      reported.add(formatTag(r, "hex"));
      cards++;
    };
    poller.onRemoved = (r) => {
      assert.ok(reported.has(formatTag(r, "hex")), "only known cards are removed");
    };
    let ticks = 0;
    while (bus.batches < 100_000) {
      const start = bus.batches;
      while (poller.pollSync() === POLL_WAIT) {
        assert.ok(bus.batches - start < 5000, "a tick ends");
      }
      assert.ok(bus.batches - start < 5000, "a tick ends");
      ticks++;
    }
    const c = poller.counters;
    assert.equal(c.ticks, ticks);
    assert.equal(c.cardsRead, cards);
    assert.equal(c.cardsRead - c.tableFull - c.removals, poller.scanner.present);
    assert.ok(c.busErrors > 0 && c.protocolErrors > 0 && c.collisions > 0 && c.bccErrors > 0);
  });
});

Deno.test("fuzz: noisy field with cards coming and going: no phantom UID, every tap read", async () => {
  await withSeed(0xc0ffee, async (rng) => {
    const rig = await spiRig({ seed: rng.nextU32() });
    const pool: VirtualCard[] = [];
    for (let i = 0; i < 6; i++) {
      const len = [4, 7, 10][rng.int(3)]!;
      const uid = rng.bytes(new Uint8Array(len));
      if (uid[0] === 0x88) uid[0] = 0x08;
      pool.push(new VirtualCard({ uid, sak: [0x08, 0x18, 0x00, 0x20][rng.int(4)]! }));
    }
    const valid = new Set(pool.map((c) => c.hex));
    const inField = new Set<string>();
    const tracked = new Set<string>(); // reported and not reported removed
    const owed = new Set<string>(); // in the field, not reported since it arrived
    let phantoms = 0;
    rig.poller.onCard = (r) => {
      const u = formatTag(r, "hex");
      if (!valid.has(u)) phantoms++;
      tracked.add(u);
      owed.delete(u);
    };
    rig.poller.onRemoved = (r) => tracked.delete(formatTag(r, "hex"));
    rig.chip.field.noise = { drop: 0.05, bitFlip: 0.1, crc: 0.1, parity: 0.05 };
    let reads = 0;
    const countReads = rig.poller.onCard;
    rig.poller.onCard = (r, i) => {
      reads++;
      countReads(r, i);
    };
    for (let t = 0; t < 400; t++) {
      if (rng.int(4) === 0) {
        const c = pool[rng.int(pool.length)]!;
        if (inField.has(c.hex)) {
          rig.chip.field.remove(c);
          inField.delete(c.hex);
          owed.delete(c.hex);
        } else {
          rig.chip.field.add(c);
          inField.add(c.hex);
          if (!tracked.has(c.hex)) owed.add(c.hex);
        }
      }
      tick(rig);
    }
    assert.equal(phantoms, 0, "phantom UIDs");
    assert.ok(reads > 10, `cards read: ${reads}`);
    assert.ok(rig.chip.field.noiseEvents > 50);
    // Quiet field: every card that arrived is read, every card that left is forgotten.
    rig.chip.field.noise = {};
    for (let t = 0; t < 4; t++) tick(rig);
    assert.deepEqual([...owed], [], "taps never read");
    for (const u of tracked) assert.ok(inField.has(u), `${u} left but is still tracked`);
    assert.equal(rig.poller.scanner.present, tracked.size);
  });
});
