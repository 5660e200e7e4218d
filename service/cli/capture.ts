/**
 * `cli capture --config FILE --reader NAME --seconds N [--out FILE]`: records
 * a reader's raw traffic. Asks the running agent first (the status link
 * `status` uses); with the agent stopped, opens the reader itself.
 *
 * @module
 */

import { FileOutput } from "../../driver/capture/writer.ts";
import { loadConfig } from "../config/mod.ts";
import { createLogger } from "../log.ts";
import { CAPTURE_MAX_SECONDS, captureReader } from "../readers/capture.ts";
import { entriesOf, type ReaderConfig, readerKind } from "../readers/kinds/mod.ts";
import type { ReaderDriver } from "../readers/types.ts";
import { agentFetch } from "./agent_link.ts";
import { type Command, err, EXIT, out, parseCommandArgs, UsageError } from "./command.ts";
import { exportCapture, redactFile } from "./capture_export.ts";

/** Opens the reader's device on its own, records it, closes it. */
async function captureStandalone(
  readers: readonly ReaderConfig[],
  reader: ReaderConfig,
  seconds: number,
  path: string,
): Promise<number> {
  const kind = readerKind(reader.kind)!;
  const log = createLogger({ level: "warn" });
  const same = entriesOf(kind, readers).map((e) => e.reader);
  const devices = kind.devices(same, {
    warn: (name, msg) => err(`${name}: ${msg}`),
    log,
    overrides: {},
  });
  const device = devices.find((d) => d.names.includes(reader.name))!;
  const driver: ReaderDriver = device.create();
  let opened!: () => void;
  const open = new Promise<void>((r) => opened = r);
  const running = driver.run({ onOpen: () => opened(), onCard: () => {} });
  const failed = running.then(
    () => Promise.reject(new Error(`${reader.name}: the reader closed before it opened`)),
  );
  try {
    await Promise.race([open, failed]);
    const file = await FileOutput.create(path);
    const s = await captureReader({ reader, driver: () => driver, seconds, out: file });
    out(
      `${path}: ${s.records} records, ${s.bytes} bytes${s.dropped ? `, ${s.dropped} dropped` : ""}`,
    );
    return EXIT.ok;
  } finally {
    await driver.close();
    await running.catch(() => {});
  }
}

/** The `capture` command. */
export const captureCommand: Command = {
  name: "capture",
  summary: "record a reader's raw traffic to a file (agent running or stopped)",
  usage: [
    "Usage: deno task cli capture --config FILE --reader NAME --seconds N [--out FILE]",
    "                             [--format pjcap|pcap] [--redact]",
    "",
    "Records what the reader sends and is sent (serial bytes by direction, Wiegand",
    "edges with their kernel timestamps, RC522 register transfers) for N seconds",
    `(1 to ${CAPTURE_MAX_SECONDS}). When an agent answers at status.listen it records`,
    "while it keeps reading; otherwise the reader is opened here (stop the agent",
    "first). --out defaults to NAME-<time>.pjcap; replay it with `cli replay`.",
    "--format pcap (osdp): also writes FILE.pcapng, one OSDP packet per frame with",
    "its direction, for Wireshark and tshark. --redact replaces card bits with",
    "bits from a keyed hash (random key, not stored; not reversible), keeping",
    "lengths, checksums, parity, BCC and CRC_A valid, so the file can be shared.",
  ].join("\n"),
  async run(args) {
    const { values } = parseCommandArgs(args, {
      config: { type: "string" },
      reader: { type: "string" },
      seconds: { type: "string" },
      out: { type: "string" },
      format: { type: "string" },
      redact: { type: "boolean" },
    });
    if (!values.config) throw new UsageError("capture needs --config FILE");
    if (!values.reader) throw new UsageError("capture needs --reader NAME");
    const seconds = Number(values.seconds);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > CAPTURE_MAX_SECONDS) {
      throw new UsageError(`--seconds: expected a whole number from 1 to ${CAPTURE_MAX_SECONDS}`);
    }
    const format = (values.format as string | undefined) ?? "pjcap";
    if (format !== "pjcap" && format !== "pcap") {
      throw new UsageError(`--format: expected pjcap or pcap, got ${JSON.stringify(format)}`);
    }
    const config = await loadConfig(values.config as string);
    const name = values.reader as string;
    const reader = config.readers.find((r) => r.name === name);
    if (!reader) {
      throw new UsageError(
        `no reader named ${JSON.stringify(name)} in ${values.config}; readers: ${
          config.readers.map((r) => r.name).join(", ")
        }`,
      );
    }
    if (format === "pcap" && reader.kind !== "osdp") {
      throw new UsageError("--format pcap is for osdp readers");
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const path = (values.out as string | undefined) ?? `${name}-${stamp}.pjcap`;
    const query = `/actions/capture?reader=${encodeURIComponent(name)}&seconds=${seconds}`;
    const res = await agentFetch(
      config.status,
      query,
      { method: "POST" },
      seconds * 1000 + 30_000,
    );
    let code: number;
    if (res === null) {
      code = await captureStandalone(config.readers, reader, seconds, path);
    } else if (!res.ok) {
      const body = await res.text();
      err(`the agent refused the capture (${res.status}): ${body.slice(0, 300).trim()}`);
      return EXIT.failed;
    } else {
      const bytes = new Uint8Array(await res.arrayBuffer());
      await Deno.writeFile(path, bytes);
      out(`${path}: ${bytes.length} bytes, recorded by the running agent`);
      code = EXIT.ok;
    }
    if (code === EXIT.ok && values.redact) {
      for (const note of await redactFile(path)) out(`redact: ${note}`);
      out(`${path}: card bits redacted (lengths and checks kept)`);
    }
    if (code === EXIT.ok && format === "pcap") {
      const n = await exportCapture(path, `${path}.pcapng`);
      out(`${path}.pcapng: ${n} OSDP packets`);
    }
    return code;
  },
};
