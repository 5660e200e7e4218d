/**
 * Wiegand: card formats and decoding (also used by OSDP for `osdp_RAW` card
 * data through {@link decodeWiegandPacked}).
 *
 * @module
 */

export type { CardRead } from "../card.ts";
export * from "./formats.ts";
export * from "./decode.ts";
export * from "./encode.ts";
