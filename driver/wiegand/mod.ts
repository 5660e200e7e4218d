/**
 * Wiegand readers on GPIO: edge capture through the Linux GPIO character
 * device (v2 uAPI, FFI), a zero-allocation frame assembler, every common card
 * format with parity checks (H10301, H10306, H10304, H10302, Corporate 1000
 * 35/48, raw, custom), keypads with PIN entry, a pulse-generator simulator,
 * and the `wiegand` reader config.
 *
 * OSDP decodes `osdp_RAW` card data with {@link decodeWiegandPacked}.
 *
 * @example
 * ```ts
 * import { CardRead, DecodeStatus, decodeWiegandBits, bitsFromString } from "./mod.ts";
 * const read = new CardRead();
 * decodeWiegandBits(bitsFromString("00101101000000001010001000"), 26, read) === DecodeStatus.ok;
 * // read.format "h10301", read.facility 90, read.card 324
 * ```
 *
 * @module
 */

export { CardRead } from "../card.ts";
export { TAG_FORMATS, type TagFormat } from "../tag.ts";
export * from "./formats.ts";
export * from "./decode.ts";
export * from "./encode.ts";
export * from "./assembler.ts";
export * from "./keypad.ts";
export * from "./gpio_event.ts";
export {
  type GpioIoctl,
  kernelGpioIoctl,
  type MonotonicClock,
  monotonicClock,
} from "./gpio_ffi.ts";
export {
  GpioError,
  type GpioErrorCode,
  GpioLines,
  type GpioLinesOptions,
  openGpioLines,
} from "./gpio_lines.ts";
export * from "./sim/pulses.ts";
export { SimulatedGpio } from "./sim/gpio.ts";
export * from "./config_types.ts";
export * from "./events.ts";
export * from "./drops.ts";
export * from "./line_hints.ts";
export * from "./reader.ts";
export * from "./text.ts";
