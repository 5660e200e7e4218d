/**
 * Chip set-up (the PCD side): soft reset and wake-up wait, version check,
 * register init, antenna, and the CRC coprocessor. Runs once at open, over
 * {@link RegisterAccess} (awaited, may allocate); the poll loop lives in
 * {@link Rc522Poller}.
 *
 * @module
 */

import {
  CHIP_VERSIONS,
  Cmd,
  CollReg,
  CommandReg,
  CRCIRq,
  CRCResultRegH,
  CRCResultRegL,
  DivIrqReg,
  FIFODataReg,
  FIFOLevelReg,
  FlushBuffer,
  type GainDb,
  InitValues,
  ModeReg,
  PowerDown,
  RFCfgReg,
  rxGainField,
  RxModeReg,
  TModeReg,
  TPrescalerReg,
  TReloadRegH,
  TReloadRegL,
  TxASKReg,
  TxControlReg,
  TxModeReg,
  VersionReg,
} from "./registers.ts";
import { Rc522Error, type RegisterAccess } from "./transport.ts";

/** The chip a reader found. */
export interface ChipInfo {
  /** VersionReg value. */
  version: number;
  /** What it means, e.g. "MFRC522 v2.0". */
  name: string;
  /** Whether the version is one of the known ones. */
  known: boolean;
}

/** Message when nothing answers on the bus. */
export const NO_CHIP_MESSAGE = "no chip answering: check wiring, power, chip select";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * SoftReset, then waits until CommandReg's PowerDown bit reads 0 (the
 * oscillator is up), polling every millisecond up to `timeoutMs`.
 */
export async function softReset(io: RegisterAccess, timeoutMs = 100): Promise<void> {
  try {
    await io.write(CommandReg, Cmd.SoftReset);
  } catch (err) {
    // Over UART a missing chip shows as no answer at all.
    throw new Rc522Error(
      "no-chip",
      `rc522 ${io.transport.description}: ${NO_CHIP_MESSAGE} (${(err as Error).message})`,
      { cause: err },
    );
  }
  const until = Date.now() + timeoutMs;
  for (let polls = 1;; polls++) {
    const v = await io.read(CommandReg);
    if ((v & PowerDown) === 0) return;
    // Both a time and a count bound, so a loaded machine cannot fail a healthy chip.
    if (Date.now() > until && polls >= 10) {
      throw new Rc522Error(
        "reset",
        `rc522 ${io.transport.description}: chip did not wake up after soft reset ` +
          `(CommandReg 0x${v.toString(16).padStart(2, "0")}); ${NO_CHIP_MESSAGE}`,
      );
    }
    await sleep(1);
  }
}

/**
 * Reads VersionReg. 0x00 and 0xFF (a bus with nothing on it) throw
 * {@link Rc522Error} `no-chip`; known versions and clones are named; other
 * values are accepted as an unknown clone.
 */
export async function readVersion(io: RegisterAccess): Promise<ChipInfo> {
  const version = await io.read(VersionReg);
  if (version === 0x00 || version === 0xff) {
    throw new Rc522Error(
      "no-chip",
      `rc522 ${io.transport.description}: ${NO_CHIP_MESSAGE} (VersionReg reads 0x${
        version.toString(16).padStart(2, "0")
      })`,
    );
  }
  const name = CHIP_VERSIONS[version];
  return {
    version,
    name: name ?? `unknown MFRC522 clone (0x${version.toString(16).padStart(2, "0")})`,
    known: name !== undefined,
  };
}

/** Options of {@link initChip}. */
export interface InitOptions {
  /** Receiver gain in dB (default 33, the reset value). */
  gain?: GainDb;
}

/**
 * Programs the chip for ISO 14443 A at 106 kBd: timer (TAuto, prescaler 0xA9,
 * reload 1000: ~25 ms receive timeout), 100 % ASK, CRC preset 0x6363, CRCs
 * off in hardware (computed in software), bits after a collision cleared,
 * receiver gain, antenna on. Reads the timer registers back to prove writes
 * reach the chip.
 */
export async function initChip(io: RegisterAccess, options: InitOptions = {}): Promise<void> {
  const gain = rxGainField(options.gain ?? 33);
  await io.writeMany([
    [TModeReg, InitValues.TMode],
    [TPrescalerReg, InitValues.TPrescaler],
    [TReloadRegH, InitValues.TReload >> 8],
    [TReloadRegL, InitValues.TReload & 0xff],
    [TxASKReg, InitValues.TxASK],
    [ModeReg, InitValues.Mode],
    [TxModeReg, 0x00],
    [RxModeReg, 0x00],
    [CollReg, 0x00],
    [RFCfgReg, gain << 4],
  ]);
  const [tMode, tPre, tHi, tLo, rf] = await io.readMany([
    TModeReg,
    TPrescalerReg,
    TReloadRegH,
    TReloadRegL,
    RFCfgReg,
  ]);
  if (
    tMode !== InitValues.TMode || tPre !== InitValues.TPrescaler ||
    tHi !== InitValues.TReload >> 8 || tLo !== (InitValues.TReload & 0xff) ||
    ((rf! >> 4) & 7) !== gain
  ) {
    throw new Rc522Error(
      "init",
      `rc522 ${io.transport.description}: register writes do not stick ` +
        `(timer reads ${[tMode, tPre, tHi, tLo].map((v) => v!.toString(16)).join(" ")}); ` +
        `check wiring and chip select`,
    );
  }
  await setAntenna(io, true);
}

/** Switches the RF field on (TX1 and TX2) or off. */
export async function setAntenna(io: RegisterAccess, on: boolean): Promise<void> {
  const v = await io.read(TxControlReg);
  const next = on ? v | 0x03 : v & ~0x03;
  if (next !== v) await io.write(TxControlReg, next);
}

/**
 * Computes CRC_A of `data` with the chip's CRC coprocessor (CalcCRC), for a
 * self-test against the software CRC. Returns the 16-bit CRC (low byte sent first).
 */
export async function calcCrcOnChip(io: RegisterAccess, data: Uint8Array): Promise<number> {
  await io.writeMany([
    [CommandReg, Cmd.Idle],
    [DivIrqReg, CRCIRq],
    [FIFOLevelReg, FlushBuffer],
  ]);
  await io.writeMany(Array.from(data, (b) => [FIFODataReg, b] as const));
  await io.write(CommandReg, Cmd.CalcCRC);
  const until = Date.now() + 50;
  for (let polls = 1; ((await io.read(DivIrqReg)) & CRCIRq) === 0; polls++) {
    if (Date.now() > until && polls >= 10) {
      throw new Rc522Error("crc", `rc522 ${io.transport.description}: CRC coprocessor timed out`);
    }
    await sleep(1);
  }
  await io.write(CommandReg, Cmd.Idle);
  const [hi, lo] = await io.readMany([CRCResultRegH, CRCResultRegL]);
  return ((hi! << 8) | lo!) & 0xffff;
}
