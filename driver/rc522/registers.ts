/**
 * MFRC522 register map, bit masks, commands and the values the driver writes.
 * Addresses are the 6-bit register numbers of the data sheet (chapter 9); the
 * SPI and UART transports turn them into address bytes.
 *
 * @module
 */

/** Starts and stops command execution. */
export const CommandReg = 0x01;
/** Interrupt request enables. */
export const ComIEnReg = 0x02;
/** Interrupt request enables (CRC, MFIN). */
export const DivIEnReg = 0x03;
/** Interrupt request bits (write: bit 7 Set1 selects set or clear of the marked bits). */
export const ComIrqReg = 0x04;
/** Interrupt request bits (CRCIRq, MfinActIRq). */
export const DivIrqReg = 0x05;
/** Error bits of the last command. */
export const ErrorReg = 0x06;
/** Communication status bits. */
export const Status1Reg = 0x07;
/** Receiver and transmitter status bits (ModemState, MFCrypto1On). */
export const Status2Reg = 0x08;
/** Input and output of the 64-byte FIFO. */
export const FIFODataReg = 0x09;
/** Number of bytes in the FIFO (write bit 7 to flush). */
export const FIFOLevelReg = 0x0a;
/** FIFO under/overflow warning level. */
export const WaterLevelReg = 0x0b;
/** Miscellaneous control (bits 2–0: RxLastBits). */
export const ControlReg = 0x0c;
/** Bit-oriented framing: StartSend (bit 7), RxAlign (6–4), TxLastBits (2–0). */
export const BitFramingReg = 0x0d;
/** First bit collision: ValuesAfterColl (7), CollPosNotValid (5), CollPos (4–0). */
export const CollReg = 0x0e;
/** General transmit and receive modes (bits 1–0: CRC preset). */
export const ModeReg = 0x11;
/** Transmit data rate and framing (bit 7: TxCRCEn). */
export const TxModeReg = 0x12;
/** Receive data rate and framing (bit 7: RxCRCEn). */
export const RxModeReg = 0x13;
/** Antenna driver pins TX1/TX2 (bits 1–0 enable the field). */
export const TxControlReg = 0x14;
/** Transmit modulation (bit 6: Force100ASK). */
export const TxASKReg = 0x15;
/** Internal source selection for the antenna driver. */
export const TxSelReg = 0x16;
/** Internal receiver settings. */
export const RxSelReg = 0x17;
/** Bit decoder thresholds. */
export const RxThresholdReg = 0x18;
/** Demodulator settings. */
export const DemodReg = 0x19;
/** MIFARE transmit parameters. */
export const MfTxReg = 0x1c;
/** MIFARE receive parameters. */
export const MfRxReg = 0x1d;
/** UART transfer speed (BR_T0 bits 7–5, BR_T1 bits 4–0). */
export const SerialSpeedReg = 0x1f;
/** CRC coprocessor result, MSB. */
export const CRCResultRegH = 0x21;
/** CRC coprocessor result, LSB. */
export const CRCResultRegL = 0x22;
/** Modulation width. */
export const ModWidthReg = 0x24;
/** Receiver gain (bits 6–4: RxGain). */
export const RFCfgReg = 0x26;
/** Timer mode (bit 7: TAuto; bits 3–0: TPrescaler high nibble). */
export const TModeReg = 0x2a;
/** Timer prescaler, low 8 bits. */
export const TPrescalerReg = 0x2b;
/** Timer reload value, high byte. */
export const TReloadRegH = 0x2c;
/** Timer reload value, low byte. */
export const TReloadRegL = 0x2d;
/** Timer counter value, high byte. */
export const TCounterValRegH = 0x2e;
/** Timer counter value, low byte. */
export const TCounterValRegL = 0x2f;
/** Chip type and version. */
export const VersionReg = 0x37;

/** Commands written to the low 4 bits of {@link CommandReg}. */
export const Cmd = {
  Idle: 0x0,
  Mem: 0x1,
  GenerateRandomId: 0x2,
  CalcCRC: 0x3,
  Transmit: 0x4,
  NoCmdChange: 0x7,
  Receive: 0x8,
  Transceive: 0xc,
  MFAuthent: 0xe,
  SoftReset: 0xf,
} as const;

/** CommandReg bit 4: soft power-down; read as 1 while the chip wakes up after SoftReset. */
export const PowerDown = 0x10;

