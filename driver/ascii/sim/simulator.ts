/**
 * A simulated ASCII 125 kHz reader: writes frames into the master end of a
 * pty, as a real reader writes them into a serial line, with optional
 * splitting and noise so the decoder's resynchronisation is exercised.
 *
 * @module
 */

import { encodeAsciiFrame } from "../frame.ts";
import { encodeLine } from "../line.ts";

/** Where the simulator writes (a pty master). */
export interface ByteSink {
  /** Writes all bytes. */
  write(data: Uint8Array): Promise<void>;
}

/** How a frame is put on the line. */
export interface TapOptions {
  /** CR LF before ETX (ID-12 style). */
  crlf?: boolean;
  /** Send a wrong checksum (the decoder must drop the frame). */
  badChecksum?: boolean;
  /** Split the frame into writes of this many bytes. */
  chunk?: number;
  /** Random bytes (never STX) written before the frame. */
  noiseBefore?: number;
}

/** A deterministic byte source for noise (e.g. the tests' seeded PRNG). */
export type NoiseSource = () => number;

/** Simulated RDM6300 / ID-12 style reader on a byte sink. */
export class AsciiReaderSimulator {
  readonly #sink: ByteSink;
  readonly #noise: NoiseSource;

  /** Writes into `sink`; `noise` yields random byte values (default Math.random). */
  constructor(sink: ByteSink, noise: NoiseSource = () => Math.floor(Math.random() * 256)) {
    this.#sink = sink;
    this.#noise = noise;
  }

  /** A card is held to the reader: writes one frame for the 5-byte `id`. */
  async tap(id: bigint | Uint8Array, options: TapOptions = {}): Promise<void> {
    const frame = encodeAsciiFrame(id, options);
    if (options.noiseBefore) await this.noise(options.noiseBefore);
    const chunk = options.chunk ?? frame.length;
    for (let i = 0; i < frame.length; i += chunk) {
      await this.#sink.write(frame.subarray(i, i + chunk));
    }
  }

  /** Writes `count` noise bytes (never STX, so no frame is started by accident). */
  async noise(count: number): Promise<void> {
    const bytes = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      let b = this.#noise() & 0xff;
      if (b === 0x02) b = 0x20;
      bytes[i] = b;
    }
    await this.#sink.write(bytes);
  }
}

/** Simulated one-code-per-line reader on a byte sink. */
export class LineReaderSimulator {
  readonly #sink: ByteSink;

  /** Writes into `sink`. */
  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  /** Writes `code` followed by a line ending. */
  tap(code: string, ending: "\r\n" | "\n" | "\r" = "\r\n"): Promise<void> {
    return this.#sink.write(encodeLine(code, ending));
  }
}
