/**
 * SPI transport through Linux spidev. The address byte is `(reg << 1) & 0x7E`,
 * with bit 7 set to read. A burst write is one transfer (`addr d0 d1 …`); a run
 * of reads is one transfer (`a0 a1 … 00`, answers shifted by one byte). Every
 * transfer is one `SPI_IOC_MESSAGE(1)` ioctl with a 32-byte `spi_ioc_transfer`
 * built once and patched (length) per transfer, so running a batch allocates
 * nothing.
 *
 * The ioctl layer is injectable ({@link SpiIoctl}): production uses libc
 * through `Deno.dlopen` ({@link libcSpiIoctl}); tests use the chip
 * simulator's fake spidev, which reads the same transfer structure and the
 * memory its pointers name, like the kernel does.
 *
 * @module
 */

import { cString, errno, libc, O } from "../libc.ts";
import {
  BATCH_CLOSED,
  BATCH_IO_ERROR,
  BATCH_OK,
  newTransportStats,
  OP_WRITE,
  Rc522Error,
  type Rc522Transport,
  type RegBatch,
  type TransportStats,
} from "./transport.ts";

/** `SPI_IOC_MESSAGE(1)`: one `spi_ioc_transfer`. */
export const SPI_IOC_MESSAGE_1 = 0x40206b00;
/** `SPI_IOC_WR_MODE` (u8). */
export const SPI_IOC_WR_MODE = 0x40016b01;
/** `SPI_IOC_WR_BITS_PER_WORD` (u8). */
export const SPI_IOC_WR_BITS_PER_WORD = 0x40016b03;
/** `SPI_IOC_WR_MAX_SPEED_HZ` (u32). */
export const SPI_IOC_WR_MAX_SPEED_HZ = 0x40046b04;
/** Size of `struct spi_ioc_transfer`. */
export const SPI_TRANSFER_SIZE = 32;
/** Fastest SPI clock the MFRC522 supports. */
export const SPI_MAX_SPEED_HZ = 10_000_000;
/** Largest single transfer the transport builds. */
export const SPI_MAX_TRANSFER = 256;

/** Offsets in `struct spi_ioc_transfer`. */
export const SpiTransferLayout = {
  txBuf: 0,
  rxBuf: 8,
  len: 16,
  speedHz: 20,
  delayUsecs: 24,
  bitsPerWord: 26,
  csChange: 27,
  txNbits: 28,
  rxNbits: 29,
  wordDelayUsecs: 30,
  pad: 31,
} as const;

/** The system calls the spidev transport makes; replaced by a fake in tests. */
export interface SpiIoctl {
  /** Opens the device; returns a file descriptor, or `-errno`. */
  open(path: string): number;
  /** `ioctl(fd, request, arg)`; returns ≥ 0, or `-errno`. */
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  /** Closes the descriptor. */
  close(fd: number): void;
}

/** The real spidev system calls (libc through FFI; needs `--allow-ffi`). */
export function libcSpiIoctl(): SpiIoctl {
  const c = libc();
  // ioctl's request is an unsigned long; keep one BigInt per request so a call allocates nothing.
  const requests = new Map<number, bigint>();
  return {
    open(path) {
      const fd = c.open(cString(path), O.RDWR | O.CLOEXEC, 0);
      return fd < 0 ? -errno() : fd;
    },
    ioctl(fd, request, arg) {
      let req = requests.get(request);
      if (req === undefined) requests.set(request, req = BigInt(request));
      const r = c.ioctl(fd, req, arg);
      return r < 0 ? -errno() : r;
    },
    close(fd) {
      c.close(fd);
    },
  };
}

/** Options of {@link SpidevTransport.open}. */
export interface SpidevOptions {
  /** SPI clock in Hz (≤ 10 MHz); default 4 MHz. */
  speedHz?: number;
  /** The ioctl layer; default {@link libcSpiIoctl}. */
  ioctl?: SpiIoctl;
}

const ERRNO_TEXT: Record<number, string> = {
  2: "no such device (is SPI enabled, e.g. dtparam=spi=on?)",
  13: "permission denied (add the user to the spi group)",
  16: "device busy",
  19: "no such device",
};

/** A register transport over one spidev device. */
export class SpidevTransport implements Rc522Transport {
  /** `spi:<device>`. */
  readonly description: string;
  /** Always true: ioctls are synchronous. */
  readonly synchronous = true;
  /** Counters. */
  readonly stats: TransportStats = newTransportStats();
  /** SPI clock in Hz. */
  readonly speedHz: number;
  readonly #io: SpiIoctl;
  #fd: number;
  readonly #tx = new Uint8Array(new ArrayBuffer(SPI_MAX_TRANSFER));
  readonly #rx = new Uint8Array(new ArrayBuffer(SPI_MAX_TRANSFER));
  readonly #xfer = new Uint8Array(new ArrayBuffer(SPI_TRANSFER_SIZE));
  readonly #xferView = new DataView(this.#xfer.buffer);

