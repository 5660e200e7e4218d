/**
 * Config settings that are valid but deserve a second look (`check-config`
 * prints them, the agent logs them at start): for now, Wiegand settings that
 * let noise through more easily. Each reader kind's descriptor says what
 * it warns about.
 *
 * @module
 */

import { readerWarnings } from "../readers/kinds/entries.ts";
import { keyPath } from "./load.ts";
import type { Config } from "./schema.ts";

/** One line per warning: `FILE: readers[0].unknownLengths: what to consider`. */
export function configWarnings(config: Config, file: string): string[] {
  return readerWarnings(config.readers).map((w) =>
    `${file}: ${keyPath(["readers", ...w.path])}: ${w.message}`
  );
}
