import assert from "node:assert/strict";
import { crcA } from "../../../driver/rc522/crc_a.ts";
import {
  calcCrcOnChip,
  initChip,
  NO_CHIP_MESSAGE,
  readVersion,
  softReset,
} from "../../../driver/rc522/pcd.ts";
import {
  Cmd,
  CollReg,
  ComIrqReg,
  CommandReg,
  ErrorReg,
  FIFODataReg,
  FIFOLevelReg,
  ModeReg,
  RFCfgReg,
  TModeReg,
  TPrescalerReg,
  TReloadRegH,
  TReloadRegL,
  TxASKReg,
  TxControlReg,
} from "../../../driver/rc522/registers.ts";
import { Rc522Sim } from "../../../driver/rc522/sim/chip.ts";
import { SimSpidev } from "../../../driver/rc522/sim/spidev.ts";
import { SpidevTransport } from "../../../driver/rc522/spi.ts";
import { Rc522Error, RegisterAccess } from "../../../driver/rc522/transport.ts";

function access(chip: Rc522Sim | null, floating = 0xff) {
  const spidev = new SimSpidev(chip, { floating });
  const t = SpidevTransport.open("/dev/spidev0.0", { ioctl: spidev });
  return { io: new RegisterAccess(t), spidev, t };
}

Deno.test("softReset waits for the chip to wake up", async () => {
  const chip = new Rc522Sim({ wakeUpReads: 3 });
  const { io } = access(chip);
  await io.write(TModeReg, 0x8d);
  await softReset(io);
  assert.equal(chip.stats.softResets, 1);
  assert.equal(chip.peek(TModeReg), 0, "registers back to reset values");
  assert.equal((await io.read(CommandReg)) & 0x10, 0);
});

Deno.test("readVersion accepts and names the known versions and clones", async () => {
  const want: [number, string, boolean][] = [
    [0x91, "MFRC522 v1.0", true],
    [0x92, "MFRC522 v2.0", true],
    [0x88, "FM17522 (clone)", true],
    [0x12, "MFRC522 clone (0x12)", true],
    [0xb2, "unknown MFRC522 clone (0xb2)", false],
  ];
  for (const [version, name, known] of want) {
    const { io } = access(new Rc522Sim({ version }));
    assert.deepEqual(await readVersion(io), { version, name, known });
  }
});

Deno.test("readVersion reports no chip for 0x00 and 0xFF", async () => {
  for (const floating of [0x00, 0xff]) {
    const { io } = access(null, floating);
    await assert.rejects(readVersion(io), (e: Error) => {
      assert.ok(e instanceof Rc522Error);
      assert.equal(e.code, "no-chip");
      assert.ok(e.message.includes(NO_CHIP_MESSAGE), e.message);
      assert.ok(e.message.includes(`0x${floating.toString(16).padStart(2, "0")}`), e.message);
      return true;
    });
  }
  for (const version of [0x00, 0xff]) {
    const { io } = access(new Rc522Sim({ version }));
    await assert.rejects(readVersion(io), /no chip answering: check wiring, power, chip select/);
  }
});

Deno.test("softReset on an empty bus fails with the wiring hint", async () => {
  const { io } = access(null, 0xff);
  await assert.rejects(softReset(io, 20), /did not wake up.*no chip answering/);
});

Deno.test("initChip programs timer, 100% ASK, CRC preset, gain and antenna", async () => {
  const chip = new Rc522Sim();
  const { io } = access(chip);
  await softReset(io);
  assert.equal(chip.field.antenna, false);
  await initChip(io, { gain: 48 });
  assert.equal(chip.peek(TModeReg), 0x80);
  assert.equal(chip.peek(TPrescalerReg), 0xa9);
  assert.equal((chip.peek(TReloadRegH) << 8) | chip.peek(TReloadRegL), 1000);
  assert.ok(Math.abs(chip.timerMs() - 25) < 0.1, `timer ${chip.timerMs()} ms`);
  assert.equal(chip.peek(TxASKReg), 0x40);
  assert.equal(chip.peek(ModeReg), 0x3d);
  assert.equal(chip.peek(ModeReg) & 3, 1, "CRC preset 0x6363");
  assert.equal((chip.peek(RFCfgReg) >> 4) & 7, 7, "48 dB");
  assert.equal(chip.peek(CollReg) & 0x80, 0, "bits after a collision cleared");
  assert.equal(chip.peek(TxControlReg) & 3, 3);
  assert.equal(chip.field.antenna, true);
  await initChip(io, { gain: 18 });
  assert.equal((chip.peek(RFCfgReg) >> 4) & 7, 0);
  await initChip(io);
  assert.equal((chip.peek(RFCfgReg) >> 4) & 7, 4, "33 dB default");
});

Deno.test("initChip fails clearly when writes do not stick", async () => {
  const { io } = access(null, 0x5a);
  await assert.rejects(initChip(io), /register writes do not stick/);
});

Deno.test("the chip's CRC coprocessor agrees with the software CRC_A", async () => {
  const chip = new Rc522Sim();
  const { io } = access(chip);
  await softReset(io);
  await initChip(io);
  for (const bytes of [[0, 0], [0x12, 0x34], [0x95, 0x70, 0xca, 0xe2, 0x61, 0x80, 0xc9]]) {
    const data = new Uint8Array(bytes);
    assert.equal(await calcCrcOnChip(io, data), crcA(data, 0, data.length));
  }
  assert.equal(chip.stats.crcRuns, 3);
});

Deno.test("simulated FIFO, IRQ set/clear and flush behave like the chip", async () => {
  const chip = new Rc522Sim();
  const { io } = access(chip);
  await io.writeFifo(new Uint8Array([1, 2, 3]));
  assert.equal(await io.read(FIFOLevelReg), 3);
  assert.deepEqual(Array.from(await io.readFifo(2)), [1, 2]);
  assert.equal(await io.read(FIFOLevelReg), 1);
  await io.writeFifo(new Uint8Array(70));
  assert.equal(await io.read(FIFOLevelReg), 64);
  assert.equal((await io.read(ErrorReg)) & 0x10, 0x10, "BufferOvfl");
  await io.write(FIFOLevelReg, 0x80);
  assert.equal(await io.read(FIFOLevelReg), 0);
  assert.equal((await io.read(ErrorReg)) & 0x10, 0, "flush clears BufferOvfl");
  await io.write(ComIrqReg, 0x7f);
  assert.equal(await io.read(ComIrqReg), 0);
  await io.write(ComIrqReg, 0x80 | 0x21);
  assert.equal(await io.read(ComIrqReg), 0x21);
  await io.write(ComIrqReg, 0x01);
  assert.equal(await io.read(ComIrqReg), 0x20);
  await io.write(FIFODataReg, 9);
  await io.write(CommandReg, Cmd.MFAuthent);
  assert.equal((await io.read(ErrorReg)) & 1, 1, "MFAuthent unsupported → ProtocolErr");
});