  private constructor(device: string, fd: number, io: SpiIoctl, speedHz: number) {
    this.description = `spi:${device}`;
    this.#fd = fd;
    this.#io = io;
    this.speedHz = speedHz;
    const v = this.#xferView;
    v.setBigUint64(
      SpiTransferLayout.txBuf,
      BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#tx))),
      true,
    );
    v.setBigUint64(
      SpiTransferLayout.rxBuf,
      BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#rx))),
      true,
    );
    v.setUint32(SpiTransferLayout.speedHz, speedHz, true);
    v.setUint8(SpiTransferLayout.bitsPerWord, 8);
  }

  /**
   * Opens a spidev device in mode 0, 8 bits per word, at `speedHz`.
   * Throws {@link Rc522Error} naming the device and the reason.
   */
  static open(device: string, options: SpidevOptions = {}): SpidevTransport {
    const speedHz = options.speedHz ?? 4_000_000;
    if (!Number.isInteger(speedHz) || speedHz < 10_000 || speedHz > SPI_MAX_SPEED_HZ) {
      throw new Rc522Error(
        "config",
        `rc522 spi:${device}: speedHz ${speedHz} out of range (10000 to ${SPI_MAX_SPEED_HZ})`,
      );
    }
    const io = options.ioctl ?? libcSpiIoctl();
    const fd = io.open(device);
    if (fd < 0) {
      throw new Rc522Error(
        "open",
        `rc522 spi:${device}: cannot open: ${ERRNO_TEXT[-fd] ?? `errno ${-fd}`}`,
      );
    }
    const setup = (req: number, arg: Uint8Array, what: string) => {
      const r = io.ioctl(fd, req, arg);
      if (r < 0) {
        io.close(fd);
        throw new Rc522Error("open", `rc522 spi:${device}: cannot set ${what}: errno ${-r}`);
      }
    };
    setup(SPI_IOC_WR_MODE, new Uint8Array(new ArrayBuffer(1)), "mode 0");
    setup(SPI_IOC_WR_BITS_PER_WORD, new Uint8Array([8]), "8 bits per word");
    const speed = new Uint8Array(new ArrayBuffer(4));
    new DataView(speed.buffer).setUint32(0, speedHz, true);
    setup(SPI_IOC_WR_MAX_SPEED_HZ, speed, `speed ${speedHz} Hz`);
    return new SpidevTransport(device, fd, io, speedHz);
  }

  #transfer(len: number, b: RegBatch): boolean {
    this.#xferView.setUint32(SpiTransferLayout.len, len, true);
    const r = this.#io.ioctl(this.#fd, SPI_IOC_MESSAGE_1, this.#xfer);
    this.stats.transfers++;
    if (r < 0) {
      b.status = BATCH_IO_ERROR;
      b.errno = -r;
      this.stats.errors++;
      this.stats.lastError = BATCH_IO_ERROR;
      return false;
    }
    return true;
  }

  /** Runs a batch: one transfer per burst write or per run of reads. */
  run(b: RegBatch): void {
    b.status = BATCH_OK;
    b.errno = 0;
    if (this.#fd < 0) {
      b.status = BATCH_CLOSED;
      return;
    }
    const tx = this.#tx;
    const rx = this.#rx;
    const n = b.length;
    let i = 0;
    while (i < n) {
      if (b.kind[i] === OP_WRITE) {
        const reg = b.reg[i]!;
        tx[0] = (reg << 1) & 0x7e;
        let len = 1;
        while (i < n && b.kind[i] === OP_WRITE && b.reg[i] === reg && len < SPI_MAX_TRANSFER) {
          tx[len++] = b.value[i++]!;
        }
        if (!this.#transfer(len, b)) return;
      } else {
        const start = i;
        let len = 0;
        while (i < n && b.kind[i] !== OP_WRITE && len < SPI_MAX_TRANSFER - 1) {
          tx[len++] = 0x80 | ((b.reg[i++]! << 1) & 0x7e);
        }
        tx[len++] = 0;
        if (!this.#transfer(len, b)) return;
        for (let k = start; k < i; k++) b.value[k] = rx[k - start + 1]!;
      }
    }
    this.stats.ops += n;
  }

  /** Closes the device (idempotent). */
  close(): Promise<void> {
    if (this.#fd >= 0) {
      this.#io.close(this.#fd);
      this.#fd = -1;
    }
    return Promise.resolve();
  }
}
