/**
 * From a card read to the `rfidTag` string iFlow matches against the RFID code
 * typed into the employee's profile. Each reader has a `tagFormat` because the
 * same card prints differently on different systems.
 *
 * @example
 * ```ts
 * import { CardRead, formatTag } from "@pontaj/pontaj/driver";
 * const read = new CardRead();
 * read.data.set([0x67, 0x00, 0x3b, 0x51, 0xc6]);
 * read.byteLength = 5;
 * read.bitLength = 40;
 * formatTag(read, "dec10"); // "0003887558"
 * ```
 *
 * @module
 */

import type { CardRead } from "./card.ts";

/** The tag formats a reader can be configured with. */
export const TAG_FORMATS = ["dec10", "dec", "hex", "hex-reversed", "fc-cn"] as const;

/** One of {@link TAG_FORMATS}. */
export type TagFormat = typeof TAG_FORMATS[number];

/** True when `s` names a tag format. */
export function isTagFormat(s: string): s is TagFormat {
  return (TAG_FORMATS as readonly string[]).includes(s);
}

const HEX = "0123456789ABCDEF";

function hexOf(read: CardRead, reversed: boolean): string {
  let s = "";
  for (let i = 0; i < read.byteLength; i++) {
    const b = read.data[reversed ? read.byteLength - 1 - i : i]!;
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

/** The low 32 bits of the id as an unsigned number. */
function low32(read: CardRead): number {
  let v = 0;
  const from = Math.max(0, read.byteLength - 4);
  for (let i = from; i < read.byteLength; i++) v = v * 256 + read.data[i]!;
  return v;
}

/**
 * Formats a card read as an `rfidTag`:
 * - `dec10`: low 32 bits as decimal, zero-padded to 10 digits (printed on most EM4100 cards);
 * - `dec`: the whole id as decimal, no padding;
 * - `hex`: the whole id as uppercase hex, two digits per byte;
 * - `hex-reversed`: `hex` with the bytes reversed (UIDs reported LSB first);
 * - `fc-cn`: `FFF,CCCCC`, the format's facility and card fields, or for ids
 *   without them bits 16–23 and 0–15 of the id.
 */
export function formatTag(read: CardRead, format: TagFormat): string {
  switch (format) {
    case "dec10":
      return String(low32(read)).padStart(10, "0");
    case "dec":
      return read.idBigInt().toString(10);
    case "hex":
      return hexOf(read, false);
    case "hex-reversed":
      return hexOf(read, true);
    case "fc-cn": {
      let fc = read.facility;
      let cn = read.card;
      if (fc < 0 || cn < 0) {
        const v = low32(read);
        fc = Math.floor(v / 65536) % 256;
        cn = v % 65536;
      }
      return `${String(fc).padStart(3, "0")},${String(cn).padStart(5, "0")}`;
    }
  }
}
