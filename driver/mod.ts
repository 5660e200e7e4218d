/**
 * pontaj drivers: reader protocols spoken directly (ASCII 125 kHz and line
 * readers over serial, with more kinds beside them), zero-allocation
 * decoders, Linux transports through `Deno.dlopen`, and device simulators.
 *
 * `driver/` never imports from `service/`.
 *
 * @module
 */

export { CardRead, MAX_ID_BYTES, setIdFromNumber } from "./card.ts";
export { formatTag, isTagFormat, TAG_FORMATS, type TagFormat } from "./tag.ts";
export { type ByteDecoder, type DecoderCounters, hexDigitValue, newCounters } from "./decoder.ts";
export { type ByteSource, pumpDecoder } from "./serial_pump.ts";
export * from "./serial/mod.ts";
export * from "./ascii/mod.ts";
export * from "./wiegand/mod.ts";
export * from "./osdp/mod.ts";
export * from "./rc522/mod.ts";
