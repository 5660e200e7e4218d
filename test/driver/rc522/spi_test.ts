import assert from "node:assert/strict";
import {
  ComIrqReg,
  ErrorReg,
  FIFODataReg,
  FIFOLevelReg,
  VersionReg,
} from "../../../driver/rc522/registers.ts";
import { Rc522Sim } from "../../../driver/rc522/sim/chip.ts";
import { SimSpidev } from "../../../driver/rc522/sim/spidev.ts";
import {
  libcSpiIoctl,
  SPI_IOC_MESSAGE_1,
  SPI_IOC_WR_MODE,
  SPI_TRANSFER_SIZE,
  SpidevTransport,
  type SpiIoctl,
  SpiTransferLayout,
} from "../../../driver/rc522/spi.ts";
import {
  BATCH_CLOSED,
  BATCH_IO_ERROR,
  BATCH_OK,
  Rc522Error,
  RegBatch,
} from "../../../driver/rc522/transport.ts";
import { hex } from "./helpers.ts";

function rig(speedHz = 5_000_000) {
  const chip = new Rc522Sim();
  const spidev = new SimSpidev(chip);
  const log: string[] = [];
  spidev.onTransfer = (mosi, miso, speed) => log.push(`${hex(mosi)} | ${hex(miso)} @${speed}`);
  const t = SpidevTransport.open("/dev/spidev0.0", { ioctl: spidev, speedHz });
  return { chip, spidev, t, log };
}

Deno.test("spidev transport opens in mode 0, 8 bits, at the configured speed", () => {
  const { spidev, t } = rig(7_000_000);
  assert.equal(spidev.mode, 0);
  assert.equal(spidev.bitsPerWord, 8);
  assert.equal(spidev.speedHz, 7_000_000);
  assert.equal(spidev.path, "/dev/spidev0.0");
  assert.equal(t.description, "spi:/dev/spidev0.0");
  assert.equal(t.synchronous, true);
});

Deno.test("spidev transport builds address bytes and batches bursts", () => {
  const { t, log, chip } = rig();
  const b = new RegBatch();
  b.write(FIFOLevelReg, 0x80);
  b.writeBurst(FIFODataReg, new Uint8Array([0x93, 0x20, 0x11]), 0, 3);
  b.read(VersionReg);
  b.read(FIFOLevelReg);
  b.readBurst(FIFODataReg, 2);
  b.write(ComIrqReg, 0x7f);
  t.run(b);
  assert.equal(b.status, BATCH_OK);
  assert.deepEqual(log, [
    "14 80 | 00 00 @5000000", // FIFOLevelReg 0x0A << 1
    "12 93 20 11 | 00 00 00 00 @5000000", // FIFO burst: one address byte
    "EE 94 92 92 00 | 00 92 03 93 20 @5000000", // reads: 0x37<<1|0x80, answers shifted by one
    "08 7F | 00 00 @5000000",
  ]);
  assert.deepEqual(Array.from(b.value.subarray(4, 8)), [0x92, 3, 0x93, 0x20]);
  assert.equal(chip.fifoLength, 1);
  assert.equal(t.stats.transfers, 4);
  assert.equal(t.stats.ops, 9);
});

Deno.test("spidev transfer structure carries buffers, length and speed", () => {
  const seen: Uint8Array[] = [];
  const inner = new SimSpidev(new Rc522Sim());
  const spy: SpiIoctl = {
    open: (p) => inner.open(p),
    close: (fd) => inner.close(fd),
    ioctl(fd, req, arg) {
      if (req === SPI_IOC_MESSAGE_1) seen.push(arg.slice());
      return inner.ioctl(fd, req, arg);
    },
  };
  const t = SpidevTransport.open("/dev/spidev1.0", { ioctl: spy, speedHz: 1_000_000 });
  const b = new RegBatch();
  b.read(VersionReg);
  b.read(ErrorReg);
  t.run(b);
  assert.equal(seen.length, 1);
  const x = seen[0]!;
  assert.equal(x.length, SPI_TRANSFER_SIZE);
  const v = new DataView(x.buffer);
  assert.notEqual(v.getBigUint64(SpiTransferLayout.txBuf, true), 0n);
  assert.notEqual(v.getBigUint64(SpiTransferLayout.rxBuf, true), 0n);
  assert.equal(v.getUint32(SpiTransferLayout.len, true), 3);
  assert.equal(v.getUint32(SpiTransferLayout.speedHz, true), 1_000_000);
  assert.equal(v.getUint8(SpiTransferLayout.bitsPerWord), 8);
  assert.equal(v.getUint8(SpiTransferLayout.csChange), 0);
  assert.deepEqual(Array.from(b.value.subarray(0, 2)), [0x92, 0]);
});

Deno.test("spidev transport rejects bad speeds and reports open failures clearly", () => {
  assert.throws(
    () => SpidevTransport.open("/dev/spidev0.0", { ioctl: new SimSpidev(null), speedHz: 20e6 }),
    (e: Error) => e instanceof Rc522Error && /speedHz 20000000 out of range/.test(e.message),
  );
  assert.throws(
    () => SpidevTransport.open("/dev/spidev9.9", { ioctl: new SimSpidev(null, { missing: true }) }),
    /spi:\/dev\/spidev9\.9: cannot open: no such device/,
  );
});

Deno.test("spidev transfer failures are reported in the batch, not thrown", async () => {
  const { spidev, t } = rig();
  spidev.failTransfersWith = 5;
  const b = new RegBatch();
  b.read(VersionReg);
  t.run(b);
  assert.equal(b.status, BATCH_IO_ERROR);
  assert.equal(b.errno, 5);
  assert.equal(t.stats.errors, 1);
  await t.close();
  await t.close();
  assert.equal(spidev.isOpen, false);
  t.run(b);
  assert.equal(b.status, BATCH_CLOSED);
});

Deno.test("a bus with no chip reads 0xFF or 0x00", () => {
  for (const floating of [0xff, 0x00]) {
    const t = SpidevTransport.open("/dev/spidev0.0", { ioctl: new SimSpidev(null, { floating }) });
    const b = new RegBatch();
    b.read(VersionReg);
    t.run(b);
    assert.equal(b.status, BATCH_OK);
    assert.equal(b.value[0], floating);
  }
});

Deno.test("the real libc ioctl layer reports errno (no spidev here: /dev/null is not one)", () => {
  const io = libcSpiIoctl();
  assert.equal(io.open("/nonexistent/spidev0.0"), -2);
  const fd = io.open("/dev/null");
  assert.ok(fd >= 0);
  try {
    assert.equal(io.ioctl(fd, SPI_IOC_WR_MODE, new Uint8Array(1)), -25); // ENOTTY
  } finally {
    io.close(fd);
  }
  assert.throws(
    () => SpidevTransport.open("/dev/null"),
    /rc522 spi:\/dev\/null: cannot set mode 0: errno 25/,
  );
  assert.throws(() => SpidevTransport.open("/dev/spidev7.7"), /cannot open: no such device/);
});
