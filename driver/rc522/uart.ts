/**
 * UART transport: the chip's serial interface (8N1, 9600 baud after reset).
 * Address byte: bit 7 set to read, bits 5–0 the register. A read is answered
 * with the data byte; a write (address, data) is answered with the address
 * byte as an echo. A whole batch is pipelined: one write of every op, then the
 * answers read back in order (one round trip per batch).
 *
 * {@link UartTransport.switchSpeed} moves to a faster rate safely: write
 * SerialSpeedReg, change our side, prove it by reading VersionReg, and fall
 * back to the old rate (putting the chip back too) when the proof fails.
 *
 * @module
 */

import { SerialPort } from "../serial/port.ts";
import { SERIAL_RESET_BAUD, SERIAL_SPEEDS, SerialSpeedReg, VersionReg } from "./registers.ts";
import {
  BATCH_BAD_REPLY,
  BATCH_CLOSED,
  BATCH_IO_ERROR,
  BATCH_OK,
  BATCH_TIMEOUT,
  newTransportStats,
  OP_WRITE,
  Rc522Error,
  type Rc522Transport,
  RegBatch,
  type TransportStats,
} from "./transport.ts";

/** What the UART transport needs from a serial port ({@link SerialPort} fits). */
export interface SerialLike {
  /** Reads ≥ 1 byte; 0 on timeout or after close. */
  read(buf: Uint8Array<ArrayBuffer>, timeoutMs?: number): Promise<number>;
  /** Writes all bytes. */
  write(data: Uint8Array): Promise<void>;
  /** Closes the port. */
  close(): Promise<void>;
  /** Changes our side's baud rate. */
  setBaudRate?(baudRate: number): void;
}

/** Options of {@link UartTransport}. */
export interface UartOptions {
  /** Extra time allowed for the chip's answers beyond the bytes' airtime, ms (default 200). */
  replyTimeoutMs?: number;
}

/** Outcome of {@link UartTransport.switchSpeed}. */
export interface SpeedSwitchResult {
  /** The rate in force now on both sides. */
  baudRate: number;
  /** Whether the requested rate is in force. */
  switched: boolean;
  /** What happened, for the log. */
  message: string;
}

/** A register transport over the chip's UART. */
export class UartTransport implements Rc522Transport {
  /** `uart:<port>`. */
  readonly description: string;
  /** Always false: every batch is a serial round trip. */
  readonly synchronous = false;
  /** Counters. */
  readonly stats: TransportStats = newTransportStats();
  readonly #port: SerialLike;
  #baud: number;
  readonly #replyTimeoutMs: number;
  readonly #tx = new Uint8Array(2 * 160);
  readonly #rx = new Uint8Array(512);
  readonly #chunk = new Uint8Array(512);
  #closed = false;
  readonly #probe = new RegBatch();

  /** Wraps an open port whose line runs at `baudRate`. */
  constructor(port: SerialLike, description: string, baudRate: number, options: UartOptions = {}) {
    this.#port = port;
    this.description = `uart:${description}`;
    this.#baud = baudRate;
    this.#replyTimeoutMs = options.replyTimeoutMs ?? 200;
  }

  /** Opens `path` at the chip's reset rate (9600 8N1). */
  static async open(path: string, options: UartOptions = {}): Promise<UartTransport> {
    const port = await SerialPort.open(path, { baudRate: SERIAL_RESET_BAUD });
    return new UartTransport(port, path, SERIAL_RESET_BAUD, options);
  }

  /** The line rate in force. */
  get baudRate(): number {
    return this.#baud;
  }

