/**
 * `cli replay FILE [--json] [--as-reader PATH]`: a capture back through the
 * same decoders, frame by frame; or, with `--as-reader`, its bytes played
 * into a pty at the recorded pace so an agent can read the captured reader.
 *
 * @module
 */

import {
  chunks,
  parseCapture,
  type ParsedCapture,
  RecordType,
} from "../../driver/capture/format.ts";
import { OsdpPlayback, recordedPd } from "../../driver/capture/osdp_playback.ts";
import type { ReplayReport } from "../../driver/capture/replay.ts";
import { openPty, type Pty } from "../../driver/serial/pty.ts";
import { loadAes } from "../../driver/osdp/aes.ts";
import { clipForeign } from "../clip.ts";
import { readerKind } from "../readers/kinds/mod.ts";
import { type Command, EXIT, out, parseCommandArgs, UsageError } from "./command.ts";

/** Largest capture file `replay` reads. */
export const REPLAY_MAX_BYTES = 256 * 1024 * 1024;

/** Reads and replays a capture file through its kind's decoders. */
export async function replayFile(path: string): Promise<ReplayReport> {
  const info = await Deno.stat(path);
  if (!info.isFile) throw new UsageError(`${path}: not a regular file`);
  if (info.size > REPLAY_MAX_BYTES) {
    throw new UsageError(`${path}: ${info.size} bytes, more than ${REPLAY_MAX_BYTES}`);
  }
  const cap = await parseCapture(await Deno.readFile(path));
  const kind = readerKind(cap.header.kind);
  if (!kind) {
    throw new UsageError(
      `${path}: unknown reader kind ${JSON.stringify(clipForeign(cap.header.kind, 32))}`,
    );
  }
  if (cap.header.kind === "osdp") await loadAes(); // to follow a recorded Secure Channel
  return kind.replay(cap);
}

/** The report as text lines. */
export function formatReport(r: ReplayReport): string[] {
  const lines = [
    `${r.kind} reader ${
      clipForeign(r.reader, 64)
    }: ${r.records} records, ${r.frames.length} frames, ${r.scans.length} cards (tagFormat ${r.tagFormat})`,
  ];
  if (r.tear) lines.push(`torn at byte ${r.tear.offset}: ${r.tear.reason}; replayed up to there`);
  for (const f of r.frames) {
    const who = f.reader !== undefined ? ` @${f.reader}` : "";
    const what = f.what ? ` ${f.what}` : "";
    const result = f.tag !== undefined
      ? `-> ${f.tag}  (${Object.entries(f.tags ?? {}).map(([k, v]) => `${k} ${v}`).join(", ")})`
      : f.ok
      ? (f.error ? `(${f.error})` : "")
      : `FAILED: ${f.error}`;
    lines.push(
      `${f.time.toFixed(6).padStart(12)}  ${f.dir.padEnd(5)}${who}${what}  ${f.raw}  ${result}`
        .trimEnd(),
    );
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push(`counters: ${JSON.stringify(r.counters)}`);
  lines.push(`recorded counters at start: ${clipForeign(JSON.stringify(r.recorded.start), 2000)}`);
  if (r.recorded.end) {
    lines.push(
      `recorded counters at end: ${clipForeign(JSON.stringify(r.recorded.end.counters), 2000)}`,
    );
    if (r.recorded.end.dropped > 0) {
      lines.push(`the tap dropped ${r.recorded.end.dropped} records (its buffer was full)`);
    }
  }
  return lines;
}

/** Plays the bytes the reader sent into a new pty at the recorded pace; `link` names its path. */
async function playAsReader(path: string, link: string, delayMs: number): Promise<number> {
  const cap = await parseCapture(await Deno.readFile(path));
  if (!["ascii", "line", "osdp"].includes(cap.header.kind)) {
    throw new UsageError(
      `--as-reader plays serial captures (ascii, line, osdp), not ${cap.header.kind}`,
    );
  }
  const pty = openPty();
  await Deno.remove(link).catch(() => {});
  await Deno.symlink(pty.path, link);
  out(`playing ${path} as a ${cap.header.kind} reader at ${link} (${pty.path})`);
  if (cap.header.kind === "osdp") return await answerAsReader(cap, pty, link);
  try {
    await new Promise((r) => setTimeout(r, delayMs));
    const start = performance.now();
    let t0 = -1;
    let sent = 0;
    for (const ch of chunks(cap.records, cap.count)) {
      if (ch.type !== RecordType.rx) continue;
      const t = ch.sec * 1000 + ch.nsec / 1e6;
      if (t0 < 0) t0 = t;
      const wait = t - t0 - (performance.now() - start);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await pty.master.write(ch.data);
      sent += ch.data.length;
    }
    out(`played ${sent} bytes`);
    await new Promise((r) => setTimeout(r, 200)); // let the reader side drain
  } finally {
    await pty.close();
    await Deno.remove(link).catch(() => {});
  }
  return EXIT.ok;
}

/** How long an OSDP playback goes on answering after its last recorded read is due (ms). */
const OSDP_LINGER_MS = 60_000;

/**
 * OSDP: answers the panel's own commands with the recorded replies (see
 * `osdp_playback.ts`) until every recorded read was delivered and a second
 * passed, or {@link OSDP_LINGER_MS} after the last read was due.
 */
async function answerAsReader(cap: ParsedCapture, pty: Pty, link: string): Promise<number> {
  const pd = recordedPd(cap);
  const playback = new OsdpPlayback(pty.master, pd);
  out(
    `answering polls as reader ${pd.address} (any address polled; in clear): ` +
      `${pd.reads.length} recorded reads`,
  );
  const lastDue = pd.reads.at(-1)?.atMs ?? 0;
  const start = performance.now();
  playback.start();
  try {
    while (playback.pending > 0 && performance.now() - start < lastDue + OSDP_LINGER_MS) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1000)); // the panel journals and acknowledges
  } finally {
    await playback.close();
    await Deno.remove(link).catch(() => {});
  }
  const c = playback.counters;
  out(`answered ${c.commands} commands, delivered ${c.delivered} of ${pd.reads.length} reads`);
  if (c.refused > 0) out(`refused ${c.refused} Secure Channel commands (the playback is in clear)`);
  return c.delivered === pd.reads.length ? EXIT.ok : EXIT.failed;
}

