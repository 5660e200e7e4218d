import assert from "node:assert/strict";
import { openPty } from "../../../driver/serial/mod.ts";
import {
  Rc522ReaderConfigCheckedSchema,
  Rc522ReaderConfigSchema,
} from "../../../driver/rc522/config.ts";
import {
  type Rc522CardEvent,
  Rc522Reader,
  type Rc522RemovedEvent,
} from "../../../driver/rc522/reader.ts";
import { Cmd, CommandReg, SerialSpeedReg } from "../../../driver/rc522/registers.ts";
import { VirtualCard } from "../../../driver/rc522/sim/card.ts";
import { Rc522Sim } from "../../../driver/rc522/sim/chip.ts";
import { SimSpidev } from "../../../driver/rc522/sim/spidev.ts";
import { Rc522UartSim } from "../../../driver/rc522/sim/uart.ts";

function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (cond()) return resolve();
      if (Date.now() > until) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

Deno.test("config schema: defaults, strictness, exactly one connection", () => {
  assert.deepEqual(Rc522ReaderConfigSchema.parse({ spi: { device: "/dev/spidev0.0" } }), {
    spi: { device: "/dev/spidev0.0", speedHz: 4_000_000 },
    pollIntervalMs: 100,
    gain: 33,
    tagFormat: "hex",
    absentTicks: 2,
  });
  assert.deepEqual(
    Rc522ReaderConfigSchema.parse({ uart: { port: "/dev/ttyUSB0", baudRate: 115200 }, gain: 48 })
      .uart,
    { port: "/dev/ttyUSB0", baudRate: 115200 },
  );
  const bad = (v: unknown, re: RegExp) => {
    const r = Rc522ReaderConfigCheckedSchema.safeParse(v);
    assert.equal(r.success, false, JSON.stringify(v));
    assert.match(JSON.stringify(r.error!.issues), re);
  };
  bad({}, /spi: \{device\} or uart: \{port\}/);
  bad({ spi: { device: "/dev/a" }, uart: { port: "/dev/b" } }, /not both/);
  bad({ spi: { device: "/dev/a", speedHz: 20_000_000 } }, /too_big|10000000/);
  bad({ uart: { port: "/dev/b", baudRate: 100000 } }, /must be one of the chip's rates/);
  bad({ spi: { device: "/dev/a" }, gain: 40 }, /18|48/);
  bad({ spi: { device: "/dev/a" }, tagFormat: "oct" }, /hex/);
  bad({ spi: { device: "/dev/a" }, name: "x" }, /unrecognized_keys|name/);
  bad({ spi: { device: "/dev/a", mode: 3 } }, /mode/);
});

Deno.test("reader over SPI: one event per tap, removal, re-tap, clean close", async () => {
  const chip = new Rc522Sim({ version: 0x88 });
  const spidev = new SimSpidev(chip);
  const cards: Rc522CardEvent[] = [];
  const removed: Rc522RemovedEvent[] = [];
  const logs: string[] = [];
  const config = Rc522ReaderConfigSchema.parse({
    spi: { device: "/dev/spidev0.0", speedHz: 10_000_000 },
    pollIntervalMs: 10,
    tagFormat: "hex-reversed",
    gain: 43,
  });
  const reader = await Rc522Reader.open(config, {
    onCard: (e) => cards.push({ ...e }),
    onRemoved: (e) => removed.push(e),
    log: (_level, m) => logs.push(m),
    spiIoctl: spidev,
  });
  assert.deepEqual(reader.chip, { version: 0x88, name: "FM17522 (clone)", known: true });
  assert.match(logs[0]!, /FM17522/);
  assert.equal(spidev.speedHz, 10_000_000);
  reader.start();
  const card = new VirtualCard({ uid: "04A3C6CAE26180", sak: 0x00 });
  chip.field.add(card);
  await waitFor(() => cards.length === 1, "first tap");
  const e = cards[0]!;
  assert.equal(e.tag, "8061E2CAC6A304");
  assert.equal(e.uid, "04A3C6CAE26180");
  assert.equal(e.uidSize, 7);
  assert.equal(e.sak, 0);
  assert.equal(e.atqa, 0x44);
  assert.equal(e.cardType, "mifare-ultralight-ntag");
  assert.equal(e.cardTypeName, "MIFARE Ultralight / NTAG");
  const ticks = reader.counters.ticks;
  await waitFor(() => reader.counters.ticks >= ticks + 5, "more ticks");
  assert.equal(cards.length, 1, "left on the reader: one scan");
  chip.field.remove(card);
  await waitFor(() => removed.length === 1, "removal");
  assert.deepEqual(removed[0], { tag: "8061E2CAC6A304", uid: "04A3C6CAE26180" });
  chip.field.add(card);
  await waitFor(() => cards.length === 2, "second tap");
  const c = reader.counters;
  assert.equal(c.cardsRead, 2);
  assert.equal(c.removals, 1);
  assert.ok(c.transfers > 0);
  assert.equal(c.transportErrors, 0);
  await reader.close();
  await reader.close();
  assert.equal(spidev.isOpen, false);
  assert.equal(chip.field.antenna, false, "field switched off on close");
});

Deno.test("reader open fails clearly with no chip and closes the bus", async () => {
  for (const floating of [0x00, 0xff]) {
    const spidev = new SimSpidev(null, { floating });
    const config = Rc522ReaderConfigSchema.parse({ spi: { device: "/dev/spidev0.1" } });
    await assert.rejects(
      Rc522Reader.open(config, { onCard: () => {}, spiIoctl: spidev }),
      /no chip answering: check wiring, power, chip select/,
    );
    assert.equal(spidev.isOpen, false);
  }
});

Deno.test("reader keeps polling through a busy chip and a throwing callback", async () => {
  const chip = new Rc522Sim({ pollsBeforeDone: 5 });
  const errors: Error[] = [];
  let calls = 0;
  const reader = await Rc522Reader.open(
    Rc522ReaderConfigSchema.parse({ spi: { device: "/dev/spidev0.0" }, pollIntervalMs: 10 }),
    {
      onCard: () => {
        calls++;
        throw new Error("callback broke");
      },
      onError: (e) => errors.push(e),
      spiIoctl: new SimSpidev(chip),
    },
  );
  reader.start();
  chip.field.add(new VirtualCard({ uid: "11223344" }));
  chip.field.add(new VirtualCard({ uid: "11223345" }));
  await waitFor(() => calls === 2, "two cards through a busy chip");
  assert.equal(reader.counters.callbackErrors, 2);
  assert.equal(errors[0]!.message, "callback broke");
  assert.ok(reader.counters.busyPolls > 0);
  await reader.close();
});

Deno.test("reader reports a failing bus once and recovers", async () => {
  const chip = new Rc522Sim();
  const spidev = new SimSpidev(chip);
  const errors: string[] = [];
  const logs: string[] = [];
  const cards: string[] = [];
  const reader = await Rc522Reader.open(
    Rc522ReaderConfigSchema.parse({ spi: { device: "/dev/spidev0.0" }, pollIntervalMs: 10 }),
    {
      onCard: (e) => cards.push(e.uid),
      onError: (e) => errors.push(e.message),
      log: (_l, m) => logs.push(m),
      spiIoctl: spidev,
    },
  );
  reader.start();
  spidev.failTransfersWith = 5; // EIO: the device went away
  await waitFor(() => errors.length === 1, "bus failure report");
  assert.match(
    errors[0]!,
    /spi:\/dev\/spidev0\.0: bus failing \(\d+ failed batches, last status 1\)/,
  );
  assert.ok(reader.counters.busErrors >= 5);
  spidev.failTransfersWith = 0;
  chip.field.add(new VirtualCard({ uid: "DEADBEEF" }));
  await waitFor(() => cards.length === 1, "card after recovery");
  assert.ok(logs.some((m) => /bus working again/.test(m)));
  assert.equal(errors.length, 1);
  await reader.close();
});

Deno.test("reader re-initialises a chip that lost its settings (brown-out)", async () => {
  const chip = new Rc522Sim();
  const cards: string[] = [];
  const logs: string[] = [];
  const reader = await Rc522Reader.open(
    Rc522ReaderConfigSchema.parse({ spi: { device: "/dev/spidev0.0" }, pollIntervalMs: 10 }),
    {
      onCard: (e) => cards.push(e.uid),
      log: (_l, m) => logs.push(m),
      spiIoctl: new SimSpidev(chip),
    },
  );
  reader.start();
  chip.writeReg(CommandReg, Cmd.SoftReset); // the chip resets behind the reader's back
  chip.field.add(new VirtualCard({ uid: "DEADBEEF" }));
  await waitFor(() => cards.length === 1, "card after re-init", 10_000);
  assert.equal(reader.counters.reinits, 1);
  assert.ok(logs.some((m) => /re-initialising/.test(m)));
  await reader.close();
});

Deno.test("reader over UART at 115200 on a pty", async () => {
  const pty = openPty();
  const chip = new Rc522Sim({ version: 0x91 });
  const sim = new Rc522UartSim(chip, pty.master);
  sim.start();
  const cards: string[] = [];
  const logs: string[] = [];
  const reader = await Rc522Reader.open(
    Rc522ReaderConfigSchema.parse({
      uart: { port: pty.path, baudRate: 115200 },
      pollIntervalMs: 10,
      tagFormat: "dec",
    }),
    { onCard: (e) => cards.push(e.tag), log: (_l, m) => logs.push(m) },
  );
  try {
    assert.equal(reader.baudRate, 115200);
    assert.equal(chip.peek(SerialSpeedReg), 0x7a);
    assert.ok(logs.includes(`rc522 uart:${pty.path}: switched to 115200 baud`), logs.join("\n"));
    reader.start();
    chip.field.add(new VirtualCard({ uid: "DEADBEEF" }));
    await waitFor(() => cards.length === 1, "card over UART");
    assert.deepEqual(cards, [String(0xdeadbeef)]);
  } finally {
    await reader.close();
    await pty.close();
    await sim.stopped();
  }
  assert.equal(chip.field.antenna, false);
});
