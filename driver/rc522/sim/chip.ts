/**
 * A register-level MFRC522 simulator: the register file with reset values,
 * the 64-byte FIFO, CommandReg (Idle, Mem, GenerateRandomID, CalcCRC,
 * Transmit, Receive, Transceive, MFAuthent, SoftReset), ComIrqReg/DivIrqReg
 * set/clear semantics, ErrorReg, CollReg, ControlReg's RxLastBits,
 * BitFramingReg's StartSend/RxAlign/TxLastBits, the timer (TimerIRq only when
 * TAuto and a reload value are set), antenna and Force100ASK (cards hear
 * nothing without them), receiver gain, the CRC coprocessor, SerialSpeedReg,
 * and a {@link Field} of virtual cards. Clone versions are a constructor option.
 *
 * Register reads and writes allocate nothing, so the driver's poll loop can be
 * measured through it.
 *
 * @module
 */

import { crcA } from "../crc_a.ts";
import {
  BitFramingReg,
  Cmd,
  CollPosNotValid,
  CollReg,
  ComIrqReg,
  CommandReg,
  ControlReg,
  CRCIRq,
  CRCResultRegH,
  CRCResultRegL,
  DivIrqReg,
  Err,
  ErrorReg,
  FIFO_SIZE,
  FIFODataReg,
  FIFOLevelReg,
  Force100ASK,
  Irq,
  ModeReg,
  PowerDown,
  RFCfgReg,
  RxModeReg,
  SerialSpeedReg,
  StartSend,
  TAuto,
  TCounterValRegH,
  TCounterValRegL,
  timerPeriodMs,
  TModeReg,
  TPrescalerReg,
  TReloadRegH,
  TReloadRegL,
  TxASKReg,
  TxControlReg,
  TxModeReg,
  ValuesAfterColl,
  VersionReg,
} from "../registers.ts";
import { Field, FieldAnswer } from "./field.ts";
import { CRC_PRESETS, RESET } from "./reset.ts";

/** Options of {@link Rc522Sim}. */
export interface Rc522SimOptions {
  /** VersionReg value (default 0x92; clones 0x88, 0x12; anything for tests). */
  version?: number;
  /** Noise seed (default 1). */
  seed?: number;
  /** Reads of ComIrqReg that still show the chip busy after StartSend (default 0). */
  pollsBeforeDone?: number;
  /** Reads of CommandReg showing PowerDown after SoftReset (default 2). */
  wakeUpReads?: number;
  /** Whether writes to SerialSpeedReg take effect (default true; false models a clone that ignores them). */
  serialSpeedSwitch?: boolean;
}

/** Simulator counters. */
export class Rc522SimStats {
  /** Register reads. */
  reads = 0;
  /** Register writes. */
  writes = 0;
  /** Frames sent to the field. */
  transceives = 0;
  /** Soft resets. */
  softResets = 0;
  /** CRC coprocessor runs. */
  crcRuns = 0;
}

/** A simulated MFRC522 chip. */
export class Rc522Sim {
  /** The RF field and its cards. */
  readonly field: Field;
  /** Counters. */
  readonly stats: Rc522SimStats = new Rc522SimStats();
  /** Reads of ComIrqReg that show busy after each StartSend. */
  pollsBeforeDone: number;
  /** Called with every frame sent into the field (bytes, bit count); for tests. Null by default. */
  onFrame: ((frame: Uint8Array, bits: number) => void) | null = null;
  readonly #regs = new Uint8Array(64);
  readonly #fifo = new Uint8Array(FIFO_SIZE);
  #fifoHead = 0;
  #fifoLen = 0;
  readonly #version: number;
  readonly #wakeUpReads: number;
  readonly #serialSwitch: boolean;
  #wakeUp = 0;
  readonly #tx = new Uint8Array(FIFO_SIZE + 2);
  readonly #ans = new FieldAnswer();
  readonly #mem = new Uint8Array(25);
  // An exchange result held back while the chip "is busy".
  #busy = 0;
  #stagedIrq = 0;
  #stagedErr = 0;
  #stagedColl = 0;
  #stagedLast = 0;
  #stagedLen = 0;
  readonly #staged = new Uint8Array(FIFO_SIZE);

  /** Creates a chip in its reset state with an empty field. */
  constructor(options: Rc522SimOptions = {}) {
    this.#version = options.version ?? 0x92;
    this.field = new Field(options.seed ?? 1);
    this.pollsBeforeDone = options.pollsBeforeDone ?? 0;
    this.#wakeUpReads = options.wakeUpReads ?? 2;
    this.#serialSwitch = options.serialSpeedSwitch ?? true;
    this.#reset();
  }

