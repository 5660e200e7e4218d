/**
 * The config part of every reader kind (entry schema and checks), and what
 * the config schema builds from them. Only option schemas and their checks
 * load from here, no driver: `loadConfig` (and so `cli export`,
 * `check-config`) stays free of reader implementations. The full
 * descriptors (`kinds/mod.ts`) extend these.
 *
 * @module
 */

import { z } from "zod";
import { entryKeys, type EntrySchema, type ReaderKindEntry } from "../kind.ts";
import {
  type AsciiReaderConfig,
  AsciiReaderConfigSchema,
  type LineReaderConfig,
  LineReaderConfigSchema,
} from "../../../driver/ascii/config.ts";
import { WiegandReaderConfigSchema } from "../../../driver/wiegand/config.ts";
import {
  wiegandConfigIssues,
  wiegandConfigWarnings,
  type WiegandReaderConfig,
} from "../../../driver/wiegand/config_types.ts";
import {
  osdpLineIssues,
  type OsdpReaderConfig,
  OsdpReaderConfigSchema,
} from "../../../driver/osdp/config.ts";
import {
  rc522ConfigIssues,
  type Rc522ReaderConfig,
  Rc522ReaderConfigSchema,
} from "../../../driver/rc522/config.ts";
import type { Same } from "../../../driver/config_issue.ts";

const asciiEntry = AsciiReaderConfigSchema.extend(entryKeys("ascii"));
/** `ascii` entries: RDM6300, ID-12/ID-20 and copies on a serial line. */
export const asciiEntryKind: ReaderKindEntry<typeof asciiEntry> = {
  kind: "ascii",
  entry: asciiEntry,
};

const lineEntry = LineReaderConfigSchema.extend(entryKeys("line"));
/** `line` entries: readers that print one code per line. */
export const lineEntryKind: ReaderKindEntry<typeof lineEntry> = { kind: "line", entry: lineEntry };

const wiegandEntry = WiegandReaderConfigSchema.extend(entryKeys("wiegand"));
/** `wiegand` entries: D0/D1 on two GPIO lines. */
export const wiegandEntryKind: ReaderKindEntry<typeof wiegandEntry> = {
  kind: "wiegand",
  entry: wiegandEntry,
  check: wiegandConfigIssues,
  warnings: wiegandConfigWarnings,
};

const osdpEntry = OsdpReaderConfigSchema.extend(entryKeys("osdp"));
/** `osdp` entries: OSDP readers, several per RS-485 line. */
export const osdpEntryKind: ReaderKindEntry<typeof osdpEntry> = {
  kind: "osdp",
  entry: osdpEntry,
  checkGroup: osdpLineIssues,
};

const rc522Entry = Rc522ReaderConfigSchema.extend(entryKeys("rc522"));
/** `rc522` entries: an MFRC522 board on SPI or its UART. */
export const rc522EntryKind: ReaderKindEntry<typeof rc522Entry> = {
  kind: "rc522",
  entry: rc522Entry,
  check: rc522ConfigIssues,
};

/** The config part of every kind, in the registry's order. */
export const KIND_ENTRIES = [
  asciiEntryKind,
  lineEntryKind,
  wiegandEntryKind,
  osdpEntryKind,
  rc522EntryKind,
] as const;

/**
 * One reader entry of the config: the union of every registered kind's parsed
 * entry (its options, the reader's unique `name`, and `kind`).
 */
export type ReaderConfig =
  | (AsciiReaderConfig & { name: string; kind: "ascii" })
  | (LineReaderConfig & { name: string; kind: "line" })
  | (WiegandReaderConfig & { name: string; kind: "wiegand" })
  | (OsdpReaderConfig & { name: string; kind: "osdp" })
  | (Rc522ReaderConfig & { name: string; kind: "rc522" });

// The union above is exactly what the registry's schemas parse to: a kind added to the
// registry but not to the union (or the reverse) does not compile.
const _union: Same<ReaderConfig, z.output<typeof KIND_ENTRIES[number]["entry"]>> = true;
void _union;

/** Any kind's config part, as code that handles every kind sees it. */
export type AnyReaderKindEntry = ReaderKindEntry<typeof KIND_ENTRIES[number]["entry"]>;

/** True when `reader` is an entry of `kind` (narrows it to that kind's parsed entry). */
export function isOfKind<E extends EntrySchema>(
  kind: ReaderKindEntry<E>,
  reader: ReaderConfig | z.output<E>,
): reader is z.output<E> {
  return reader.kind === kind.kind;
}

/** The entries of `kind` among `readers`, each with its index in `readers`. */
export function entriesOf<E extends EntrySchema>(
  kind: ReaderKindEntry<E>,
  readers: readonly ReaderConfig[],
): { index: number; reader: z.output<E> }[] {
  const out: { index: number; reader: z.output<E> }[] = [];
  readers.forEach((reader, index) => {
    if (isOfKind(kind, reader)) out.push({ index, reader });
  });
  return out;
}

const KINDS: readonly AnyReaderKindEntry[] = KIND_ENTRIES;

/**
 * The checks that span several keys or several readers, for every kind: each
 * problem with its key path from the `readers` array (`[2, "keypad", "hash"]`).
 */
export function readerIssues(
  readers: readonly ReaderConfig[],
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const kind of KINDS) {
    const entries = entriesOf(kind, readers);
    for (const { index, reader } of entries) {
      for (const i of kind.check?.(reader) ?? []) out.push({ ...i, path: [index, ...i.path] });
    }
    for (const g of kind.checkGroup?.(entries.map((e) => e.reader)) ?? []) {
      out.push({ path: [entries[g.reader]?.index ?? 0, ...g.path], message: g.message });
    }
  }
  return out;
}

/** The warnings of every kind's entries, each with its key path from the `readers` array. */
export function readerWarnings(
  readers: readonly ReaderConfig[],
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const kind of KINDS) {
    for (const { index, reader } of entriesOf(kind, readers)) {
      for (const w of kind.warnings?.(reader) ?? []) out.push({ ...w, path: [index, ...w.path] });
    }
  }
  return out;
}

/** The entry schema of every kind, one discriminated union on `kind`. */
export function readerEntrySchema(): z.ZodDiscriminatedUnion<
  [typeof KIND_ENTRIES[number]["entry"], ...typeof KIND_ENTRIES[number]["entry"][]],
  "kind"
> {
  const [first, ...rest] = KIND_ENTRIES;
  return z.discriminatedUnion("kind", [first.entry, ...rest.map((k) => k.entry)]);
}
