/**
 * `ascii` and `line` readers: a serial port read by the real decoder.
 *
 * @module
 */

import { AsciiFrameDecoder } from "../../driver/ascii/frame.ts";
import { LineDecoder } from "../../driver/ascii/line.ts";
import type { CaptureTap } from "../../driver/capture/tap.ts";
import type { ByteDecoder } from "../../driver/decoder.ts";
import { pumpDecoder } from "../../driver/serial_pump.ts";
import { SerialPort } from "../../driver/serial/port.ts";
import type { ReaderDriver, ReaderSink } from "./types.ts";

/** Serial options shared by `ascii` and `line` readers. */
export interface SerialReaderOptions {
  /** Reader name. */
  name: string;
  /** Device path. */
  port: string;
  /** Line settings. */
  baudRate: number;
  /** 7 or 8. */
  dataBits: 7 | 8;
  /** Parity. */
  parity: "none" | "even" | "odd";
  /** 1 or 2. */
  stopBits: 1 | 2;
  /** Kernel RS-485 mode. */
  rs485: boolean;
  /** Warnings (e.g. RS-485 unsupported). */
  onWarning?: (msg: string) => void;
}

/** A serial reader with a byte decoder. */
export class SerialDecoderReader implements ReaderDriver {
  readonly #opts: SerialReaderOptions;
  readonly #decoder: ByteDecoder;
  #port: SerialPort | undefined;
  #closed = false;

  /** Reads `opts.port` with `decoder`. */
  constructor(opts: SerialReaderOptions, decoder: ByteDecoder) {
    this.#opts = opts;
    this.#decoder = decoder;
  }

  /** Opens the port and pumps bytes into the decoder until closed. */
  async run(sink: ReaderSink): Promise<void> {
    if (this.#closed) return;
    const o = this.#opts;
    const port = await SerialPort.open(o.port, {
      baudRate: o.baudRate,
      dataBits: o.dataBits,
      parity: o.parity,
      stopBits: o.stopBits,
      rs485: o.rs485,
      onWarning: o.onWarning,
    });
    this.#port = port;
    if (this.#closed) {
      await port.close();
      return;
    }
    this.#decoder.reset();
    sink.onOpen();
    try {
      await pumpDecoder(port, this.#decoder, (read) => sink.onCard(o.name, read));
    } finally {
      await port.close();
    }
  }

  /** Closes the port (a waiting read resolves at once). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#port?.close();
  }

  /** Copies every chunk the port reads into `tap` (null: stops). */
  setTap(_reader: string, tap: CaptureTap | null): boolean {
    if (!this.#port || this.#port.closed) return false;
    this.#port.tap = tap;
    return true;
  }

  /** Checksum plus framing errors. */
  decodeErrors(): number {
    const c = this.#decoder.counters;
    return c.checksumErrors + c.framingErrors;
  }

  /** Decoder counters. */
  details(): Record<string, unknown> {
    const c = this.#decoder.counters;
    return {
      port: this.#opts.port,
      frames: c.frames,
      checksumErrors: c.checksumErrors,
      framingErrors: c.framingErrors,
      lastDecodeError: c.lastError || null,
    };
  }
}

/** An `ascii` reader. */
export function createAsciiReader(opts: SerialReaderOptions): ReaderDriver {
  return new SerialDecoderReader(opts, new AsciiFrameDecoder());
}

/** A `line` reader. */
export function createLineReader(
  opts: SerialReaderOptions & { base: "auto" | "dec" | "hex" },
): ReaderDriver {
  return new SerialDecoderReader(opts, new LineDecoder(opts.base));
}
