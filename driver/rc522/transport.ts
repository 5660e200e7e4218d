/**
 * Register transport: how the driver talks to the chip's registers, whatever
 * the bus. Work is described as a {@link RegBatch} (a preallocated list of
 * single writes, burst writes, reads and FIFO bursts) that a transport runs in
 * as few bus transfers as the bus allows: SPI merges a burst into one transfer
 * and a run of reads into one transfer; UART pipelines the whole batch in one
 * write and one read.
 *
 * Synchronous transports (spidev, the simulator) run a batch and return
 * `undefined`, so the poll loop allocates nothing; the UART transport returns
 * a promise. Failures are reported in {@link RegBatch.status}, never thrown.
 *
 * @module
 */

import { FIFODataReg, FIFOLevelReg, FlushBuffer } from "./registers.ts";

/** Batch op: write a register. */
export const OP_WRITE = 0;
/** Batch op: read a register. */
export const OP_READ = 1;

/** Batch status: every op done. */
export const BATCH_OK = 0;
/** Batch status: the bus failed (ioctl error, serial hang-up); see {@link RegBatch.errno}. */
export const BATCH_IO_ERROR = 1;
/** Batch status: the chip did not answer every op in time (UART). */
export const BATCH_TIMEOUT = 2;
/** Batch status: answers did not match the ops (UART write echo wrong). */
export const BATCH_BAD_REPLY = 3;
/** Batch status: the transport is closed. */
export const BATCH_CLOSED = 4;

/** Largest batch, in ops (a full FIFO plus the ops around it). */
export const BATCH_CAPACITY = 160;

/** A preallocated list of register ops, reused for every batch. */
export class RegBatch {
  /** {@link OP_WRITE} or {@link OP_READ} per op. */
  readonly kind: Uint8Array = new Uint8Array(BATCH_CAPACITY);
  /** Register number per op (0–63). */
  readonly reg: Uint8Array = new Uint8Array(BATCH_CAPACITY);
  /** Value written, or after the run the value read. */
  readonly value: Uint8Array = new Uint8Array(BATCH_CAPACITY);
  /** Number of ops. */
  length = 0;
  /** Outcome of the last run: {@link BATCH_OK} or another `BATCH_*` code. */
  status: number = BATCH_OK;
  /** Errno (or other detail) of the last failed run, else 0. */
  errno = 0;

  /** Empties the batch. */
  clear(): void {
    this.length = 0;
    this.status = BATCH_OK;
    this.errno = 0;
  }

  /** Adds a register write. */
  write(reg: number, value: number): void {
    const i = this.length;
    if (i >= BATCH_CAPACITY) return;
    this.kind[i] = OP_WRITE;
    this.reg[i] = reg;
    this.value[i] = value;
    this.length = i + 1;
  }

  /** Adds `len` writes of `src[off ..]` to one register (a FIFO burst). */
  writeBurst(reg: number, src: Uint8Array, off: number, len: number): void {
    for (let i = 0; i < len; i++) this.write(reg, src[off + i]!);
  }

  /** Adds a register read; returns the op index whose `value` holds the result. */
  read(reg: number): number {
    const i = this.length;
    if (i >= BATCH_CAPACITY) return BATCH_CAPACITY - 1;
    this.kind[i] = OP_READ;
    this.reg[i] = reg;
    this.value[i] = 0;
    this.length = i + 1;
    return i;
  }

  /** Adds `n` reads of one register (a FIFO burst); returns the first op index. */
  readBurst(reg: number, n: number): number {
    const first = this.length;
    for (let i = 0; i < n; i++) this.read(reg);
    return first;
  }
}

/** Counters every transport keeps. */
export interface TransportStats {
  /** Bus transfers (SPI ioctls, UART write/read round trips). */
  transfers: number;
  /** Register ops run. */
  ops: number;
  /** Batches that failed. */
  errors: number;
  /** Status code of the last failure (`BATCH_*`), 0 if none. */
  lastError: number;
}

