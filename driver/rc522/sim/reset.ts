/**
 * Register reset values of the simulated MFRC522 (data sheet register
 * tables) and the CRC coprocessor presets selected by ModeReg.
 *
 * @module
 */

import {
  CollPosNotValid,
  CollReg,
  ComIrqReg,
  CommandReg,
  ControlReg,
  CRCResultRegH,
  CRCResultRegL,
  ModeReg,
  RFCfgReg,
  SerialSpeedReg,
  TxControlReg,
} from "../registers.ts";

/** Reset values (data sheet register tables), index = register number. */
export const RESET = new Uint8Array(64);
RESET[CommandReg] = 0x20;
RESET[0x02] = 0x80;
RESET[ComIrqReg] = 0x14;
RESET[0x07] = 0x21;
RESET[0x0b] = 0x08;
RESET[ControlReg] = 0x10;
RESET[CollReg] = 0x80 | CollPosNotValid;
RESET[ModeReg] = 0x3f;
RESET[TxControlReg] = 0x80;
RESET[0x16] = 0x10;
RESET[0x17] = 0x84;
RESET[0x18] = 0x84;
RESET[0x19] = 0x4d;
RESET[0x1c] = 0x62;
RESET[SerialSpeedReg] = 0xeb;
RESET[CRCResultRegH] = 0xff;
RESET[CRCResultRegL] = 0xff;
RESET[0x24] = 0x26;
RESET[RFCfgReg] = 0x48;
RESET[0x27] = 0x88;
RESET[0x28] = 0x20;
RESET[0x29] = 0x20;

/** CRC preset by ModeReg bits 1–0. */
export const CRC_PRESETS = [0x0000, 0x6363, 0xa671, 0xffff];
