/**
 * MFRC522 simulator: a register-level chip with a field of virtual ISO 14443 A
 * cards, reachable through a fake spidev (the real SPI transport's ioctl
 * layer) or over a pty in UART mode.
 *
 * @example
 * ```ts
 * import { Rc522Sim, SimSpidev, VirtualCard } from "@pontaj/pontaj/testing";
 * const chip = new Rc522Sim({ version: 0x92 });
 * chip.field.add(new VirtualCard({ uid: "04A3C6CAE26180" }));
 * const spidev = new SimSpidev(chip); // pass as `spiIoctl` to Rc522Reader.open
 * ```
 *
 * @module
 */

export { Rc522Sim, type Rc522SimOptions, Rc522SimStats } from "./chip.ts";
export {
  PICC_ACTIVE,
  PICC_HALT,
  PICC_IDLE,
  PICC_OFF,
  PICC_READY,
  VirtualCard,
  type VirtualCardOptions,
} from "./card.ts";
export { Field, FIELD_CAPACITY, FieldAnswer, type FieldNoise } from "./field.ts";
export { SimSpidev, type SimSpidevOptions } from "./spidev.ts";
export { type PtyMasterLike, Rc522UartSim, type Rc522UartSimOptions } from "./uart.ts";
export { SimRandom } from "./random.ts";
