/**
 * `cli osdp rekey --config FILE --reader NAME`: rotates an OSDP reader's
 * Secure Channel key while the agent is stopped. The new random key is
 * stored first (`osdp-keys.json` in the journal directory), then set with
 * `osdp_KEYSET` under the current session, and the reader reconnects under
 * it. Keys are never printed.
 *
 * @module
 */

import { loadConfig } from "../config/mod.ts";
import { groupOsdpReaders } from "../../driver/osdp/config.ts";
import { entriesOf } from "../readers/kinds/mod.ts";
import { osdpKind } from "../readers/kinds/osdp.ts";
import { OsdpBus } from "../../driver/osdp/mod.ts";
import { denoFs } from "../journal/fs.ts";
import { takeLock } from "../journal/lock.ts";
import { JournalError } from "../journal/mod.ts";
import { OsdpKeyFile } from "../readers/osdp_keys.ts";
import { type Command, err, EXIT, out, parseCommandArgs, UsageError } from "./command.ts";

const USAGE = [
  "Usage: deno task cli osdp rekey --config FILE --reader NAME [--timeout-ms N]",
  "",
  "Gives an OSDP reader a new random Secure Channel key, with the agent stopped:",
  "the key is stored first in osdp-keys.json (journal directory), then set with",
  "osdp_KEYSET under the reader's current session; the reader then reconnects",
  "under it. Exit 0 when the reader is online on the new key, 1 otherwise.",
].join("\n");

async function rekey(configPath: string, name: string, timeoutMs: number): Promise<number> {
  const config = await loadConfig(configPath);
  const osdp = entriesOf(osdpKind, config.readers).map((e) => e.reader);
  const reader = osdp.find((r) => r.name === name);
  if (!reader) throw new UsageError(`no osdp reader named "${name.slice(0, 60)}" in ${configPath}`);
  if (!reader.secureChannel) {
    err(`reader ${name}: no secureChannel configured; a key can only be set over a secure channel`);
    return EXIT.failed;
  }
  const line = groupOsdpReaders(osdp).find((l) => l.readers.some((r) => r.name === name))!;
  const spec = line.readers.find((r) => r.name === name)!;
  let lock;
  try {
    await Deno.mkdir(config.journal.dir, { recursive: true });
    lock = await takeLock(denoFs, config.journal.dir);
  } catch (e) {
    if (!(e instanceof JournalError && e.code === "locked")) throw e;
    err("the agent is running (it holds the journal); stop it before rekeying a reader");
    return EXIT.failed;
  }
  try {
    const keys = await OsdpKeyFile.open(config.journal.dir);
    const bus = await OsdpBus.open(line.port, {
      baudRate: line.baudRate,
      rs485: line.rs485,
      readers: [spec],
      timing: line.timing,
      reopen: false,
      keyStore: keys.forPort(line.port),
      logger: (level, msg, fields) => {
        if (level === "warn" || level === "error") {
          err(`${level}: ${msg} ${JSON.stringify(fields ?? {})}`);
        }
      },
    });
    try {
      const end = Date.now() + timeoutMs;
      while (!bus.readerStatus(spec.address)!.online && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const before = bus.readerStatus(spec.address)!;
      if (!before.online) {
        err(
          `reader ${name} is not online (${before.phase}: ${
            before.refusal ?? before.lastError ?? "no reply"
          })`,
        );
        return EXIT.failed;
      }
      const ok = await bus.rekey(spec.address, undefined, Math.max(1000, end - Date.now()));
      const st = bus.readerStatus(spec.address)!;
      if (!ok) {
        err(
          `reader ${name}: key not changed (${
            st.lastError ?? st.secureChannelError ?? st.secureChannel
          })`,
        );
        return EXIT.failed;
      }
      out(
        `reader ${name}: new key installed and stored in ${keys.path}; secure channel ${st.secureChannel} on the ${st.keySource} key`,
      );
      return EXIT.ok;
    } finally {
      await bus.close();
    }
  } finally {
    lock.close();
  }
}

/** The `osdp` command (`osdp rekey`). */
export const osdpCommand: Command = {
  name: "osdp",
  summary: "OSDP reader maintenance: rekey (new Secure Channel key; agent stopped)",
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== "rekey") {
      throw new UsageError(
        sub ? `unknown osdp command '${sub.slice(0, 40)}'` : "osdp needs a subcommand",
      );
    }
    const { values } = parseCommandArgs(rest, {
      config: { type: "string" },
      reader: { type: "string" },
      "timeout-ms": { type: "string" },
    });
    if (!values.config || !values.reader) {
      throw new UsageError("osdp rekey needs --config FILE and --reader NAME");
    }
    const t = Number(values["timeout-ms"] ?? 15000);
    if (!Number.isInteger(t) || t < 100) {
      throw new UsageError("--timeout-ms: expected an integer ≥ 100");
    }
    return await rekey(values.config as string, values.reader as string, t);
  },
};
