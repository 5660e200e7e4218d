import assert from "node:assert/strict";
import { openPty, type Pty } from "../../../driver/serial/mod.ts";
import { initChip, readVersion, softReset } from "../../../driver/rc522/pcd.ts";
import { Rc522Poller } from "../../../driver/rc522/poller.ts";
import { SerialSpeedReg, TModeReg, TReloadRegL } from "../../../driver/rc522/registers.ts";
import { VirtualCard } from "../../../driver/rc522/sim/card.ts";
import { Rc522Sim, type Rc522SimOptions } from "../../../driver/rc522/sim/chip.ts";
import { Rc522UartSim, type Rc522UartSimOptions } from "../../../driver/rc522/sim/uart.ts";
import { UartTransport } from "../../../driver/rc522/uart.ts";
import { RegBatch, RegisterAccess } from "../../../driver/rc522/transport.ts";
import { formatTag } from "../../../driver/tag.ts";

interface UartRig {
  pty: Pty;
  chip: Rc522Sim;
  sim: Rc522UartSim;
  t: UartTransport;
  io: RegisterAccess;
  [Symbol.asyncDispose](): Promise<void>;
}

async function uartRig(
  options: Rc522SimOptions = {},
  simOptions: Rc522UartSimOptions = {},
): Promise<UartRig> {
  const pty = openPty();
  const chip = new Rc522Sim(options);
  const sim = new Rc522UartSim(chip, pty.master, simOptions);
  sim.start();
  const t = await UartTransport.open(pty.path);
  return {
    pty,
    chip,
    sim,
    t,
    io: new RegisterAccess(t),
    async [Symbol.asyncDispose]() {
      await t.close();
      await pty.close();
      await sim.stopped();
    },
  };
}

Deno.test("uart transport reads and writes registers over a pty", async () => {
  await using rig = await uartRig();
  assert.equal(rig.t.description, `uart:${rig.pty.path}`);
  assert.equal(rig.t.baudRate, 9600);
  await rig.io.write(TModeReg, 0x8d);
  assert.equal(rig.chip.peek(TModeReg), 0x8d);
  assert.equal(await rig.io.read(TModeReg), 0x8d);
  assert.deepEqual(await readVersion(rig.io), { version: 0x92, name: "MFRC522 v2.0", known: true });
  // A batch is one round trip: address bytes pipelined, answers read in order.
  const b = new RegBatch();
  b.write(TReloadRegL, 0x42);
  b.read(TReloadRegL);
  b.read(TModeReg);
  const before = rig.t.stats.transfers;
  await rig.t.run(b);
  assert.equal(rig.t.stats.transfers - before, 1);
  assert.deepEqual(Array.from(b.value.subarray(1, 3)), [0x42, 0x8d]);
  assert.equal(rig.sim.bytesIn, 2 + 1 + 1 + 4);
});

Deno.test("uart: reset, init and anticollision of two cards over a pty", async () => {
  await using rig = await uartRig();
  await softReset(rig.io);
  await initChip(rig.io);
  rig.chip.field.add(new VirtualCard({ uid: "04A3C6CAE26180" }));
  rig.chip.field.add(new VirtualCard({ uid: "DEADBEEF", sak: 0x18 }));
  const poller = new Rc522Poller(rig.t);
  const seen: string[] = [];
  poller.onCard = (r, i) => seen.push(`${formatTag(r, "hex")} ${i.cardType}`);
  while ((await poller.pollAsync()) !== 2) { /* continue the tick */ }
  assert.deepEqual(seen.sort(), [
    "04A3C6CAE26180 mifare-ultralight-ntag",
    "DEADBEEF mifare-classic-4k",
  ]);
  assert.ok(poller.counters.collisions >= 1);
});

Deno.test("uart speed switch: both sides move to 115200 and VersionReg proves it", async () => {
  await using rig = await uartRig();
  const r = await rig.t.switchSpeed(115200);
  assert.deepEqual(r, { baudRate: 115200, switched: true, message: "switched to 115200 baud" });
  assert.equal(rig.chip.peek(SerialSpeedReg), 0x7a);
  assert.equal(rig.t.baudRate, 115200);
  assert.equal(await rig.io.read(TModeReg), 0);
  assert.equal(rig.sim.garbled, 0);
});

Deno.test("uart speed switch falls back when the chip ignores SerialSpeedReg", async () => {
  await using rig = await uartRig({ serialSpeedSwitch: false });
  const r = await rig.t.switchSpeed(230400);
  assert.equal(r.switched, false);
  assert.equal(r.baudRate, 9600);
  assert.match(r.message, /ignored SerialSpeedReg/);
  assert.equal(rig.t.baudRate, 9600);
  assert.ok(rig.sim.garbled > 0, "the proof read at 230400 was garbage to the chip");
  assert.equal(await rig.io.read(SerialSpeedReg), 0xeb);
});

Deno.test("uart speed switch throws when the chip answers at neither rate", async () => {
  // A line that never matches above 9600 (e.g. a bad level shifter): the chip sees garbage.
  let transport: UartTransport | null = null;
  const hostBaud = () => {
    const baud = transport?.baudRate ?? 9600;
    return baud > 9600 ? baud * 1.1 : baud;
  };
  await using rig = await uartRig({}, { hostBaud });
  transport = rig.t;
  await assert.rejects(rig.t.switchSpeed(115200), /lost contact after switching to 115200 baud/);
  await assert.rejects(rig.t.switchSpeed(1234), /not a rate the chip supports/);
});

Deno.test("uart with no chip answering gives the wiring hint", async () => {
  const pty = openPty();
  const t = await UartTransport.open(pty.path, { replyTimeoutMs: 30 });
  try {
    await assert.rejects(
      softReset(new RegisterAccess(t)),
      /no chip answering: check wiring, power, chip select \(.*timeout/,
    );
  } finally {
    await t.close();
    await pty.close();
  }
});
