/**
 * Helpers shared by the sync tests: scans with consistent local date/time,
 * polling, a token-checking log sink, and test-speed engine config.
 */

import { type IflowConfig, localDateTime, parseIflowConfig } from "../../../service/iflow/mod.ts";
import { Journal, type ScanInput } from "../../../service/journal/mod.ts";

/** A token with characters that change under URL encoding. */
export const TOKEN = "dev-7731/ă+&=tok";

/** Bucharest offset at `epochMs`, minutes east of UTC. */
function offsetMin(epochMs: number): number {
  const { date, time } = localDateTime(epochMs, "Europe/Bucharest");
  return Math.round((Date.parse(`${date}T${time}Z`) - Math.floor(epochMs / 1000) * 1000) / 60000);
}

/** A scan of `rfidTag` read at `epochMs` (date/time in Bucharest). */
export function scan(rfidTag: string, epochMs: number, extra: Partial<ScanInput> = {}): ScanInput {
  const { date, time } = localDateTime(epochMs, "Europe/Bucharest");
  return {
    reader: "gate-1",
    rfidTag,
    epochMs,
    date,
    time,
    utcOffsetMin: offsetMin(epochMs),
    bootId: "boot-test",
    clockUnsynced: false,
    errorMsg: "",
    ...extra,
  };
}

/** Test-speed engine config against `url` (ms-scale backoff, no reconnect jitter). */
export function fastConfig(url: string, over: Partial<IflowConfig> = {}): IflowConfig {
  return parseIflowConfig({
    url,
    accessToken: TOKEN,
    timeoutMs: 2000,
    backoffBaseMs: 5,
    backoffCapMs: 40,
    reconnectJitterMs: 0,
    authRecheckMs: 40,
    pollMs: 20,
    ...over,
  });
}

/** Polls `pred` every 5 ms until true; throws after `timeoutMs` with `what`. */
export async function waitFor(
  pred: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A log sink that keeps every line (JSON) for later token checks. */
export function captureLogs(): {
  lines: string[];
  logger: (level: string, msg: string, fields?: Record<string, unknown>) => void;
} {
  const lines: string[] = [];
  return {
    lines,
    logger: (level, msg, fields) => lines.push(JSON.stringify({ level, msg, fields })),
  };
}

/** True when `text` contains the token in any form. */
export function leaksToken(text: string): boolean {
  return text.includes(TOKEN) || text.includes(encodeURIComponent(TOKEN)) ||
    text.includes("dev-7731");
}

/** Runs `fn` with a real journal in a fresh temp dir, removed afterwards. */
export async function withJournal(fn: (j: Journal) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-sync-" });
  const j = await Journal.open(dir);
  try {
    await fn(j);
  } finally {
    await j.close();
    await Deno.remove(dir, { recursive: true });
  }
}
