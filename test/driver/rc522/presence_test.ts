import assert from "node:assert/strict";
import { MAX_TRACKED } from "../../../driver/rc522/card_table.ts";
import { VirtualCard } from "../../../driver/rc522/sim/card.ts";
import { logFrames, spiRig, tick } from "./helpers.ts";

Deno.test("a card left on the reader yields one scan", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "04A3C6CAE26180" }));
  for (let i = 0; i < 20; i++) tick(rig);
  assert.deepEqual(rig.cards, ["04A3C6CAE26180"]);
  assert.deepEqual(rig.removed, []);
  assert.equal(rig.poller.counters.presenceConfirmed, 19);
  assert.equal(rig.poller.scanner.present, 1);
});

Deno.test("presence is checked with WUPA, SELECT by UID and HLTA", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "DEADBEEF" }));
  tick(rig);
  const frames = logFrames(rig.chip);
  tick(rig);
  assert.deepEqual(frames, [
    "26/7", // nobody new
    "52/7", // wake the halted card
    "93 70 DE AD BE EF 22 B9 9C/72",
    "50 00 57 CD/32",
  ]);
});

Deno.test("removal is detected, and the next tap counts again", async () => {
  const rig = await spiRig({}, { absentTicks: 2 });
  const card = new VirtualCard({ uid: "DEADBEEF" });
  rig.chip.field.add(card);
  tick(rig);
  rig.chip.field.remove(card);
  tick(rig);
  assert.deepEqual(rig.removed, [], "one missed tick is tolerated");
  tick(rig);
  assert.deepEqual(rig.removed, ["DEADBEEF"]);
  assert.equal(rig.poller.scanner.present, 0);
  tick(rig);
  rig.chip.field.add(card);
  tick(rig);
  tick(rig);
  assert.deepEqual(rig.cards, ["DEADBEEF", "DEADBEEF"]);
  assert.equal(rig.poller.counters.removals, 1);
});

Deno.test("a card lifted and put back within the absence window is not a new tap", async () => {
  const rig = await spiRig({}, { absentTicks: 3 });
  const card = new VirtualCard({ uid: "DEADBEEF" });
  rig.chip.field.add(card);
  tick(rig);
  rig.chip.field.remove(card);
  tick(rig);
  rig.chip.field.add(card);
  tick(rig);
  tick(rig);
  assert.deepEqual(rig.cards, ["DEADBEEF"]);
  assert.deepEqual(rig.removed, []);
});

Deno.test("of two cards, only the one taken away is reported removed", async () => {
  const rig = await spiRig({}, { absentTicks: 1 });
  const a = new VirtualCard({ uid: "04A3C6CAE26180" });
  const b = new VirtualCard({ uid: "0102030405060708090A" });
  rig.chip.field.add(a);
  rig.chip.field.add(b);
  tick(rig);
  assert.equal(rig.cards.length, 2);
  for (let i = 0; i < 3; i++) tick(rig);
  rig.chip.field.remove(a);
  tick(rig);
  assert.deepEqual(rig.removed, ["04A3C6CAE26180"]);
  for (let i = 0; i < 3; i++) tick(rig);
  assert.deepEqual(rig.removed, ["04A3C6CAE26180"]);
  assert.equal(rig.cards.length, 2);
  assert.equal(rig.poller.info.uidSize, 7, "removal event carries the card's info");
});

Deno.test("a new card arriving next to a known one is read once", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "11111111" }));
  tick(rig);
  tick(rig);
  rig.chip.field.add(new VirtualCard({ uid: "22222222" }));
  tick(rig);
  tick(rig);
  assert.deepEqual(rig.cards, ["11111111", "22222222"]);
  assert.deepEqual(rig.removed, []);
});

Deno.test("field switched off and on: halted cards power-cycle and are found again", async () => {
  const rig = await spiRig({}, { absentTicks: 1 });
  rig.chip.field.add(new VirtualCard({ uid: "11111111" }));
  tick(rig);
  rig.chip.field.setAntenna(false);
  rig.chip.field.setAntenna(true);
  tick(rig); // answers REQA again (it lost its HALT state): already known, no new scan
  assert.deepEqual(rig.cards, ["11111111"]);
  assert.deepEqual(rig.removed, []);
});

Deno.test("more cards than the table holds are still reported once, and counted", async () => {
  const rig = await spiRig();
  for (let i = 0; i < MAX_TRACKED + 2; i++) {
    rig.chip.field.add(new VirtualCard({ uid: [0x10 + i, 1, 2, 3] }));
  }
  tick(rig);
  assert.equal(rig.cards.length, MAX_TRACKED, "at most maxCardsPerTick per tick");
  tick(rig);
  tick(rig);
  assert.equal(rig.cards.length, MAX_TRACKED + 2);
  assert.equal(new Set(rig.cards).size, MAX_TRACKED + 2);
  assert.equal(rig.poller.counters.tableFull, 2);
  assert.equal(rig.poller.scanner.present, MAX_TRACKED);
});
