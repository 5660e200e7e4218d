/**
 * The read loop for serial card readers: bytes from a port into a
 * {@link ByteDecoder}, each completed card handed to a callback. One buffer is
 * allocated per loop, nothing per byte.
 *
 * @module
 */

import type { CardRead } from "./card.ts";
import type { ByteDecoder } from "./decoder.ts";

/** Anything that reads bytes like a {@link SerialPort}. */
export interface ByteSource {
  /** Resolves with ≥ 1 bytes, or 0 once closed (or on timeout). */
  read(buf: Uint8Array<ArrayBuffer>, timeoutMs?: number): Promise<number>;
  /** True once closed. */
  readonly closed: boolean;
}

/**
 * Reads `source` until it is closed, feeding every byte to `decoder` and
 * calling `onRead` for each card. Resolves when the source is closed; rejects
 * (with the port's error, e.g. `disconnected`) when reading fails.
 */
export async function pumpDecoder(
  source: ByteSource,
  decoder: ByteDecoder,
  onRead: (read: CardRead) => void,
  bufferSize = 256,
): Promise<void> {
  const buf = new Uint8Array(bufferSize);
  while (!source.closed) {
    const n = await source.read(buf);
    for (let i = 0; i < n; i++) {
      if (decoder.push(buf[i]!)) onRead(decoder.read);
    }
  }
}
