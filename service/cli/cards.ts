/**
 * `cli cards --config FILE [--format jsonl|csv]`: the learned table (each
 * card iFlow answered for: known or refused, when learned, when last seen),
 * read from `gates-learned.json` in the journal directory. Works while the
 * agent runs (the file is replaced whole on each save).
 *
 * @module
 */

import { loadConfig } from "../config/mod.ts";
import { LEARNED_FILE, parseLearned } from "../gates/learned_store.ts";
import { type Command, err, EXIT, out, parseCommandArgs, UsageError } from "./command.ts";
import { csvField } from "../export_row.ts";

/** The `cards` command. */
export const cardsCommand: Command = {
  name: "cards",
  summary: "export the cards learned from iFlow's answers (gates)",
  usage: [
    "Usage: deno task cli cards --config FILE [--format jsonl|csv]",
    "",
    "One line per learned card: rfidTag, state (known | refused), learnedAt and",
    "lastSeen (ISO times), seen longest ago first.",
  ].join("\n"),
  async run(args) {
    const { values } = parseCommandArgs(args, {
      config: { type: "string" },
      format: { type: "string", default: "jsonl" },
    });
    if (!values.config) throw new UsageError("cards needs --config FILE");
    const format = values.format as string;
    if (format !== "jsonl" && format !== "csv") {
      throw new UsageError(`--format: expected jsonl or csv, got '${format}'`);
    }
    const config = await loadConfig(values.config as string);
    const path = `${config.journal.dir}/${LEARNED_FILE}`;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      err(`no learned cards yet (${path} does not exist)`);
      if (format === "csv") out("rfidTag,state,learnedAt,lastSeen");
      return EXIT.ok;
    }
    let cards;
    try {
      cards = parseLearned(text);
    } catch (e) {
      err(`${path}: unreadable learned table (${(e as Error).message})`);
      return EXIT.failed;
    }
    if (format === "csv") out("rfidTag,state,learnedAt,lastSeen");
    for (const c of cards) {
      const learnedAt = new Date(c.learnedAt).toISOString();
      const lastSeen = new Date(c.lastSeen).toISOString();
      out(
        format === "csv"
          ? `${csvField(c.rfidTag)},${c.state},${learnedAt},${lastSeen}`
          : JSON.stringify({ rfidTag: c.rfidTag, state: c.state, learnedAt, lastSeen }),
      );
    }
    return EXIT.ok;
  },
};
