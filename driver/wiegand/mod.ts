/**
 * Wiegand: card formats and decoding (also used by OSDP for raw card data).
 *
 * @module
 */

export * from "./formats.ts";
export * from "./decode.ts";
export * from "./encode.ts";
