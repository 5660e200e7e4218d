/**
 * The registry of reader kinds: one line per kind. The config schema, the
 * device factory, `cli decode` and the demo are built from this list.
 *
 * @module
 */

import { z } from "zod";
import type { EntrySchema, ReaderKind } from "../kind.ts";
import type { AsciiReaderConfig, LineReaderConfig } from "../../../driver/ascii/config.ts";
import type { WiegandReaderConfig } from "../../../driver/wiegand/config_types.ts";
import type { OsdpReaderConfig } from "../../../driver/osdp/config.ts";
import type { Rc522ReaderConfig } from "../../../driver/rc522/config.ts";
import { asciiKind, lineKind } from "./serial.ts";
import { wiegandKind } from "./wiegand.ts";
import { osdpKind } from "./osdp.ts";
import { rc522Kind } from "./rc522.ts";
import type { Same } from "../../../driver/config_issue.ts";

/** Every kind the agent can run, in the order the demo shows them. */
export const READER_KINDS = [
  asciiKind,
  lineKind,
  wiegandKind,
  osdpKind,
  rc522Kind,
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
const _union: Same<ReaderConfig, z.output<typeof READER_KINDS[number]["entry"]>> = true;
void _union;

/** A reader entry as written in a config file: `name` and `kind`, its options optional. */
export type ReaderConfigInput = {
  [K in ReaderConfig["kind"]]: Partial<Extract<ReaderConfig, { kind: K }>> & {
    name: string;
    kind: K;
  };
}[ReaderConfig["kind"]];

/** Any registered kind, as code that handles every kind sees it. */
export type AnyReaderKind = ReaderKind<typeof READER_KINDS[number]["entry"]>;

/** A kind's name (`ascii`, `line`, `wiegand`, `osdp`, `rc522`). */
export type ReaderKindName = ReaderConfig["kind"];

/** True when `reader` is an entry of `kind` (narrows it to that kind's parsed entry). */
export function isOfKind<E extends EntrySchema>(
  kind: ReaderKind<E>,
  reader: ReaderConfig | z.output<E>,
): reader is z.output<E> {
  return reader.kind === kind.kind;
}

/** The entries of `kind` among `readers`, each with its index in `readers`. */
export function entriesOf<E extends EntrySchema>(
  kind: ReaderKind<E>,
  readers: readonly ReaderConfig[],
): { index: number; reader: z.output<E> }[] {
  const out: { index: number; reader: z.output<E> }[] = [];
  readers.forEach((reader, index) => {
    if (isOfKind(kind, reader)) out.push({ index, reader });
  });
  return out;
}

/** Every registered kind, as code that handles every kind sees them. */
const KINDS: readonly AnyReaderKind[] = READER_KINDS;

/** The kind named `name`, if one is registered. */
export function readerKind(name: string): AnyReaderKind | undefined {
  return KINDS.find((k) => k.kind === name);
}

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
  [typeof READER_KINDS[number]["entry"], ...typeof READER_KINDS[number]["entry"][]],
  "kind"
> {
  const [first, ...rest] = READER_KINDS;
  return z.discriminatedUnion("kind", [first.entry, ...rest.map((k) => k.entry)]);
}
