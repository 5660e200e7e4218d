/**
 * The pontaj agent: configuration, reader supervision, the crash-safe scan
 * journal, the iFlow sync engine, the status page and the CLI.
 *
 * @module
 */

export { Agent, type AgentOptions } from "./agent.ts";
export { type DemoOptions, type DemoSummary, runDemo } from "./demo.ts";
export { main } from "./main.ts";
export * from "./config/mod.ts";
export { BUILD_DATE_MS, clockProblem, type LocalStamp, localStamp } from "./clock.ts";
export { type PipelineOptions, ScanPipeline, type ScanStore } from "./pipeline/scan_pipeline.ts";
export * from "./status/mod.ts";
export {
  createLogger,
  isLogLevel,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  redactSecrets,
} from "./log.ts";
