import assert from "node:assert/strict";
import { RegisterAccess } from "../../../driver/rc522/transport.ts";
import {
  BitFramingReg,
  Cmd,
  CollReg,
  ComIrqReg,
  CommandReg,
  ControlReg,
  ErrorReg,
  FIFOLevelReg,
} from "../../../driver/rc522/registers.ts";
import { PICC_HALT, VirtualCard } from "../../../driver/rc522/sim/card.ts";
import { logFrames, spiRig, tick } from "./helpers.ts";

Deno.test("a 4-byte UID is read with REQA, anticollision, SELECT, HLTA", async () => {
  const rig = await spiRig();
  const card = new VirtualCard({ uid: "DEADBEEF", sak: 0x08 });
  rig.chip.field.add(card);
  const frames = logFrames(rig.chip);
  tick(rig);
  assert.deepEqual(rig.cards, ["DEADBEEF"]);
  assert.deepEqual(frames, [
    "26/7",
    "93 20/16",
    "93 70 DE AD BE EF 22 B9 9C/72",
    "50 00 57 CD/32",
    "26/7", // no more cards
  ]);
  assert.equal(card.state, PICC_HALT);
  assert.equal(rig.poller.info.sak, 0x08);
  assert.equal(rig.poller.info.cardType, "mifare-classic-1k");
  assert.equal(rig.poller.info.atqa, 0x0004);
  assert.equal(rig.poller.read.format, "iso14443a");
  assert.equal(rig.poller.read.byteLength, 4);
  assert.equal(rig.poller.read.bitLength, 32);
});

Deno.test("a 7-byte UID walks two cascade levels (issue vectors)", async () => {
  const rig = await spiRig();
  const card = new VirtualCard({ uid: "04A3C6CAE26180", sak: 0x00 });
  rig.chip.field.add(card);
  const frames = logFrames(rig.chip);
  const answer = new Uint8Array(8);
  tick(rig);
  assert.deepEqual(rig.cards, ["04A3C6CAE26180"]);
  assert.deepEqual(frames.slice(0, 6), [
    "26/7",
    "93 20/16",
    "93 70 88 04 A3 C6 E9 03 7F/72",
    "95 20/16",
    "95 70 CA E2 61 80 C9 E2 83/72",
    "50 00 57 CD/32",
  ]);
  assert.equal(rig.poller.info.uidSize, 7);
  assert.equal(rig.poller.info.cardType, "mifare-ultralight-ntag");
  // The CL1 anticollision answer as the card sends it.
  const c2 = new VirtualCard({ uid: "04A3C6CAE26180" });
  c2.power(true);
  c2.receive(new Uint8Array([0x26]), 7, answer);
  assert.equal(c2.receive(new Uint8Array([0x93, 0x20]), 16, answer), 40);
  assert.deepEqual(Array.from(answer.subarray(0, 5)), [0x88, 0x04, 0xa3, 0xc6, 0xe9]);
});

Deno.test("a 10-byte UID walks three cascade levels", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "0102030405060708090A", sak: 0x20 }));
  const frames = logFrames(rig.chip);
  tick(rig);
  assert.deepEqual(rig.cards, ["0102030405060708090A"]);
  assert.deepEqual(frames.filter((f) => f.endsWith("/16")), ["93 20/16", "95 20/16", "97 20/16"]);
  assert.equal(rig.poller.info.uidSize, 10);
  assert.equal(rig.poller.info.cardType, "iso14443-4");
});

Deno.test("two cards colliding are both read, one per anticollision branch", async () => {
  const rig = await spiRig();
  // Differ first in bit 3 of the second UID byte.
  const a = new VirtualCard({ uid: "11223344" });
  const b = new VirtualCard({ uid: "112A3344" });
  rig.chip.field.add(a);
  rig.chip.field.add(b);
  const frames = logFrames(rig.chip);
  tick(rig);
  assert.deepEqual(rig.cards, ["112A3344", "11223344"]);
  assert.equal(rig.poller.counters.collisions, 1);
  // After the collision at bit 11 the reader sends 12 known bits, bit 11 = 1 (NVB 0x34).
  assert.equal(frames[2], "93 34 11 0A/28");
  assert.equal(a.state, PICC_HALT);
  assert.equal(b.state, PICC_HALT);
});

