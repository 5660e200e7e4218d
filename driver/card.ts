/**
 * The card read every decoder fills: one reused object per decoder, written in
 * place so the per-byte and per-bit loops allocate nothing.
 *
 * What the id is, per reader kind:
 * - ASCII 125 kHz: the 5 bytes of the frame (customer/version byte + 4 card bytes).
 * - line: the number printed on the line (decimal or hex), as big-endian bytes.
 * - Wiegand (and OSDP raw bits): the format's data bits without parity
 *   (facility and card concatenated) for known formats, all bits for raw frames.
 * - OSDP formatted (`osdp_FMT`): the ASCII card number's value.
 * - RC522: the UID bytes in the order the card sends them (4, 7 or 10 bytes).
 *
 * @module
 */

/** Largest id a decoder may report, in bytes (128 Wiegand bits). */
export const MAX_ID_BYTES = 16;

/** One decoded card, owned by the caller and overwritten by each decode. */
export class CardRead {
  /** Id bytes, most significant first, in `data[0 .. byteLength)`. */
  readonly data: Uint8Array = new Uint8Array(MAX_ID_BYTES);
  /** Number of id bytes in {@link data}. */
  byteLength = 0;
  /** Number of meaningful bits in the id (the low bits of the byte string). */
  bitLength = 0;
  /** Facility code when the format has one, else -1. */
  facility: number = -1;
  /** Card number field when the format has one, else -1. */
  card: number = -1;
  /** Name of the format the id was decoded with (a constant string, e.g. `"em4100"`, `"h10301"`). */
  format = "";

  /** {@link data} as four 32-bit words: {@link reset} clears it in four stores, not a `fill` call. */
  readonly #words: Int32Array = new Int32Array(this.data.buffer, this.data.byteOffset, 4);

  /** Clears the read so a decoder can fill it afresh. */
  reset(): void {
    const w = this.#words;
    w[0] = 0;
    w[1] = 0;
    w[2] = 0;
    w[3] = 0;
    this.byteLength = 0;
    this.bitLength = 0;
    this.facility = -1;
    this.card = -1;
    this.format = "";
  }

  /** A copy of the id bytes (allocates; for use outside hot loops). */
  idBytes(): Uint8Array {
    return this.data.slice(0, this.byteLength);
  }

  /** The id as an unsigned big integer (allocates; for use outside hot loops). */
  idBigInt(): bigint {
    let v = 0n;
    for (let i = 0; i < this.byteLength; i++) v = (v << 8n) | BigInt(this.data[i]!);
    return v;
  }

  /** Copies another read into this one. */
  copyFrom(other: CardRead): void {
    this.data.set(other.data);
    this.byteLength = other.byteLength;
    this.bitLength = other.bitLength;
    this.facility = other.facility;
    this.card = other.card;
    this.format = other.format;
  }
}

/**
 * Sets `read`'s id from a non-negative integer value of `bits` bits, big-endian,
 * without allocating for values that fit in a double's 53 bits.
 */
export function setIdFromNumber(read: CardRead, value: number, bits: number): void {
  const bytes = Math.max(1, Math.ceil(bits / 8));
  read.byteLength = bytes;
  read.bitLength = bits;
  let v = value;
  for (let i = bytes - 1; i >= 0; i--) {
    read.data[i] = v % 256;
    v = Math.floor(v / 256);
  }
}
