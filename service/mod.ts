/**
 * The pontaj agent: configuration, reader supervision, the crash-safe scan
 * journal, the iFlow sync engine, the status page and the CLI.
 *
 * @module
 */

export { Agent, type AgentOptions } from "./agent.ts";
export type { DeviceOverrides } from "./readers/kind.ts";
export { type DemoOptions, type DemoSummary, runDemo } from "./demo.ts";
export { main } from "./main.ts";
export {
  type Config,
  ConfigError,
  type ConfigIssue,
  type JournalConfig,
  loadConfig,
  type ReaderConfig,
  renderIssues,
  TOKEN_ENV,
  validateConfig,
} from "./config/mod.ts";
export type { IflowConfig } from "./iflow/config.ts";
export { ProgressWriter } from "./demo/progress.ts";
export * from "./journal/mod.ts";
export { BUILD_DATE_MS, clockProblem, type LocalStamp, localStamp } from "./clock.ts";
export {
  type PipelineOptions,
  type PipelineReaderCounters,
  ScanPipeline,
  type ScanStore,
} from "./pipeline/scan_pipeline.ts";
export {
  type ExportFormat,
  type ExportObject,
  type ExportSource,
  type ExportState,
  formatStatusText,
  renderMetrics,
  renderPage,
  startStatusServer,
  type StatusActions,
  type StatusExportOptions,
  type StatusServer,
  type StatusServerOptions,
} from "./status/mod.ts";
export type {
  Histogram,
  JournalStatus,
  ReaderStatus,
  StatusSnapshot,
  SyncStatusView,
} from "./status/mod.ts";
export {
  createLogger,
  isLogLevel,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  logsAt,
  redactSecrets,
} from "./log.ts";
export * from "./sync/mod.ts";
export {
  DEMO_EMPLOYEES,
  DEMO_TOKEN,
  type IflowSimulator,
  type IflowSimulatorOptions,
  runIflowSim,
  type SimCounts,
  type SimEmployee,
  type SimFaults,
  startIflowSimulator,
  type StoredAttendance,
} from "./iflow/mod.ts";
/** Driver names the service's API mentions, re-exported so this entry point is self-contained. */
export {
  type CardRead,
  type GpioIoctl,
  type SpiIoctl,
  TAG_FORMATS,
  type TagFormat,
} from "../driver/mod.ts";
