/**
 * `cli sync --config FILE --once`: pushes the journal's backlog to iFlow with
 * a progress bar, then exits. Needs the journal to itself: when the agent is
 * running it syncs by itself, so this command says so and stops.
 *
 * @module
 */

import { loadConfig } from "../config/mod.ts";
import { Journal, JournalError } from "../journal/mod.ts";
import { createLogger } from "../log.ts";
import { SyncEngine } from "../sync/engine.ts";
import { type Command, err, EXIT, out, parseCommandArgs, UsageError } from "./command.ts";

/** A one-line progress bar: `[#####.....] 50% 500/1000 sent`. */
export function progressBar(done: number, total: number, width = 30): string {
  const frac = total <= 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(frac * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${
    String(Math.round(frac * 100)).padStart(3)
  }% ${done}/${total}`;
}

/** The `sync` command. */
export const syncCommand: Command = {
  name: "sync",
  summary: "push the journal's backlog to iFlow now (--once), then exit",
  usage: [
    "Usage: deno task cli sync --config FILE --once",
    "",
    "Sends every pending scan to iFlow in batches, showing progress, and exits:",
    "0 when the backlog is empty (rejected scans stay rejected), 1 when iFlow",
    "could not be reached or refused the token. Stop the agent first: while it",
    "runs it holds the journal and syncs by itself.",
  ].join("\n"),
  async run(args) {
    const { values } = parseCommandArgs(args, {
      config: { type: "string" },
      once: { type: "boolean" },
    });
    if (!values.config) throw new UsageError("sync needs --config FILE");
    if (!values.once) {
      throw new UsageError("sync runs only with --once (the agent syncs continuously)");
    }
    const config = await loadConfig(values.config as string);
    const logger = createLogger({ level: "warn", redact: [config.iflow.accessToken] });
    let journal: Journal;
    try {
      journal = await Journal.open(config.journal.dir, { logger });
    } catch (e) {
      if (e instanceof JournalError && e.code === "locked") {
        err("the agent is running and holds the journal; it syncs by itself (see `cli status`)");
        return EXIT.failed;
      }
      throw e;
    }
    const total = journal.stats().pending;
    const engine = new SyncEngine(journal, {
      iflow: { ...config.iflow, reconnectJitterMs: 0 },
      logger,
    });
    const tty = Deno.stderr.isTerminal();
    const enc = new TextEncoder();
    const draw = (line: string, final = false) => {
      if (tty) Deno.stderr.writeSync(enc.encode(`\r${line}${final ? "\n" : ""}`));
      else if (final) err(line);
    };
    try {
      draw(progressBar(0, total));
      const r = await engine.syncOnce({
        onProgress: (p) => draw(`${progressBar(p.sent, total)} sent, ${p.rejected} rejected`),
      });
      draw(`${progressBar(r.sent, total)} sent, ${r.rejected} rejected`, true);
      out(
        `sent ${r.sent} (${r.accepted} accepted, ${r.duplicate} already at iFlow, ${r.rejected} rejected) in ${r.batches} batch(es); ${r.pending} pending`,
      );
      if (!r.ok) err(`sync stopped: ${r.error}`);
      return r.ok ? EXIT.ok : EXIT.failed;
    } finally {
      await engine.stop(0);
      await journal.close();
    }
  },
};