  #reset(): void {
    this.#regs.set(RESET);
    this.#regs[VersionReg] = this.#version;
    this.#fifoLen = 0;
    this.#fifoHead = 0;
    this.#busy = 0;
    this.field.setAntenna(false);
  }

  /** A register's raw value, without read side effects (for tests). */
  peek(reg: number): number {
    return this.#regs[reg & 0x3f]!;
  }

  /** Bytes in the FIFO. */
  get fifoLength(): number {
    return this.#fifoLen;
  }

  /** The receive timeout the timer registers give, in ms (0 when the timer is off). */
  timerMs(): number {
    const r = this.#regs;
    const reload = (r[TReloadRegH]! << 8) | r[TReloadRegL]!;
    if ((r[TModeReg]! & TAuto) === 0 || reload === 0) return 0;
    return timerPeriodMs(r[TModeReg]!, r[TPrescalerReg]!, reload);
  }

  #push(v: number): void {
    if (this.#fifoLen >= FIFO_SIZE) {
      this.#regs[ErrorReg] = this.#regs[ErrorReg]! | Err.BufferOvfl;
      return;
    }
    this.#fifo[(this.#fifoHead + this.#fifoLen) & (FIFO_SIZE - 1)] = v;
    this.#fifoLen++;
  }

  #pop(): number {
    if (this.#fifoLen === 0) return 0;
    const v = this.#fifo[this.#fifoHead]!;
    this.#fifoHead = (this.#fifoHead + 1) & (FIFO_SIZE - 1);
    this.#fifoLen--;
    return v;
  }

  #flush(): void {
    this.#fifoHead = 0;
    this.#fifoLen = 0;
  }

  /** Reads a register as the host would (FIFO pops, busy/wake-up modelling). */
  readReg(reg: number): number {
    reg &= 0x3f;
    this.stats.reads++;
    const r = this.#regs;
    switch (reg) {
      case FIFODataReg:
        return this.#pop();
      case FIFOLevelReg:
        return this.#fifoLen;
      case CommandReg:
        if (this.#wakeUp > 0) {
          this.#wakeUp--;
          return r[CommandReg]! | PowerDown;
        }
        return r[CommandReg]!;
      case ComIrqReg:
        if (this.#busy > 0 && --this.#busy === 0) this.#commit();
        return r[ComIrqReg]!;
      case TCounterValRegH:
        return r[TReloadRegH]!;
      case TCounterValRegL:
        return r[TReloadRegL]!;
      default:
        return r[reg]!;
    }
  }

  /** Writes a register as the host would. */
  writeReg(reg: number, value: number): void {
    reg &= 0x3f;
    value &= 0xff;
    this.stats.writes++;
    const r = this.#regs;
    switch (reg) {
      case CommandReg:
        r[CommandReg] = (r[CommandReg]! & 0xc0) | (value & 0x3f);
        this.#command(value & 0x0f);
        return;
      case ComIrqReg:
        r[reg] = value & 0x80 ? r[reg]! | (value & 0x7f) : r[reg]! & ~value & 0x7f;
        return;
      case DivIrqReg:
        r[reg] = value & 0x80 ? r[reg]! | (value & 0x7f) : r[reg]! & ~value & 0x7f;
        return;
      case FIFODataReg:
        this.#push(value);
        return;
      case FIFOLevelReg:
        if (value & 0x80) {
          this.#flush();
          r[ErrorReg] = r[ErrorReg]! & ~Err.BufferOvfl;
        }
        return;
      case ErrorReg:
      case 0x07:
      case VersionReg:
      case CRCResultRegH:
      case CRCResultRegL:
      case TCounterValRegH:
      case TCounterValRegL:
        return; // read-only
      case ControlReg:
        r[reg] = (r[reg]! & 0x07) | (value & 0xf8 & ~0xc0);
        return;
      case CollReg:
        r[reg] = (r[reg]! & 0x7f) | (value & ValuesAfterColl);
        return;
      case BitFramingReg:
        r[reg] = value & 0x7f;
        if ((value & StartSend) && (r[CommandReg]! & 0x0f) === Cmd.Transceive) this.#transceive();
        return;
      case TxControlReg:
        r[reg] = value;
        this.field.setAntenna((value & 0x03) !== 0);
        return;
      case SerialSpeedReg:
        if (this.#serialSwitch) r[reg] = value;
        return;
      default:
        r[reg] = value;
    }
  }

  #command(cmd: number): void {
    const r = this.#regs;
    switch (cmd) {
      case Cmd.SoftReset:
        this.stats.softResets++;
        this.#reset();
        this.#wakeUp = this.#wakeUpReads;
        return;
      case Cmd.Idle:
        this.#busy = 0;
        return;
      case Cmd.CalcCRC: {
        this.stats.crcRuns++;
        let crc = CRC_PRESETS[r[ModeReg]! & 3]!;
        while (this.#fifoLen > 0) {
          crc ^= this.#pop();
          for (let b = 0; b < 8; b++) crc = (crc & 1) ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
        }
        r[CRCResultRegH] = crc >>> 8;
        r[CRCResultRegL] = crc & 0xff;
        r[DivIrqReg] = r[DivIrqReg]! | CRCIRq;
        return;
      }
      case Cmd.Mem:
        if (this.#fifoLen >= 25) { for (let i = 0; i < 25; i++) this.#mem[i] = this.#pop(); }
        else for (let i = 0; i < 25; i++) this.#push(this.#mem[i]!);
        r[ComIrqReg] = r[ComIrqReg]! | Irq.Idle;
        return;
      case Cmd.GenerateRandomId:
        for (let i = 0; i < 10; i++) this.#mem[i] = this.field.rng.int(256);
        r[ComIrqReg] = r[ComIrqReg]! | Irq.Idle;
        return;
      case Cmd.MFAuthent:
        r[ErrorReg] = Err.ProtocolErr;
        r[ComIrqReg] = r[ComIrqReg]! | Irq.Err | Irq.Idle;
        return;
      case Cmd.Transmit:
        this.#send(false);
        return;
      case Cmd.Receive:
        this.#finishNoAnswer();
        return;
    }
  }

  /** Sends the FIFO into the field; returns the number of frame bits. */
  #send(listen: boolean): void {
    const r = this.#regs;
    this.stats.transceives++;
    const last = r[BitFramingReg]! & 7;
    let n = 0;
    while (this.#fifoLen > 0) this.#tx[n++] = this.#pop();
    let bits = n === 0 ? 0 : (n - 1) * 8 + (last === 0 ? 8 : last);
    if ((r[TxModeReg]! & 0x80) && last === 0 && n > 0) {
      const crc = crcA(this.#tx, 0, n);
      this.#tx[n] = crc & 0xff;
      this.#tx[n + 1] = crc >>> 8;
      bits += 16;
    }
    r[ErrorReg] = 0;
    if (this.onFrame !== null) this.onFrame(this.#tx.slice(0, (bits + 7) >> 3), bits);
    const ans = this.#ans;
    ans.length = 0;
    const audible = this.field.antenna && (r[TxASKReg]! & Force100ASK) !== 0;
    if (audible && bits > 0) {
      this.field.transceive(this.#tx, bits, (r[RFCfgReg]! >> 4) & 7, ans);
    }
    r[ComIrqReg] = r[ComIrqReg]! | Irq.Tx;
    if (!listen) {
      r[ComIrqReg] = r[ComIrqReg]! | Irq.Idle;
      return;
    }
    if (ans.length === 0) this.#finishNoAnswer();
    else this.#receive();
  }

  #transceive(): void {
    this.#send(true);
  }

  #finishNoAnswer(): void {
    this.#stagedIrq = this.timerMs() > 0 ? Irq.Timer : 0;
    this.#stagedErr = 0;
    this.#stagedColl = this.#regs[CollReg]! & ValuesAfterColl | CollPosNotValid;
    this.#stagedLen = 0;
    this.#stagedLast = 0;
    this.#stage();
  }

  /** Places the field's answer on the FIFO bit grid at RxAlign and sets status registers. */
  #receive(): void {
    const r = this.#regs;
    const ans = this.#ans;
    const align = (r[BitFramingReg]! >> 4) & 7;
    const keepAfterColl = (r[CollReg]! & ValuesAfterColl) !== 0;
    const total = align + ans.length;
    let nbytes = (total + 7) >> 3;
    const out = this.#staged;
    for (let i = 0; i < nbytes; i++) out[i] = 0;
    for (let i = 0; i < ans.length; i++) {
      if (ans.collisionAt >= 0 && i >= ans.collisionAt && !keepAfterColl) break;
      const bit = (ans.bits[i >> 3]! >> (i & 7)) & 1;
      const p = align + i;
      out[p >> 3] = out[p >> 3]! | (bit << (p & 7));
    }
    let err = 0;
    let coll = r[CollReg]! & ValuesAfterColl;
    if (ans.collisionAt >= 0) {
      err |= Err.CollErr;
      const pos = align + ans.collisionAt + 1;
      coll |= pos <= 32 ? pos & 0x1f : CollPosNotValid;
    } else coll |= CollPosNotValid;
    if (ans.parityError) err |= Err.ParityErr;
    if ((r[RxModeReg]! & 0x80) && nbytes >= 3 && (total & 7) === 0) {
      const crc = crcA(out, 0, nbytes - 2);
      if (out[nbytes - 2] !== (crc & 0xff) || out[nbytes - 1] !== crc >>> 8) err |= Err.CRCErr;
      nbytes -= 2;
    }
    this.#stagedIrq = Irq.Rx | (err ? Irq.Err : 0);
    this.#stagedErr = err;
    this.#stagedColl = coll;
    this.#stagedLen = nbytes;
    this.#stagedLast = total & 7;
    this.#stage();
  }

  #stage(): void {
    if (this.pollsBeforeDone > 0) this.#busy = this.pollsBeforeDone + 1;
    else this.#commit();
  }

  #commit(): void {
    const r = this.#regs;
    this.#busy = 0;
    r[ComIrqReg] = r[ComIrqReg]! | this.#stagedIrq;
    r[ErrorReg] = r[ErrorReg]! | this.#stagedErr;
    r[CollReg] = this.#stagedColl;
    r[ControlReg] = (r[ControlReg]! & 0xf8) | this.#stagedLast;
    for (let i = 0; i < this.#stagedLen; i++) this.#push(this.#staged[i]!);
  }
}
