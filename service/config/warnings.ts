/**
 * Config settings that are valid but deserve a second look (`check-config`
 * prints them, the agent logs them at start): for now, Wiegand settings that
 * let noise through more easily.
 *
 * @module
 */

import { wiegandConfigWarnings, type WiegandReaderConfig } from "../../driver/wiegand/mod.ts";
import { keyPath } from "./load.ts";
import type { Config } from "./schema.ts";

/** One line per warning: `FILE: readers[0].unknownLengths: what to consider`. */
export function configWarnings(config: Config, file: string): string[] {
  const out: string[] = [];
  config.readers.forEach((r, i) => {
    if (r.kind !== "wiegand") return;
    for (const w of wiegandConfigWarnings(r as unknown as WiegandReaderConfig)) {
      out.push(`${file}: ${keyPath(["readers", i, ...w.path])}: ${w.message}`);
    }
  });
  return out;
}
