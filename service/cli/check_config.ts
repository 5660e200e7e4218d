/**
 * `cli check-config FILE`: validates a config file and prints what the agent
 * would run; exit 2 with one message per problem otherwise.
 *
 * @module
 */

import { loadConfig } from "../config/mod.ts";
import { configWarnings } from "../config/warnings.ts";
import { type Command, err, EXIT, out, parseCommandArgs, UsageError } from "./command.ts";

/** The `check-config` command. */
export const checkConfigCommand: Command = {
  name: "check-config",
  summary: "validate a config file",
  usage: [
    "Usage: deno task cli check-config FILE",
    "",
    "Validates FILE (JSON or JSONC). Prints a summary and exits 0 when it is",
    "good; prints one line per problem (file, key path, what is expected) and",
    "exits 2 when it is not. Settings that are valid but risky (e.g. Wiegand",
    'unknownLengths "raw") are printed as warnings on stderr; the exit code stays 0.',
    "PONTAJ_IFLOW_TOKEN, when set, replaces iflow.accessToken;",
    "PONTAJ_STATUS_TOKEN, when set, replaces status.token.",
  ].join("\n"),
  async run(args) {
    const { positionals } = parseCommandArgs(args, {}, true);
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError("check-config needs one FILE");
    const c = await loadConfig(file);
    out(`${file}: ok`);
    out(`  timezone ${c.timezone}, debounce ${c.debounceMs} ms, status on ${c.status.listen}`);
    out(
      `  status export and actions: ${
        c.status.token ? "bearer token (set)" : "loopback clients only (no status.token)"
      }${c.status.allowedHosts.length ? `, also answers ${c.status.allowedHosts.join(", ")}` : ""}`,
    );
    out(`  journal ${c.journal.dir}`);
    out(`  iflow ${c.iflow.url} (mode ${c.iflow.mode}, batch ${c.iflow.batchSize})`);
    for (const r of c.readers) out(`  reader ${r.name}: ${r.kind}, tagFormat ${r.tagFormat}`);
    if (c.readers.length === 0) out("  no readers configured");
    for (const w of configWarnings(c, file)) err(`warning: ${w}`);
    return EXIT.ok;
  },
};