/** The `replay` command. */
export const replayCommand: Command = {
  name: "replay",
  summary: "replay a capture through the decoders (or into a pty as the reader)",
  usage: [
    "Usage: deno task cli replay FILE [--json]",
    "       deno task cli replay FILE --as-reader PATH [--delay-ms N]",
    "",
    "Feeds a capture (from `cli capture`) through the same decoders the agent runs",
    "and prints each frame: time since the first record, direction, raw bytes or",
    "bits, and the rfidTag per tagFormat or why it failed; then the counters.",
    "A torn capture is replayed up to the tear. --json prints one JSON object.",
    "",
    "--as-reader PATH (ascii, line, osdp): opens a pty, links PATH to it, waits",
    "--delay-ms (default 1000), then writes the bytes the reader sent at the",
    "recorded pace; point a reader's port at PATH to run an agent against it.",
    "For osdp it answers the agent's own commands instead, in clear: each with the",
    "recorded reply that fits (re-addressed, the agent's sequence number), the",
    "recorded card reads at their recorded times; the agent's reader entry must not",
    "require Secure Channel.",
  ].join("\n"),
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: "boolean" },
      "as-reader": { type: "string" },
      "delay-ms": { type: "string" },
    }, true);
    const [file, ...rest] = positionals;
    if (!file || rest.length > 0) throw new UsageError("replay needs one capture FILE");
    if (values["as-reader"]) {
      const delay = Number(values["delay-ms"] ?? 1000);
      if (!Number.isInteger(delay) || delay < 0) {
        throw new UsageError("--delay-ms: expected a whole number");
      }
      return await playAsReader(file, values["as-reader"] as string, delay);
    }
    const report = await replayFile(file);
    if (values.json) out(JSON.stringify(report));
    else for (const line of formatReport(report)) out(line);
    return EXIT.ok;
  },
};
