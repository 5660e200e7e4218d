/**
 * The agent's configuration file, validated with zod. Unknown keys are errors
 * everywhere, so a typo never passes silently.
 *
 * ```jsonc
 * {
 *   "timezone": "Europe/Bucharest",
 *   "journal": { "dir": "/var/lib/pontaj/journal" },
 *   "iflow": { "accessToken": "…" },            // or env PONTAJ_IFLOW_TOKEN
 *   "readers": [
 *     { "name": "gate-1", "kind": "ascii", "port": "/dev/ttyUSB0", "tagFormat": "dec10" }
 *   ],
 *   "debounceMs": 3000,
 *   "status": { "listen": "127.0.0.1:8780" }
 * }
 * ```
 *
 * @module
 */

import { z } from "zod";
import { type IflowConfig, IflowConfigSchema } from "../iflow/config.ts";
import { type StatusConfig, StatusConfigSchema } from "../status/config.ts";
import { type ReaderConfig, readerEntrySchema, readerIssues } from "../readers/kinds/entries.ts";
import { type GateConfig, gateIssues, GatesSchema } from "../gates/config.ts";

export type { ReaderConfig };

const knownZones = new Set<string>();

/** True when `tz` is an IANA time zone this runtime knows (answers are remembered). */
export function isTimeZone(tz: string): boolean {
  if (knownZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    return false;
  }
  if (knownZones.size < 64) knownZones.add(tz);
  return true;
}

/** Where and how scans are journaled. */
export interface JournalConfig {
  /** Journal directory (created if missing). */
  dir: string;
  /** Segment size in bytes (default 16 MiB). */
  segmentBytes: number;
  /** Gzip finished segments into `archive/` instead of deleting them. */
  archive: boolean;
  /** Days archived segments are kept. */
  archiveDays: number;
  /** Days damaged bytes set aside by recovery (`*.broken`, `*.corrupt`) are kept (default 30). */
  keepDamagedDays: number;
  /** Scans held in memory while the disk fails (default 10,000). */
  queueLimit: number;
}

/** A validated config (defaults applied). */
export interface Config {
  /** IANA zone for the date/time sent to iFlow (default Europe/Bucharest). */
  timezone: string;
  /** The journal. */
  journal: JournalConfig;
  /** iFlow endpoint, token and batching. */
  iflow: IflowConfig;
  /** The readers. */
  readers: ReaderConfig[];
  /** Debounce window, ms (default 3000). */
  debounceMs: number;
  /** Status endpoint. */
  status: StatusConfig;
  /** Log threshold. */
  log: { level: "debug" | "info" | "warn" | "error" };
  /** Gates driven by scans (empty: the agent only records). */
  gates: GateConfig[];
}

/** The whole config file. */
export const ConfigSchema: z.ZodType<Config, unknown> = z.strictObject({
  /** IANA zone for the `date`/`time` sent to iFlow. */
  timezone: z.string().default("Europe/Bucharest").refine(isTimeZone, {
    message: "expected an IANA time zone such as Europe/Bucharest",
  }),
  /** Where scans are journaled. */
  journal: z.strictObject({
    dir: z.string().min(1, "the journal directory"),
    segmentBytes: z.number().int().min(4096).max(1 << 30).default(16 * 1024 * 1024),
    archive: z.boolean().default(false),
    archiveDays: z.number().int().min(1).max(3650).default(30),
    keepDamagedDays: z.number().int().min(1).max(3650).default(30),
    queueLimit: z.number().int().min(1).max(1_000_000).default(10_000),
  }),
  /** iFlow endpoint and token. */
  iflow: IflowConfigSchema,
  /** The readers wired to this controller. */
  readers: z.array(readerEntrySchema()).default([]).superRefine((readers, ctx) => {
    const seen = new Set<string>();
    readers.forEach((r, i) => {
      if (seen.has(r.name)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `duplicate reader name '${r.name}'`,
        });
      }
      seen.add(r.name);
    });
    for (const issue of readerIssues(readers)) ctx.addIssue({ code: "custom", ...issue });
  }),
  /** The same tag on the same reader within this window is dropped (counted). */
  debounceMs: z.number().int().min(0).max(3_600_000).default(3000),
  /** Status endpoint. */
  status: StatusConfigSchema,
  /** Log threshold. */
  log: z.strictObject({
    level: z.enum(["debug", "info", "warn", "error"]).default("info"),
  }).default({ level: "info" }),
  /** Gates driven by scans (`service/gates/config.ts`). */
  gates: GatesSchema,
}).superRefine((c, ctx) => {
  for (const issue of gateIssues(c)) ctx.addIssue({ code: "custom", ...issue });
});
