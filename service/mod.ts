/**
 * The pontaj agent: configuration, the crash-safe scan journal, the iFlow
 * sync engine, and the agent that runs readers, journal, sync and status
 * together. Simulators (iFlow, readers) for tests are in
 * `@pontaj/pontaj/testing`.
 *
 * @example
 * ```ts
 * import { Agent, createLogger, loadConfig } from "@pontaj/pontaj/service";
 * const config = await loadConfig("/etc/pontaj/pontaj.jsonc");
 * const agent = await Agent.start(config, { logger: createLogger({ level: "info" }) });
 * // … later
 * await agent.stop();
 * ```
 *
 * @module
 */

export { Agent, type AgentOptions } from "./agent.ts";
export {
  type Config,
  ConfigError,
  type JournalConfig,
  loadConfig,
  type ReaderConfig,
  validateConfig,
} from "./config/mod.ts";
export type { IflowConfig } from "./iflow/config.ts";
export type { StatusConfig } from "./status/config.ts";
export type { GateConfig, GateGpioOutput, GateInput, GateOsdpOutput } from "./gates/config.ts";
export { Journal } from "./journal/journal.ts";
export type {
  ExportOptions,
  ExportRow,
  GateEventInput,
  GateEventKind,
  GateNote,
  JournalOptions,
  JournalStats,
  Outcome,
  RecordState,
  RejectField,
  ScanInput,
  ScanRecord,
} from "./journal/types.ts";
export { SyncEngine } from "./sync/engine.ts";
export type {
  LiveFeedback,
  SyncAlarm,
  SyncCounters,
  SyncEngineOptions,
  SyncJournal,
  SyncOnceResult,
  SyncProgress,
  SyncState,
  SyncStatus,
} from "./sync/types.ts";
export type { HistogramSnapshot } from "./sync/histogram.ts";
export type { LiveAction } from "./iflow/live.ts";
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from "./log.ts";
/** Driver names the service's API mentions, re-exported so this entry point is self-contained. */
export type { AsciiReaderConfig, LineReaderConfig } from "../driver/ascii/config.ts";
export type {
  CustomFormatConfig,
  FeedbackPattern,
  GainDb,
  OsdpLedColorName,
  OsdpReaderConfig,
  ParityRuleConfig,
  Rc522ReaderConfig,
  TagFormat,
  WiegandFeedbackLine,
  WiegandKeypadConfig,
  WiegandReaderConfig,
} from "../driver/mod.ts";
export { TAG_FORMATS } from "../driver/mod.ts";
