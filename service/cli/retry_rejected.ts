/**
 * `cli retry-rejected --config FILE [--since DATE]`: makes rejected scans
 * pending again, after an admin fixed the card or the employee in iFlow.
 * Goes through the running agent when there is one (it holds the journal).
 *
 * @module
 */

import { loadConfig } from "../config/mod.ts";
import { Journal } from "../journal/mod.ts";
import { agentFetch } from "./agent_link.ts";
import { type Command, EXIT, out, parseCommandArgs, sinceOption, UsageError } from "./command.ts";

/** The `retry-rejected` command. */
export const retryRejectedCommand: Command = {
  name: "retry-rejected",
  summary: "make rejected scans pending again",
  usage: [
    "Usage: deno task cli retry-rejected --config FILE [--since DATE]",
    "",
    "Makes every rejected scan (read on or after DATE, YYYY-MM-DD, if given)",
    "pending again, so the agent sends it to iFlow once more. Use it after an",
    "admin fixed the card or the employment period in iFlow.",
  ].join("\n"),
  async run(args) {
    const { values } = parseCommandArgs(args, {
      config: { type: "string" },
      since: { type: "string" },
    });
    if (!values.config) throw new UsageError("retry-rejected needs --config FILE");
    const since = sinceOption(values.since);
    const config = await loadConfig(values.config as string);
    const q = values.since === undefined
      ? ""
      : `?since=${encodeURIComponent(values.since as string)}`;
    const res = await agentFetch(config.status, `/actions/retry-rejected${q}`, {
      method: "POST",
    });
    if (res) {
      if (!res.ok) {
        out(`the agent refused: HTTP ${res.status} ${await res.text()}`);
        return EXIT.failed;
      }
      const { reopened } = await res.json() as { reopened: number };
      out(`${reopened} rejected scan(s) are pending again (through the running agent)`);
      return EXIT.ok;
    }
    const journal = await Journal.open(config.journal.dir);
    try {
      const seqs: number[] = [];
      for await (const row of journal.export({ state: "rejected", since })) seqs.push(row.seq);
      const n = await journal.reopen(seqs);
      out(`${n} rejected scan(s) are pending again; the agent sends them when it runs`);
    } finally {
      await journal.close();
    }
    return EXIT.ok;
  },
};
