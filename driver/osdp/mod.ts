/**
 * OSDP (SIA OSDP v2.2) over RS-485: a control panel that polls readers, with
 * Secure Channel, and an emulated reader for tests and the demo.
 *
 * - {@link OsdpBus}: one per serial port; polls its readers round-robin,
 *   reports cards and keypad input with the reader's name, status per reader,
 *   and LED/beep feedback once a scan is journaled.
 * - {@link OsdpParser} / {@link FrameWriter}: zero-allocation framing.
 * - {@link SecureSession}: Secure Channel crypto (AES from `node:crypto`, loaded by
 *   {@link loadAes} before a session derives keys; the bus and emulator load it).
 * - {@link OsdpEmulator} / {@link EmulatedPd}: readers on the master end of a pty.
 * - {@link groupOsdpReaders}: `osdp` reader configs (schema `OsdpReaderConfigSchema` in
 *   `./config.ts`) grouped into one bus per port; {@link decodeOsdpHex} for the CLI.
 *
 * @module
 */

export type { CardRead } from "../card.ts";
export { TAG_FORMATS, type TagFormat } from "../tag.ts";
export {
  capabilityName,
  commandName,
  nakName,
  OsdpCapFunction,
  OsdpCmd,
  OsdpLedColor,
  type OsdpLedColorName,
  OsdpNak,
  OsdpReply,
  OsdpScs,
  replyName,
  scsName,
} from "./constants.ts";
export { OSDP_CRC_INIT, osdpChecksum, osdpCrc16, osdpCrc16Byte } from "./crc.ts";
export { MAX_FRAME, MIN_FRAME, OsdpParser, ParseError, parseErrorName } from "./parser.ts";
export { buildFrame, type BuildFrameOptions, FrameWriter, type MacSigner } from "./writer.ts";
export {
  loadAes,
  parseKeyHex,
  randomBytes,
  SCBK_D,
  SecureSession,
  type SessionKeys,
} from "./secure.ts";
export * from "./payload.ts";
export { FMT_FORMAT, OsdpCardDecoder } from "./card_data.ts";
export { DEFAULT_TIMING, type LinkTiming, resolveTiming } from "./timing.ts";
export { PdLink } from "./link.ts";
export { LinkReports } from "./link_reports.ts";
export { LinkSecurity } from "./link_security.ts";
export { LinkSchedule } from "./link_schedule.ts";
export { eventName, LinkEvent, LinkStep, nextStep, stepName } from "./link_fsm.ts";
export { type KeyCandidate, KeyRing, type KeySource } from "./key_ring.ts";
export {
  type LinkCounters,
  type LinkPhase,
  type LinkRef,
  type LinkSink,
  newLinkCounters,
  type OsdpKeyStore,
  type OsdpLogger,
  type PdLinkConfig,
  type ScState,
} from "./link_types.ts";
export { CpSecureChannel } from "./cp_secure.ts";
export { type OsdpReaderStatus, readerStatus } from "./status.ts";
export { OsdpBus } from "./bus.ts";
export type {
  OsdpBusCounters,
  OsdpBusOpenOptions,
  OsdpBusOptions,
  OsdpCardEvent,
  OsdpKeypadEvent,
  OsdpReaderSpec,
  OsdpTransport,
} from "./bus_types.ts";
export { EmulatedPd } from "./sim/emulated_pd.ts";
export {
  type EmulatedPdCounters,
  type EmulatedPdOptions,
  EmulatedPdState,
  type PendingReply,
  type ReceivedCommand,
} from "./sim/emulated_pd_state.ts";
export { OsdpEmulator, type OsdpEmulatorOptions } from "./sim/emulator.ts";
export { groupOsdpReaders, type OsdpLineConfig, type OsdpReaderConfig } from "./config.ts";
export { type DecodedOsdpPacket, decodeOsdpHex } from "./decode.ts";