/** Fresh zeroed {@link TransportStats}. */
export function newTransportStats(): TransportStats {
  return { transfers: 0, ops: 0, errors: 0, lastError: 0 };
}

/** A bus to the chip's registers. */
export interface Rc522Transport {
  /** Where it goes, e.g. `spi:/dev/spidev0.0`. */
  readonly description: string;
  /** True when {@link run} completes before returning (returns `undefined`). */
  readonly synchronous: boolean;
  /** Counters. */
  readonly stats: TransportStats;
  /** Runs the ops of `batch` in order, filling read values and `batch.status`. */
  run(batch: RegBatch): void | Promise<void>;
  /** Releases the bus (idempotent). */
  close(): Promise<void>;
}

/** A chip problem the driver reports (wiring, no chip, bus failure). */
export class Rc522Error extends Error {
  /** Short machine-readable reason. */
  readonly code: string;
  /** Creates an error with a reason code. */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "Rc522Error";
    this.code = code;
  }
}

const STATUS_TEXT = ["ok", "bus error", "timeout", "bad reply", "closed"];

/**
 * Convenient register access for set-up code (reset, init, version, speed
 * switch): one register op or burst at a time, awaited, failures thrown as
 * {@link Rc522Error}. Not for the poll loop (it allocates promises).
 */
export class RegisterAccess {
  /** The transport used. */
  readonly transport: Rc522Transport;
  readonly #batch = new RegBatch();

  /** Wraps a transport. */
  constructor(transport: Rc522Transport) {
    this.transport = transport;
  }

  async #run(what: string): Promise<RegBatch> {
    const b = this.#batch;
    const p = this.transport.run(b);
    if (p) await p;
    if (b.status !== BATCH_OK) {
      throw new Rc522Error(
        "bus",
        `rc522 ${this.transport.description}: ${what} failed: ${
          STATUS_TEXT[b.status] ?? b.status
        }` +
          (b.errno ? ` (errno ${b.errno})` : ""),
      );
    }
    return b;
  }

  /** Reads one register. */
  async read(reg: number): Promise<number> {
    this.#batch.clear();
    const i = this.#batch.read(reg);
    return (await this.#run(`read of register 0x${reg.toString(16)}`)).value[i]!;
  }

  /** Reads several registers in one batch. */
  async readMany(regs: readonly number[]): Promise<number[]> {
    this.#batch.clear();
    for (const r of regs) this.#batch.read(r);
    const b = await this.#run("register read");
    return Array.from(b.value.subarray(0, regs.length));
  }

  /** Writes one register. */
  async write(reg: number, value: number): Promise<void> {
    this.#batch.clear();
    this.#batch.write(reg, value);
    await this.#run(`write of register 0x${reg.toString(16)}`);
  }

  /** Writes several `[reg, value]` pairs in one batch. */
  async writeMany(pairs: readonly (readonly [number, number])[]): Promise<void> {
    this.#batch.clear();
    for (const [r, v] of pairs) this.#batch.write(r, v);
    await this.#run("register writes");
  }

  /** Sets bits in a register (read, modify, write). */
  async setBits(reg: number, mask: number): Promise<void> {
    await this.write(reg, (await this.read(reg)) | mask);
  }

  /** Clears bits in a register (read, modify, write). */
  async clearBits(reg: number, mask: number): Promise<void> {
    await this.write(reg, (await this.read(reg)) & ~mask & 0xff);
  }

  /** Flushes the FIFO and writes `bytes` into it (one burst). */
  async writeFifo(bytes: Uint8Array): Promise<void> {
    this.#batch.clear();
    this.#batch.write(FIFOLevelReg, FlushBuffer);
    this.#batch.writeBurst(FIFODataReg, bytes, 0, bytes.length);
    await this.#run("FIFO write");
  }

  /** Reads `n` bytes from the FIFO (one burst). */
  async readFifo(n: number): Promise<Uint8Array> {
    this.#batch.clear();
    this.#batch.readBurst(FIFODataReg, n);
    const b = await this.#run("FIFO read");
    return b.value.slice(0, n);
  }
}
