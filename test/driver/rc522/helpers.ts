/** Shared set-up for the RC522 tests: a simulated chip behind the real SPI transport. */

import { initChip, softReset } from "../../../driver/rc522/pcd.ts";
import { Rc522Poller } from "../../../driver/rc522/poller.ts";
import type { ScannerOptions } from "../../../driver/rc522/scanner.ts";
import { Rc522Sim, type Rc522SimOptions } from "../../../driver/rc522/sim/chip.ts";
import { SimSpidev } from "../../../driver/rc522/sim/spidev.ts";
import { SpidevTransport } from "../../../driver/rc522/spi.ts";
import { RegisterAccess } from "../../../driver/rc522/transport.ts";
import { formatTag } from "../../../driver/tag.ts";

/** A chip on a fake spidev with the real transport, reset and initialised. */
export interface SpiRig {
  chip: Rc522Sim;
  spidev: SimSpidev;
  transport: SpidevTransport;
  io: RegisterAccess;
  poller: Rc522Poller;
  /** UIDs (hex) reported as new cards, in order. */
  cards: string[];
  /** UIDs (hex) reported as removed, in order. */
  removed: string[];
}

/** Builds an initialised rig. */
export async function spiRig(
  simOptions: Rc522SimOptions = {},
  scannerOptions: ScannerOptions = {},
): Promise<SpiRig> {
  const chip = new Rc522Sim(simOptions);
  const spidev = new SimSpidev(chip);
  const transport = SpidevTransport.open("/dev/spidev0.0", { ioctl: spidev, speedHz: 8_000_000 });
  const io = new RegisterAccess(transport);
  await softReset(io);
  await initChip(io);
  const poller = new Rc522Poller(transport, scannerOptions);
  const cards: string[] = [];
  const removed: string[] = [];
  poller.onCard = (r) => cards.push(formatTag(r, "hex"));
  poller.onRemoved = (r) => removed.push(formatTag(r, "hex"));
  return { chip, spidev, transport, io, poller, cards, removed };
}

/** Runs one whole tick synchronously (the simulator never makes the poller wait unless asked). */
export function tick(rig: SpiRig): void {
  for (let i = 0; i < 1000; i++) {
    if (rig.poller.pollSync() !== 1) return;
  }
  throw new Error("tick never finished");
}

/** Hex of bytes, spaced, uppercase. */
export function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" ");
}

/** Records every frame the chip sends into the field as "HEX/bits". */
export function logFrames(chip: Rc522Sim): string[] {
  const log: string[] = [];
  chip.onFrame = (f, bits) => log.push(`${hex(f)}/${bits}`);
  return log;
}