Deno.test("cards differing only in the last UID bit, and in several places", async () => {
  const rig = await spiRig();
  const uids = ["A0B0C0D0", "A0B0C0D1", "20B0C0D1", "A0B1C0D0", "A0B0C8D0"];
  for (const u of uids) rig.chip.field.add(new VirtualCard({ uid: u }));
  tick(rig);
  assert.deepEqual([...rig.cards].sort(), [...uids].sort());
  assert.ok(rig.poller.counters.collisions >= 4);
  assert.equal(rig.poller.counters.bccErrors, 0);
  assert.equal(rig.poller.counters.protocolErrors, 0);
});

Deno.test("7-byte cards sharing cascade level 1 collide on level 2", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "04A3C6CAE26180" }));
  rig.chip.field.add(new VirtualCard({ uid: "04A3C60102037F" }));
  rig.chip.field.add(new VirtualCard({ uid: "DEADBEEF" }));
  rig.chip.field.add(new VirtualCard({ uid: "0102030405060708090A" }));
  tick(rig);
  assert.deepEqual(
    [...rig.cards].sort(),
    ["0102030405060708090A", "04A3C60102037F", "04A3C6CAE26180", "DEADBEEF"],
  );
});

Deno.test("eight random cards are all enumerated in one tick", async () => {
  const rig = await spiRig();
  const want: string[] = [];
  let x = 0x1234567;
  for (let i = 0; i < 8; i++) {
    const len = [4, 7, 10][i % 3]!;
    const uid = new Uint8Array(len);
    for (let j = 0; j < len; j++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      uid[j] = x >>> 24;
    }
    if (uid[0] === 0x88) uid[0] = 0x08;
    const card = new VirtualCard({ uid });
    want.push(card.hex);
    rig.chip.field.add(card);
  }
  tick(rig);
  assert.deepEqual([...rig.cards].sort(), want.sort());
});

Deno.test("the simulator reports collisions on the FIFO bit grid with RxAlign", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "10000000" }));
  rig.chip.field.add(new VirtualCard({ uid: "10000100" }));
  const io = new RegisterAccess(rig.transport);
  const transceive = async (frame: number[], framing: number) => {
    await io.writeMany([[CommandReg, Cmd.Idle], [ComIrqReg, 0x7f]]);
    await io.writeFifo(new Uint8Array(frame));
    await io.writeMany([[CommandReg, Cmd.Transceive], [BitFramingReg, 0x80 | framing]]);
    return io.readMany([ComIrqReg, ErrorReg, FIFOLevelReg, ControlReg, CollReg]);
  };
  await transceive([0x26], 7);
  // 3 known bits (000 of byte 0x10): RxAlign 3, TxLastBits 3. Cards differ at UID bit 16.
  const [irq, err, level, control, coll] = await transceive([0x93, 0x23, 0x00], 0x33);
  assert.equal(irq! & 0x20, 0x20);
  assert.equal(err! & 0x08, 0x08, "CollErr");
  assert.equal(coll! & 0x20, 0, "position valid");
  // Absolute bit 16 = byte 2 bit 0; FIFO grid position = 16 + 1 = 17 (the first FIFO byte is UID byte 0).
  assert.equal(coll! & 0x1f, 17);
  assert.equal(level, 5);
  assert.equal(control! & 7, 0);
});

Deno.test("HLTA succeeds only by silence; an answer is counted", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "CAFEBABE", answersHalt: true }));
  tick(rig);
  assert.deepEqual(rig.cards, ["CAFEBABE"]);
  assert.equal(rig.poller.counters.haltAnswered, 1);
});

Deno.test("an ATQA that is not 16 bits is refused and counted", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "CAFEBABE", atqaBits: 12 }));
  tick(rig);
  assert.deepEqual(rig.cards, []);
  assert.ok(rig.poller.counters.atqaErrors >= 1);
});

Deno.test("every anticollision answer corrupted: BCC catches it, no UID is reported", async () => {
  const rig = await spiRig({ seed: 7 });
  rig.chip.field.add(new VirtualCard({ uid: "DEADBEEF" }));
  rig.chip.field.noise = { bitFlip: 1 };
  for (let i = 0; i < 5; i++) tick(rig);
  assert.ok(rig.poller.counters.bccErrors > 0);
  assert.ok(rig.chip.field.noiseEvents > 0);
  assert.deepEqual(rig.cards.filter((c) => c !== "DEADBEEF"), []);
});

