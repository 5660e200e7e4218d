/**
 * A fake spidev for the chip simulator: implements the {@link SpiIoctl} layer
 * the real transport calls, and does what the kernel driver and the chip's SPI
 * slave would do. For `SPI_IOC_MESSAGE(1)` it decodes the 32-byte
 * `spi_ioc_transfer`, reads the bytes at its `tx_buf` address, and writes the
 * chip's answer at its `rx_buf` address, so everything above the ioctl (the
 * transfer structure, the buffers, the address bytes) is the real code.
 *
 * Memory views over the transfer buffers are created once per buffer address
 * and cached, so steady-state transfers allocate nothing.
 *
 * @module
 */

import {
  SPI_IOC_MESSAGE_1,
  SPI_IOC_WR_BITS_PER_WORD,
  SPI_IOC_WR_MAX_SPEED_HZ,
  SPI_IOC_WR_MODE,
  SPI_MAX_SPEED_HZ,
  type SpiIoctl,
} from "../spi.ts";
import type { Rc522Sim } from "./chip.ts";
import { E } from "../../libc.ts";

/** Options of {@link SimSpidev}. */
export interface SimSpidevOptions {
  /** What MISO reads with no chip on the bus (0x00 pulled down, 0xFF floating high). Used when the chip is null. */
  floating?: number;
  /** The device does not exist (`open` fails with ENOENT). */
  missing?: boolean;
  /** Fail every transfer with this errno (e.g. 5 = EIO, device unplugged). */
  failTransfersWith?: number;
}

const CACHE = 4;

/** The fake spidev device. */
export class SimSpidev implements SpiIoctl {
  /** The chip on the bus, or null for an empty bus. */
  chip: Rc522Sim | null;
  /** SPI mode set by the host (-1 until set). */
  mode: number = -1;
  /** Bits per word set by the host. */
  bitsPerWord = 0;
  /** Max speed set by the host. */
  speedHz = 0;
  /** SPI_IOC_MESSAGE transfers done. */
  transfers = 0;
  /** Bytes clocked. */
  bytes = 0;
  /** Path opened last. */
  path = "";
  /** Whether the device is open. */
  isOpen = false;
  /** Errno every transfer fails with (0: none). */
  failTransfersWith: number;
  /** Called after each transfer with copies of MOSI and MISO bytes and the speed field; for tests. */
  onTransfer: ((mosi: Uint8Array, miso: Uint8Array, speedHz: number) => void) | null = null;
  readonly #floating: number;
  readonly #missing: boolean;
  readonly #cLo = new Int32Array(CACHE);
  readonly #cHi = new Int32Array(CACHE);
  readonly #cCap = new Int32Array(CACHE);
  readonly #cView: Uint8Array[] = [];
  #cNext = 0;

  /** A bus with `chip` on it. */
  constructor(chip: Rc522Sim | null, options: SimSpidevOptions = {}) {
    this.chip = chip;
    this.#floating = options.floating ?? 0xff;
    this.#missing = options.missing ?? false;
    this.failTransfersWith = options.failTransfersWith ?? 0;
    for (let i = 0; i < CACHE; i++) this.#cView.push(new Uint8Array(0));
  }

  /** Opens the fake device. */
  open(path: string): number {
    if (this.#missing) return -2;
    this.path = path;
    this.isOpen = true;
    return 3;
  }

  /** Closes the fake device. */
  close(_fd: number): void {
    this.isOpen = false;
  }

  #view(lo: number, hi: number, len: number): Uint8Array {
    for (let i = 0; i < CACHE; i++) {
      if (this.#cLo[i] === lo && this.#cHi[i] === hi && this.#cCap[i]! >= len) {
        return this.#cView[i]!;
      }
    }
    const i = this.#cNext;
    this.#cNext = (i + 1) % CACHE;
    const addr = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    const ptr = Deno.UnsafePointer.create(addr);
    if (!ptr) throw new Error("fake spidev: null buffer pointer");
    const view = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(ptr, len));
    this.#cLo[i] = lo;
    this.#cHi[i] = hi;
    this.#cCap[i] = len;
    this.#cView[i] = view;
    return view;
  }

  /** The ioctls a spidev device answers. */
  ioctl(_fd: number, request: number, arg: Uint8Array): number {
    if (!this.isOpen) return -9; // EBADF
    switch (request) {
      case SPI_IOC_WR_MODE:
        this.mode = arg[0]!;
        return 0;
      case SPI_IOC_WR_BITS_PER_WORD:
        this.bitsPerWord = arg[0]!;
        return 0;
      case SPI_IOC_WR_MAX_SPEED_HZ:
        this.speedHz = (arg[0]! | (arg[1]! << 8) | (arg[2]! << 16) | (arg[3]! << 24)) >>> 0;
        return 0;
      case SPI_IOC_MESSAGE_1:
        return this.#message(arg);
      default:
        return -25; // ENOTTY
    }
  }

  #message(x: Uint8Array): number {
    if (this.failTransfersWith) return -this.failTransfersWith;
    const txLo = x[0]! | (x[1]! << 8) | (x[2]! << 16) | (x[3]! << 24);
    const txHi = x[4]! | (x[5]! << 8) | (x[6]! << 16) | (x[7]! << 24);
    const rxLo = x[8]! | (x[9]! << 8) | (x[10]! << 16) | (x[11]! << 24);
    const rxHi = x[12]! | (x[13]! << 8) | (x[14]! << 16) | (x[15]! << 24);
    const len = x[16]! | (x[17]! << 8) | (x[18]! << 16) | (x[19]! << 24);
    const speed = (x[20]! | (x[21]! << 8) | (x[22]! << 16) | (x[23]! << 24)) >>> 0;
    if (len <= 0 || len > 4096) return -E.EINVAL;
    if ((txLo | txHi) === 0 || (rxLo | rxHi) === 0) return -14; // EFAULT
    const tx = this.#view(txLo, txHi, len);
    const rx = this.#view(rxLo, rxHi, len);
    this.transfers++;
    this.bytes += len;
    const chip = this.chip;
    const effective = speed !== 0 ? speed : this.speedHz;
    if (!chip || this.mode !== 0 || this.bitsPerWord !== 8 || effective > SPI_MAX_SPEED_HZ) {
      // No chip, or a bus the chip cannot follow: MISO shows the line level.
      for (let i = 0; i < len; i++) rx[i] = this.#floating;
      return len;
    }
    this.#exchange(chip, tx, rx, len);
    if (this.onTransfer !== null) this.onTransfer(tx.slice(0, len), rx.slice(0, len), speed);
    return len;
  }

  #exchange(chip: Rc522Sim, tx: Uint8Array, rx: Uint8Array, len: number): void {
    const first = tx[0]!;
    rx[0] = 0;
    if (first & 0x80) {
      // Read: every byte but the last is an address; its data comes out on the next byte.
      for (let i = 0; i < len - 1; i++) {
        const a = tx[i]!;
        rx[i + 1] = a & 0x80 ? chip.readReg((a >> 1) & 0x3f) : 0;
      }
    } else {
      const reg = (first >> 1) & 0x3f;
      for (let i = 1; i < len; i++) {
        chip.writeReg(reg, tx[i]!);
        rx[i] = 0;
      }
    }
  }
}
