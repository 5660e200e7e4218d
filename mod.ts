/**
 * pontaj: reads RFID cards on turnstile and door controllers, journals every
 * scan durably, and syncs them to iFlow.
 *
 * This entry point holds what most integrators use: the decoders and serial
 * port of `@pontaj/pontaj/driver`, and all of `@pontaj/pontaj/service`
 * (config, journal, sync engine, the agent). The reader drivers with their
 * status types (`WiegandReader`, `OsdpBus`, `Rc522Reader`) are in
 * `@pontaj/pontaj/driver`; device and iFlow simulators for tests in
 * `@pontaj/pontaj/testing`.
 *
 * @module
 */

export {
  AsciiFrameDecoder,
  type ByteDecoder,
  CardRead,
  CodedError,
  type DecoderCounters,
  DecodeStatus,
  decodeWiegandBits,
  DeviceError,
  formatTag,
  LineDecoder,
  type LineNumberBase,
  type LineSettings,
  OsdpParser,
  SerialError,
  type SerialErrorCode,
  type SerialOptions,
  SerialPort,
  TAG_FORMATS,
  type TagFormat,
  WiegandFormatSet,
} from "./driver/mod.ts";
export * from "./service/mod.ts";