Deno.test("SAK CRC errors are caught and the read retried", async () => {
  const rig = await spiRig({ seed: 3 });
  rig.chip.field.add(new VirtualCard({ uid: "DEADBEEF" }));
  rig.chip.field.noise = { crc: 1 };
  tick(rig);
  assert.deepEqual(rig.cards, []);
  assert.ok(rig.poller.counters.crcErrors >= 1);
  rig.chip.field.noise = {};
  tick(rig);
  assert.deepEqual(rig.cards, ["DEADBEEF"]);
});

Deno.test("without the antenna or 100% ASK no card answers", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "DEADBEEF" }));
  const io = new RegisterAccess(rig.transport);
  await io.write(0x15, 0x00); // TxASKReg: Force100ASK off
  tick(rig);
  assert.deepEqual(rig.cards, []);
  await io.write(0x15, 0x40);
  tick(rig);
  assert.deepEqual(rig.cards, ["DEADBEEF"]);
});

Deno.test("a weak card is heard only with enough receiver gain", async () => {
  const rig = await spiRig();
  rig.chip.field.add(new VirtualCard({ uid: "DEADBEEF", minGain: 6 }));
  tick(rig);
  assert.deepEqual(rig.cards, []);
  await new RegisterAccess(rig.transport).write(0x26, 6 << 4);
  tick(rig); // the card answered the last REQA unheard and sits in READY: this REQA resets it
  tick(rig);
  assert.deepEqual(rig.cards, ["DEADBEEF"]);
});

Deno.test("a busy chip makes the poller wait, then the tick completes", async () => {
  const rig = await spiRig({ pollsBeforeDone: 6 });
  rig.chip.field.add(new VirtualCard({ uid: "DEADBEEF" }));
  let waits = 0;
  for (let i = 0; i < 1000 && rig.poller.pollSync() === 1; i++) waits++;
  assert.ok(waits > 0);
  assert.deepEqual(rig.cards, ["DEADBEEF"]);
  assert.ok(rig.poller.scanner.x.busyPolls >= 6);
});

Deno.test("anticollision literals match the named constants they stand for", async () => {
  const ac = await import("../../../driver/rc522/anticollision.ts");
  const x = await import("../../../driver/rc522/exchange.ts");
  const iso = await import("../../../driver/rc522/iso14443a.ts");
  assert.deepEqual(
    [ac.AC_COMPLETE, ac.AC_COLLISION, ac.AC_BAD_LENGTH, ac.AC_BAD_POSITION, ac.AC_BAD_BCC],
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual([x.X_OK, x.X_COLLISION, ac.UID_CASCADE_ERROR], [0, 2, -1]);
  assert.deepEqual([iso.SAK_CASCADE, iso.CASCADE_TAG], [0x04, 0x88]);
  // And they behave: a 7-byte UID's two levels assemble, a wrong BCC is refused.
  const cl = new Uint8Array(5);
  const uid = new Uint8Array(10);
  const out = new Int32Array(1);
  const answer = (bytes: number[]) => ({
    status: x.X_OK,
    rx: Uint8Array.from(bytes),
    rxLen: bytes.length,
    rxLastBits: 0,
    rxAlign: 0,
    collReg: 0,
  });
  assert.equal(
    ac.mergeAnswer(cl, 0, answer([0x88, 0x04, 0xa3, 0xc6, 0x88 ^ 0x04 ^ 0xa3 ^ 0xc6]), out),
    0,
  );
  assert.equal(ac.appendLevelUid(cl, 1, 0x04, uid, 0), 3);
  assert.equal(
    ac.mergeAnswer(cl, 0, answer([0xca, 0xe2, 0x61, 0x80, 0xca ^ 0xe2 ^ 0x61 ^ 0x80]), out),
    0,
  );
  assert.equal(ac.appendLevelUid(cl, 2, 0x08, uid, 3), 7);
  assert.deepEqual([...uid.subarray(0, 7)], [0x04, 0xa3, 0xc6, 0xca, 0xe2, 0x61, 0x80]);
  assert.equal(ac.mergeAnswer(cl, 0, answer([1, 2, 3, 4, 5]), out), ac.AC_BAD_BCC);
  assert.equal(ac.appendLevelUid(cl, 3, 0x04, uid, 7), ac.UID_CASCADE_ERROR);
});