  /** Runs a batch in one round trip; never rejects. */
  async run(b: RegBatch): Promise<void> {
    b.status = BATCH_OK;
    b.errno = 0;
    if (this.#closed) {
      b.status = BATCH_CLOSED;
      return;
    }
    const tx = this.#tx;
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      const reg = b.reg[i]! & 0x3f;
      if (b.kind[i] === OP_WRITE) {
        tx[n++] = reg;
        tx[n++] = b.value[i]!;
      } else tx[n++] = 0x80 | reg;
    }
    const want = b.length;
    this.stats.transfers++;
    try {
      await this.#port.write(tx.subarray(0, n));
      const got = await this.#collect(want, n);
      if (got < want) {
        this.#fail(b, got === -1 ? BATCH_CLOSED : BATCH_TIMEOUT);
        if (got >= 0) await this.drain();
        return;
      }
    } catch (err) {
      this.#fail(b, BATCH_IO_ERROR);
      b.errno = (err as { errno?: number }).errno ?? 0;
      return;
    }
    const rx = this.#rx;
    for (let i = 0; i < want; i++) {
      if (b.kind[i] === OP_WRITE) {
        if (rx[i] !== (b.reg[i]! & 0x3f)) {
          this.#fail(b, BATCH_BAD_REPLY);
          await this.drain();
          return;
        }
      } else b.value[i] = rx[i]!;
    }
    this.stats.ops += want;
  }

  #fail(b: RegBatch, status: number): void {
    b.status = status;
    this.stats.errors++;
    this.stats.lastError = status;
  }

  /** Reads `want` answer bytes; returns the count (short on timeout), -1 when closed. */
  async #collect(want: number, sent: number): Promise<number> {
    const airMs = ((sent + want) * 10 * 1000) / this.#baud;
    const deadline = Date.now() + this.#replyTimeoutMs + 2 * airMs;
    let got = 0;
    while (got < want) {
      const left = deadline - Date.now();
      if (left <= 0) return got;
      const k = await this.#port.read(this.#chunk, Math.ceil(left));
      if (k === 0) {
        if (this.#closed) return -1;
        continue;
      }
      for (let i = 0; i < k && got < this.#rx.length; i++) this.#rx[got++] = this.#chunk[i]!;
    }
    return got;
  }

  /** Discards whatever the line still delivers (quiet for `quietMs`). */
  async drain(quietMs = 20): Promise<void> {
    while (!this.#closed && (await this.#port.read(this.#chunk, quietMs)) > 0) {
      // discard
    }
  }

  async #version(): Promise<number> {
    const b = this.#probe;
    b.clear();
    b.read(VersionReg);
    await this.run(b);
    return b.status === BATCH_OK ? b.value[0]! : -1;
  }

  #setOurs(baud: number): void {
    this.#port.setBaudRate!(baud);
    this.#baud = baud;
  }

  async #writeSpeed(value: number): Promise<void> {
    const b = this.#probe;
    b.clear();
    b.write(SerialSpeedReg, value);
    await this.run(b); // the echo may come at either rate: its status does not matter
    await this.drain();
  }

  /**
   * Switches both sides to `baudRate` (one of the chip's rates) and proves it
   * with a VersionReg read; on failure returns to the old rate. Throws
   * {@link Rc522Error} only when the chip answers at neither rate.
   */
  async switchSpeed(baudRate: number): Promise<SpeedSwitchResult> {
    const old = this.#baud;
    if (baudRate === old) {
      return { baudRate, switched: true, message: `already at ${baudRate} baud` };
    }
    const value = SERIAL_SPEEDS[baudRate];
    if (value === undefined) {
      throw new Rc522Error(
        "config",
        `rc522 ${this.description}: ${baudRate} baud is not a rate the chip supports ` +
          `(${Object.keys(SERIAL_SPEEDS).join(", ")})`,
      );
    }
    if (!this.#port.setBaudRate) {
      return { baudRate: old, switched: false, message: "port cannot change speed; staying" };
    }
    const version = await this.#version();
    if (version < 0) {
      throw new Rc522Error(
        "uart-speed",
        `rc522 ${this.description}: chip not answering at ${old} baud`,
      );
    }
    await this.#writeSpeed(value);
    this.#setOurs(baudRate);
    await this.drain();
    if ((await this.#version()) === version) {
      return { baudRate, switched: true, message: `switched to ${baudRate} baud` };
    }
    // Proof failed: is the chip still at the old rate?
    this.#setOurs(old);
    await this.drain();
    if ((await this.#version()) === version) {
      return {
        baudRate: old,
        switched: false,
        message: `chip ignored SerialSpeedReg (a clone?): staying at ${old} baud`,
      };
    }
    // It switched but does not answer well at the new rate: put it back.
    this.#setOurs(baudRate);
    await this.#writeSpeed(SERIAL_SPEEDS[old] ?? 0xeb);
    this.#setOurs(old);
    await this.drain();
    if ((await this.#version()) === version) {
      return {
        baudRate: old,
        switched: false,
        message: `${baudRate} baud did not work reliably: back at ${old} baud`,
      };
    }
    throw new Rc522Error(
      "uart-speed",
      `rc522 ${this.description}: lost contact after switching to ${baudRate} baud; ` +
        `power-cycle the reader`,
    );
  }

  /** Closes the port (a waiting read resolves at once). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#port.close();
  }
}
