/**
 * The agent's config: schema, JSONC loading and human error messages.
 *
 * @module
 */

export {
  ConfigError,
  type ConfigIssue,
  loadConfig,
  renderIssues,
  TOKEN_ENV,
  validateConfig,
} from "./load.ts";
export {
  type Config,
  ConfigSchema,
  isTimeZone,
  type JournalConfig,
  type ReaderConfig,
} from "./schema.ts";
export { parseJsonc, stripJsonc } from "./jsonc.ts";