/** ComIrqReg bits. */
export const Irq = {
  Set1: 0x80,
  Tx: 0x40,
  Rx: 0x20,
  Idle: 0x10,
  HiAlert: 0x08,
  LoAlert: 0x04,
  Err: 0x02,
  Timer: 0x01,
} as const;

/** DivIrqReg bit: the CRC coprocessor finished. */
export const CRCIRq = 0x04;

/** ErrorReg bits. */
export const Err = {
  WrErr: 0x80,
  TempErr: 0x40,
  BufferOvfl: 0x10,
  CollErr: 0x08,
  CRCErr: 0x04,
  ParityErr: 0x02,
  ProtocolErr: 0x01,
} as const;

/** CollReg bit 7: received bits after a collision keep their values (0: cleared). */
export const ValuesAfterColl = 0x80;
/** CollReg bit 5: no collision, or its position is out of CollPos' range. */
export const CollPosNotValid = 0x20;
/** BitFramingReg bit 7: start the transmission (Transceive only). */
export const StartSend = 0x80;
/** FIFOLevelReg bit 7: flush the FIFO. */
export const FlushBuffer = 0x80;
/** TxASKReg bit 6: force 100 % ASK modulation (ISO 14443 A). */
export const Force100ASK = 0x40;
/** TModeReg bit 7: the timer starts at the end of every transmission. */
export const TAuto = 0x80;
/** FIFO size in bytes. */
export const FIFO_SIZE = 64;

/**
 * Values the driver writes at init: TPrescaler 0x0A9 gives 13.56 MHz / 339 =
 * 40 kHz (25 µs ticks); TReload 1000 gives a 25 ms receive timeout.
 */
export const InitValues = {
  TMode: TAuto,
  TPrescaler: 0xa9,
  TReload: 1000,
  TxASK: Force100ASK,
  /** TxWaitRF, MFIN active high, CRC preset 0x6363 (CRCPreset bits = 01). */
  Mode: 0x3d,
} as const;

/** Receiver gains selectable through RFCfgReg's RxGain field, in dB, by field value 0–7. */
export const RX_GAIN_DB: readonly number[] = [18, 23, 18, 23, 33, 38, 43, 48];

/** The gains a config can name (dB), each mapping to one RxGain value. */
export const GAINS_DB = [18, 23, 33, 38, 43, 48] as const;

/** A receiver gain the chip has, in dB (one of {@link GAINS_DB}). */
export type GainDb = 18 | 23 | 33 | 38 | 43 | 48;
const _gains: readonly GainDb[] = GAINS_DB; // the list and the type agree
void _gains;

/** RxGain field value (0–7) for a gain in dB. */
export function rxGainField(db: GainDb): number {
  return db === 18 ? 0 : db === 23 ? 1 : RX_GAIN_DB.indexOf(db);
}

/** The versions the driver accepts, by VersionReg value. */
export const CHIP_VERSIONS: Readonly<Record<number, string>> = {
  0x91: "MFRC522 v1.0",
  0x92: "MFRC522 v2.0",
  0x88: "FM17522 (clone)",
  0x12: "MFRC522 clone (0x12)",
};

/** UART speeds the chip supports, with their SerialSpeedReg values (data sheet table "BR_T0/BR_T1"). */
export const SERIAL_SPEEDS: Readonly<Record<number, number>> = {
  7200: 0xfa,
  9600: 0xeb,
  14400: 0xda,
  19200: 0xcb,
  38400: 0xab,
  57600: 0x9a,
  115200: 0x7a,
  128000: 0x74,
  230400: 0x5a,
  460800: 0x3a,
  921600: 0x1c,
  1228800: 0x15,
};

/** UART speed at reset. */
export const SERIAL_RESET_BAUD = 9600;

/**
 * The UART speed a SerialSpeedReg value selects: 27.12 MHz / (BR_T1 + 1) when
 * BR_T0 is 0, else 27.12 MHz / ((BR_T1 + 33) · 2^(BR_T0 − 1)).
 */
export function serialSpeedOf(reg: number): number {
  const t0 = (reg >> 5) & 7;
  const t1 = reg & 0x1f;
  return t0 === 0 ? 27.12e6 / (t1 + 1) : 27.12e6 / ((t1 + 33) * (1 << (t0 - 1)));
}

/** The receive timeout in milliseconds the timer registers give (TAuto assumed). */
export function timerPeriodMs(tMode: number, tPrescaler: number, tReload: number): number {
  const prescaler = ((tMode & 0x0f) << 8) | tPrescaler;
  return ((2 * prescaler + 1) * (tReload + 1)) / 13.56e6 * 1000;
}
