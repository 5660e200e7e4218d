/**
 * `cli export --config FILE [--format jsonl|csv] [--state S] [--since DATE]`:
 * every journaled scan with its state, streamed. Works while the agent runs
 * (the journal is read without taking its lock).
 *
 * @module
 */

import { loadJournalDir } from "../config/journal_dir.ts";
import { exportJournal } from "../journal/export.ts";
import type { RecordState } from "../journal/types.ts";
import { exportObject } from "../export_row.ts";
import { type Command, EXIT, parseCommandArgs, sinceOption, UsageError } from "./command.ts";
import { csvField, EXPORT_CSV_COLUMNS } from "../export_row.ts";
import { RowSink } from "./row_sink.ts";

const STATES = ["pending", "synced", "rejected", "held", "not-passed", "event"] as const;

/** The `export` command. */
export const exportCommand: Command = {
  name: "export",
  summary: "export journaled scans with their state (jsonl or csv)",
  usage: [
    "Usage: deno task cli export --config FILE [--format jsonl|csv] [--state S] [--since DATE]",
    "",
    "One JSON object per line (or CSV with a header) for each journaled record:",
    "seq, reader, rfidTag, date, time, state (pending | synced | rejected | held |",
    "not-passed | event; a duplicate counts as synced) and error when rejected.",
    "Gate events (exit button, remote open; never sent to iFlow) have state 'event',",
    "the gate's name as reader and event exit | manual-open. Works while the agent runs.",
    "Reads only journal.dir from the config (check-config validates the whole file).",
  ].join("\n"),
  async run(args) {
    const { values } = parseCommandArgs(args, {
      config: { type: "string" },
      format: { type: "string", default: "jsonl" },
      state: { type: "string" },
      since: { type: "string" },
    });
    if (!values.config) throw new UsageError("export needs --config FILE");
    const format = values.format as string;
    if (format !== "jsonl" && format !== "csv") {
      throw new UsageError(`--format: expected jsonl or csv, got '${format}'`);
    }
    const state = values.state as string | undefined;
    if (state !== undefined && !(STATES as readonly string[]).includes(state)) {
      throw new UsageError(`--state: expected one of ${STATES.join(", ")}, got '${state}'`);
    }
    const since = sinceOption(values.since);
    const dir = await loadJournalDir(values.config as string);
    const out = new RowSink(Deno.stdout);
    if (format === "csv") await out.line(EXPORT_CSV_COLUMNS.join(","));
    for await (
      const row of exportJournal(dir, {
        state: state as RecordState | undefined,
        since,
      })
    ) {
      const o = exportObject(row);
      await out.line(
        format === "csv"
          ? EXPORT_CSV_COLUMNS.map((c) => csvField(o[c])).join(",")
          : JSON.stringify(o),
      );
    }
    await out.close();
    return EXIT.ok;
  },
};
