/**
 * The journal directory of a config file, read without the config schema:
 * `cli export` needs that one key, and validating the rest would load zod,
 * every section's schema and ICU's time zones (about 25 MiB of the export's
 * resident set, issue #19). The key is checked as the schema checks it
 * (`journal.dir`, a non-empty string); `check-config` and the agent validate
 * the whole file.
 *
 * @module
 */

import { ConfigError, readConfigFile } from "./read.ts";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `journal.dir` of the config file at `path`; a ConfigError naming the key when it is not usable. */
export async function loadJournalDir(path: string): Promise<string> {
  const raw = await readConfigFile(path);
  if (!isObject(raw)) throw new ConfigError([`${path}: (top level): expected a JSON object`]);
  const journal = raw.journal;
  if (journal === undefined) {
    throw new ConfigError([`${path}: journal: missing; expected object`]);
  }
  if (!isObject(journal)) throw new ConfigError([`${path}: journal: expected object`]);
  const dir = journal.dir;
  if (dir === undefined) throw new ConfigError([`${path}: journal.dir: missing; expected string`]);
  if (typeof dir !== "string") throw new ConfigError([`${path}: journal.dir: expected string`]);
  if (dir.length === 0) {
    throw new ConfigError([`${path}: journal.dir: expected the journal directory`]);
  }
  return dir;
}
