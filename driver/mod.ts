/**
 * pontaj drivers: reader protocols spoken directly (ASCII 125 kHz and line
 * readers over serial, Wiegand on GPIO, OSDP over RS-485, the MFRC522 over SPI
 * or UART), zero-allocation decoders and Linux transports through
 * `Deno.dlopen`. Simulators of each device are in `@pontaj/pontaj/testing`.
 *
 * `driver/` never imports from `service/`.
 *
 * @example
 * ```ts
 * import { AsciiFrameDecoder, formatTag } from "@pontaj/pontaj/driver";
 * const dec = new AsciiFrameDecoder();
 * for (const b of new TextEncoder().encode("\x0267003B51C6CB\x03")) {
 *   if (dec.push(b)) console.log(formatTag(dec.read, "dec10")); // 0003887558
 * }
 * ```
 *
 * @module
 */

export { CardRead } from "./card.ts";
export { formatTag, TAG_FORMATS, type TagFormat } from "./tag.ts";
export type { ByteDecoder, DecoderCounters } from "./decoder.ts";
export { type SerialOptions, SerialPort } from "./serial/port.ts";
export { SerialError, type SerialErrorCode } from "./serial/errors.ts";
export { CodedError, DeviceError } from "./device_error.ts";
export type { LineSettings } from "./serial/termios.ts";
export { AsciiFrameDecoder } from "./ascii/frame.ts";
export { LineDecoder, type LineNumberBase } from "./ascii/line.ts";
export { DecodeStatus, decodeWiegandBits, WiegandFormatSet } from "./wiegand/decode.ts";
export type { WiegandLineReport, WiegandReaderStats } from "./wiegand/events.ts";
export type { WiegandHintView } from "./wiegand/line_hints.ts";
export { WiegandReader } from "./wiegand/reader.ts";
export type {
  CustomFormatConfig,
  ParityRuleConfig,
  WiegandFeedbackLine,
  WiegandKeypadConfig,
  WiegandReaderConfig,
} from "./wiegand/config_types.ts";
export { OsdpParser } from "./osdp/parser.ts";
export { OsdpBus } from "./osdp/bus.ts";
export type { OsdpBusCounters } from "./osdp/bus_types.ts";
export type { OsdpReaderStatus } from "./osdp/status.ts";
export type { KeySource } from "./osdp/key_ring.ts";
export type { SessionKeys } from "./osdp/secure.ts";
export type { LinkCounters, LinkPhase, ScState } from "./osdp/link_types.ts";
export type { OsdpLedColorName } from "./osdp/constants.ts";
export type { FeedbackPattern, PdId } from "./osdp/payload.ts";
export type { OsdpReaderConfig } from "./osdp/config.ts";
export { Rc522Reader } from "./rc522/reader.ts";
export type { Rc522ReaderConfig } from "./rc522/config.ts";
export type { Rc522ReaderCounters } from "./rc522/reader.ts";
export type { Rc522Counters } from "./rc522/results.ts";
export type { ChipInfo } from "./rc522/pcd.ts";
export type { GainDb } from "./rc522/registers.ts";
