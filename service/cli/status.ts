/**
 * `cli status [--config FILE] [--json]`: the running agent's status, or,
 * when it is not running, what the journal says.
 *
 * @module
 */

import { loadConfig } from "../config/mod.ts";
import { exportJournal } from "../journal/mod.ts";
import { formatStatusText } from "../status/format.ts";
import type { StatusSnapshot } from "../status/snapshot.ts";
import { agentFetch } from "./agent_link.ts";
import { type Command, EXIT, out, parseCommandArgs } from "./command.ts";

const DEFAULT_LISTEN = "127.0.0.1:8780";

/** Counts the journal's records by state without opening it for writing. */
export async function journalSummary(dir: string): Promise<Record<string, number | null>> {
  const counts: Record<string, number | null> = {
    total: 0,
    pending: 0,
    synced: 0,
    rejected: 0,
    oldestPendingAtMs: null,
  };
  for await (const row of exportJournal(dir)) {
    counts.total!++;
    counts[row.state] = (counts[row.state] ?? 0) + 1;
    if (row.state === "pending" && counts.oldestPendingAtMs === null) {
      counts.oldestPendingAtMs = row.epochMs;
    }
  }
  return counts;
}

/** The `status` command. */
export const statusCommand: Command = {
  name: "status",
  summary: "show the agent's status (or the journal's, when the agent is not running)",
  usage: [
    "Usage: deno task cli status [--config FILE] [--json]",
    "",
    "Asks the running agent at status.listen (default 127.0.0.1:8780). When no",
    "agent answers and --config is given, reads the journal directly instead.",
    "Exit code 0 when healthy, 1 when degraded or nothing could be read.",
  ].join("\n"),
  async run(args) {
    const { values } = parseCommandArgs(args, {
      config: { type: "string" },
      json: { type: "boolean" },
    });
    const config = values.config ? await loadConfig(values.config as string) : null;
    const listen = config?.status.listen ?? DEFAULT_LISTEN;
    const res = await agentFetch(config?.status ?? { listen }, "/health");
    if (res) {
      const snap = await res.json() as StatusSnapshot;
      out(values.json ? JSON.stringify(snap, null, 2) : formatStatusText(snap));
      return snap.healthy ? EXIT.ok : EXIT.failed;
    }
    if (!config) {
      out(`no agent answering at ${listen}; pass --config FILE to read the journal instead`);
      return EXIT.failed;
    }
    const summary = await journalSummary(config.journal.dir);
    if (values.json) {
      out(JSON.stringify({ running: false, journal: summary }, null, 2));
    } else {
      out(`agent not running (nothing answers at ${listen})`);
      out(`journal ${config.journal.dir}`);
      out(
        `  records ${summary.total}, pending ${summary.pending}, synced ${summary.synced}, rejected ${summary.rejected}`,
      );
      if (summary.oldestPendingAtMs !== null) {
        out(`  oldest pending read at ${new Date(summary.oldestPendingAtMs!).toISOString()}`);
      }
    }
    return EXIT.ok;
  },
};
