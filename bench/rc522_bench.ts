/**
 * RC522 through the chip simulator over the real SPI transport (spi_ioc_transfer
 * built per transfer, fake spidev behind the ioctl): full card cycles
 * (REQA → anticollision → SELECT → HLTA) for 4-, 7- and 10-byte UIDs and for
 * two colliding cards, and the cost of one anticollision step. Register
 * transfers per card read are printed at start-up (fewer is faster on a real
 * SPI bus: each is one ioctl).
 *
 * Run: deno bench -A bench/rc522_bench.ts
 */

import { Exchange, PREP_RUN } from "../driver/rc522/exchange.ts";
import { initChip, softReset } from "../driver/rc522/pcd.ts";
import { POLL_WAIT, Rc522Poller } from "../driver/rc522/poller.ts";
import { VirtualCard } from "../driver/rc522/sim/card.ts";
import { Rc522Sim } from "../driver/rc522/sim/chip.ts";
import { SimSpidev } from "../driver/rc522/sim/spidev.ts";
import { SpidevTransport } from "../driver/rc522/spi.ts";
import { RegBatch, RegisterAccess } from "../driver/rc522/transport.ts";

interface Rig {
  chip: Rc522Sim;
  spidev: SimSpidev;
  transport: SpidevTransport;
  poller: Rc522Poller;
  cards: VirtualCard[];
}

async function rig(uids: string[], maxCardsPerTick: number): Promise<Rig> {
  const chip = new Rc522Sim();
  const spidev = new SimSpidev(chip);
  const transport = SpidevTransport.open("/dev/spidev0.0", { ioctl: spidev, speedHz: 10_000_000 });
  const io = new RegisterAccess(transport);
  await softReset(io);
  await initChip(io);
  const poller = new Rc522Poller(transport, { maxCardsPerTick });
  const cards = uids.map((uid) => new VirtualCard({ uid }));
  for (const c of cards) chip.field.add(c);
  return { chip, spidev, transport, poller, cards };
}

/** One full read cycle: forget the cards, power them up (IDLE), run a tick. Returns cards read. */
function cycle(r: Rig): number {
  r.poller.scanner.forget();
  for (const c of r.cards) c.power(true);
  const before = r.poller.counters.cardsRead;
  while (r.poller.pollSync() === POLL_WAIT) { /* never with the simulator */ }
  return r.poller.counters.cardsRead - before;
}

const one4 = await rig(["DEADBEEF"], 1);
const one7 = await rig(["04A3C6CAE26180"], 1);
const one10 = await rig(["0102030405060708090A"], 1);
const two = await rig(["DEADBEEF", "DEADBEEE"], 8); // differ in the last UID bit
const presence = await rig(["04A3C6CAE26180"], 8);
cycle(presence); // known and halted: later ticks only confirm presence

function transfersPer(r: Rig, f: () => void): number {
  const t0 = r.spidev.transfers;
  f();
  return r.spidev.transfers - t0;
}

console.log("rc522 SPI transfers per card read (REQA, anticollision, SELECT, HLTA; ioctls):");
for (const [name, r] of [["4-byte", one4], ["7-byte", one7], ["10-byte", one10]] as const) {
  console.log(`  ${name} UID: ${transfersPer(r, () => cycle(r))}`);
}
console.log(
  `  two colliding 4-byte cards (both read, plus the closing REQA): ${
    transfersPer(two, () => cycle(two))
  }`,
);
console.log(
  `  idle tick, 7-byte card left on the reader (REQA, WUPA, 2×SELECT, HLTA): ${
    transfersPer(presence, () => presence.poller.pollSync())
  }`,
);
console.log(`  empty field tick (one REQA timing out): ${
  transfersPer(one4, () => {
    one4.chip.field.remove(one4.cards[0]!);
    one4.poller.scanner.forget();
    one4.poller.pollSync();
    one4.chip.field.add(one4.cards[0]!);
  })
}`);

// One anticollision step: `93 20` to a card in READY, answer read back (stays READY).
const acRig = await rig(["04A3C6CAE26180"], 1);
const acPair = await rig(["11223344", "11A23344"], 1);
const x = new Exchange();
const batch = new RegBatch();

function exchange(r: Rig, len: number, lastBits: number): void {
  x.begin(len, lastBits, 0);
  while (x.prepare(batch) === PREP_RUN) {
    r.transport.run(batch);
    x.consume(batch);
  }
}

function ready(r: Rig): void {
  for (const c of r.cards) c.power(true);
  x.tx[0] = 0x26;
  exchange(r, 1, 7);
}

function anticollisionStep(r: Rig): void {
  x.tx[0] = 0x93;
  x.tx[1] = 0x20;
  exchange(r, 2, 0);
}

ready(acRig);
ready(acPair);
anticollisionStep(acPair);
const pairStatus = x.status === 2
  ? `collision reported, CollReg 0x${x.collReg.toString(16).padStart(2, "0")}`
  : `status ${x.status}`;
console.log(
  `  one anticollision step: ${transfersPer(acRig, () => anticollisionStep(acRig))} transfers ` +
    `(colliding pair: ${pairStatus})`,
);

Deno.bench("rc522 card cycle, 4-byte UID (REQA, AC, SELECT, HLTA)", { group: "cycle" }, () => {
  cycle(one4);
});
Deno.bench("rc522 card cycle, 7-byte UID (2 cascade levels)", { group: "cycle" }, () => {
  cycle(one7);
});
Deno.bench("rc522 card cycle, 10-byte UID (3 cascade levels)", { group: "cycle" }, () => {
  cycle(one10);
});
Deno.bench("rc522 two colliding cards, both read (one cycle)", { group: "cycle" }, () => {
  cycle(two);
});
Deno.bench("rc522 presence tick, 7-byte card left on the reader", { group: "cycle" }, () => {
  presence.poller.pollSync();
});
Deno.bench("rc522 anticollision step (93 20 → 40 bits), one card", { group: "ac" }, () => {
  anticollisionStep(acRig);
});
Deno.bench("rc522 anticollision step, two cards colliding", { group: "ac" }, () => {
  anticollisionStep(acPair);
});
