/**
 * The registry of reader kinds: one line per kind. The device factory,
 * `cli decode`, `cli replay` and the demo are built from this list; the config
 * schema from the kinds' config parts alone (`entries.ts`, re-exported here).
 *
 * @module
 */

import type { ReaderKind } from "../kind.ts";
import type { KIND_ENTRIES, ReaderConfig } from "./entries.ts";
import { asciiKind, lineKind } from "./serial.ts";
import { wiegandKind } from "./wiegand.ts";
import { osdpKind } from "./osdp.ts";
import { rc522Kind } from "./rc522.ts";

export {
  entriesOf,
  isOfKind,
  type ReaderConfig,
  readerEntrySchema,
  readerIssues,
  readerWarnings,
} from "./entries.ts";

/** Every kind the agent can run, in the order the demo shows them. */
export const READER_KINDS = [
  asciiKind,
  lineKind,
  wiegandKind,
  osdpKind,
  rc522Kind,
] as const;

/** A reader entry as written in a config file: `name` and `kind`, its options optional. */
export type ReaderConfigInput = {
  [K in ReaderConfig["kind"]]: Partial<Extract<ReaderConfig, { kind: K }>> & {
    name: string;
    kind: K;
  };
}[ReaderConfig["kind"]];

/** Any registered kind, as code that handles every kind sees it. */
export type AnyReaderKind = ReaderKind<typeof KIND_ENTRIES[number]["entry"]>;

/** A kind's name (`ascii`, `line`, `wiegand`, `osdp`, `rc522`). */
export type ReaderKindName = ReaderConfig["kind"];

/** Every registered kind, as code that handles every kind sees them. */
const KINDS: readonly AnyReaderKind[] = READER_KINDS;

/** The kind named `name`, if one is registered. */
export function readerKind(name: string): AnyReaderKind | undefined {
  return KINDS.find((k) => k.kind === name);
}
