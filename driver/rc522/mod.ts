/**
 * NXP MFRC522 (RC522) 13.56 MHz reader chip: register transports over SPI
 * (spidev) and UART, chip set-up, ISO/IEC 14443-3 type A anticollision with
 * several cards in the field, presence tracking, the reader the agent uses,
 * its config schema, a UID explainer for the CLI, and a chip simulator.
 *
 * @example
 * ```ts
 * import { decodeRc522Uid } from "./mod.ts";
 * decodeRc522Uid("04 A3 C6 CA E2 61 80").levels[1].selectFrame; // "95 70 CA E2 61 80 C9 E2 83"
 * ```
 *
 * @module
 */

export { appendCrcA, checkCrcA, CRC_A_INIT, crcA } from "./crc_a.ts";
export {
  atqaUidSize,
  CARD_TYPE_NAMES,
  CARD_TYPES,
  type CardType,
  CASCADE_TAG,
  cascadeLevelBytes,
  cascadeLevels,
  decodeRc522Uid,
  HLTA_FRAME,
  NVB_ANTICOLLISION,
  NVB_SELECT,
  type Rc522UidInfo,
  type Rc522UidLevel,
  REQA,
  SAK_CASCADE,
  sakCardType,
  SEL_CODES,
  WUPA,
} from "./iso14443a.ts";
export * as Rc522Registers from "./registers.ts";
export {
  BATCH_BAD_REPLY,
  BATCH_CLOSED,
  BATCH_IO_ERROR,
  BATCH_OK,
  BATCH_TIMEOUT,
  Rc522Error,
  type Rc522Transport,
  RegBatch,
  RegisterAccess,
  type TransportStats,
} from "./transport.ts";
export {
  libcSpiIoctl,
  SPI_IOC_MESSAGE_1,
  SPI_TRANSFER_SIZE,
  type SpidevOptions,
  SpidevTransport,
  type SpiIoctl,
  SpiTransferLayout,
} from "./spi.ts";
export {
  type SerialLike,
  type SpeedSwitchResult,
  type UartOptions,
  UartTransport,
} from "./uart.ts";
export {
  calcCrcOnChip,
  type ChipInfo,
  initChip,
  type InitOptions,
  NO_CHIP_MESSAGE,
  readVersion,
  setAntenna,
  softReset,
} from "./pcd.ts";
export {
  Exchange,
  type ExchangeOptions,
  X_BUS,
  X_COLLISION,
  X_ERROR,
  X_HOST_TIMEOUT,
  X_OK,
  X_TIMEOUT,
} from "./exchange.ts";
export { Iso14443aScanner, SCANNER_STATE_NAMES, type ScannerOptions } from "./scanner.ts";
export { collisionBit } from "./anticollision.ts";
export { MAX_TRACKED } from "./card_table.ts";
export {
  RC522_FORMAT,
  Rc522CardInfo,
  Rc522Counters,
  SCAN_STEP_NAMES,
  ScanStep,
} from "./results.ts";
export { POLL_DONE, POLL_WAIT, type Rc522Callback, Rc522Poller } from "./poller.ts";
export {
  type Rc522CardEvent,
  Rc522Reader,
  type Rc522ReaderCounters,
  type Rc522ReaderOptions,
  type Rc522RemovedEvent,
} from "./reader.ts";
export { RC522_BAUD_RATES, type Rc522ReaderConfig, type Rc522ReaderConfigInput } from "./config.ts";
export * from "./sim/mod.ts";
export { CardRead } from "../card.ts";
export { type GainDb, GAINS_DB } from "./registers.ts";
export { TAG_FORMATS, type TagFormat } from "../tag.ts";
