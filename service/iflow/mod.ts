/**
 * iFlow: the HTTP client for the offline (`store_attendances`) and live
 * (`auto_attendance`) endpoints, reply validation and classification, the
 * `iflow` config section, and a local iFlow simulator.
 *
 * The zod schemas themselves (typed `z.ZodType<...>`) are exported from their
 * files for reuse inside the package, not from here: `IflowConfigSchema` from
 * `./config.ts` (embed it in the agent's config schema), `ReplySchema` and
 * `ReplyEntrySchema` from `./reply.ts`, `LiveReplySchema` from `./live.ts`,
 * `SimEmployeesSchema` from `./sim/model.ts`.
 *
 * @module
 */

export {
  DEFAULT_IFLOW_URL,
  type IflowConfig,
  type IflowConfigInput,
  LIVE_PATH,
  liveUrlOf,
  PACKAGE_VERSION,
  parseIflowConfig,
} from "./config.ts";
export {
  type BatchReply,
  classifyOfflineReply,
  foldText,
  type IflowOutcome,
  type IflowRejectField,
  isDeviceAuthMessage,
  parseDuplicate,
  parseRetryAfter,
  type ReplyEntry,
  type WireRecord,
} from "./reply.ts";
export { classifyLiveReply, type LiveAction, type LiveReply, type LiveReplyBody } from "./live.ts";
export {
  IflowClient,
  type IflowClientOptions,
  type LiveResult,
  type PreparedBatch,
  type SendResult,
  wireJson,
} from "./client.ts";
export {
  type Logger,
  type LogLevel,
  makeRedactor,
  MIN_SCRUB_LENGTH,
  redactDeep,
  REDACTED,
  redactingLogger,
  redactUrl,
} from "./redact.ts";
export {
  DEMO_EMPLOYEES,
  DEMO_TOKEN,
  IflowModel,
  localDateTime,
  parseEmployees,
  SIM_MESSAGES,
  type SimEmployee,
  type SimReplyEntry,
  type StoredAttendance,
} from "./sim/model.ts";
export {
  type IflowSimulator,
  type IflowSimulatorOptions,
  type SimCounts,
  type SimFaults,
  startIflowSimulator,
} from "./sim/simulator.ts";
export { runIflowSim } from "./sim/cli.ts";
