/**
 * The agent's status surface: the HTTP server (`/health`, `/metrics`, `/`,
 * export and retry actions), Prometheus metrics, the self-refreshing status
 * page, the `cli status` text, and the snapshot types they all read.
 *
 * ```ts
 * import { startStatusServer } from "./mod.ts";
 * const server = await startStatusServer({ listen: "127.0.0.1:8780", snapshot: () => agent.snapshot() });
 * // … later
 * await server.close();
 * ```
 *
 * @module
 */

export type {
  Histogram,
  JournalStatus,
  ReaderStatus,
  StatusSnapshot,
  SyncStatusView,
} from "./snapshot.ts";
export {
  parseListen,
  startStatusServer,
  type StatusActions,
  type StatusConnectionLimits,
  type StatusConnectionStats,
  type StatusServer,
  StatusServerError,
  type StatusServerErrorCode,
  type StatusServerOptions,
  type StatusServerStats,
} from "./server.ts";
export {
  applyStatusTokenEnv,
  DEFAULT_STATUS_LISTEN,
  STATUS_TOKEN_ENV,
  type StatusConfig,
  StatusConfigSchema,
  statusTokenFromEnv,
} from "./config.ts";
export { isLoopbackHost } from "./listen.ts";
export { bearerMatches, hostAllowed, type HostPolicy } from "./access.ts";
export {
  escapeLabelValue,
  formatSampleValue,
  METRICS_CONTENT_TYPE,
  renderMetrics,
} from "./metrics.ts";
export { PAGE_CSP, PAGE_REFRESH_MS, type PageOptions, renderPage } from "./page.ts";
export { type CaptureControlOptions } from "./capture_control.ts";
export { statusView, type ViewLink } from "./view.ts";
export { formatStatusText } from "./format.ts";
export { formatAgo, formatBytes, formatDuration } from "./units.ts";
export {
  csvColumns,
  csvField,
  csvLine,
  EXPORT_CONTENT_TYPES,
  EXPORT_CSV_COLUMNS,
  type ExportFormat,
  type ExportObject,
  type ExportSource,
  type ExportState,
  type ExportStream,
  jsonlLine,
  openExportStream,
  type StatusExportOptions,
} from "./export.ts";
