/**
 * The `iflow` section of the agent configuration: where and how scans are sent.
 *
 * @module
 */

import { z } from "zod";
import { PACKAGE_VERSION } from "../version.ts";

/** The package version, sent to iFlow as `version` unless configured. */
export { PACKAGE_VERSION };

/** The documented offline endpoint. */
export const DEFAULT_IFLOW_URL =
  "https://app.iflow.ro/api/rfid_v2/offline_attendance/store_attendances";

/** Path of the live endpoint, appended to the origin of `iflow.url`. */
export const LIVE_PATH = "/api/rfid_devices/auto_attendance";

/** Shortest accepted access token: iFlow recommends a big random number, and redaction needs one. */
export const MIN_TOKEN_LENGTH = 16;

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`: http stays on the machine there. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Why `s` is not a usable iFlow URL, or null. The URL carries the token, so it must be private. */
export function iflowUrlProblem(s: string): string | null {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return "expected an http(s) URL";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return "expected an http(s) URL";
  if (u.username !== "" || u.password !== "") {
    return "must not contain a user name or password (user:pw@host); iFlow needs only the access token";
  }
  if (u.search !== "" || u.hash !== "" || /[?#]/.test(s)) {
    return "expected a URL without a query string or fragment";
  }
  if (u.protocol === "http:" && !isLoopbackHost(u.hostname)) {
    return "http:// would send the access token in clear; use https:// " +
      "(http is allowed only for localhost, 127.0.0.0/8 and [::1])";
  }
  return null;
}

const httpUrl = z.string().superRefine((s, ctx) => {
  const problem = iflowUrlProblem(s);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});

/** A plain token for `version`: printable ASCII without spaces, 1–64 characters. */
const versionToken = z.string().regex(
  /^[\x21-\x7e]{1,64}$/,
  "expected a plain version like 1.0 (1–64 printable ASCII characters, no spaces or control characters)",
);

/**
 * Zod schema of the `iflow` config section (strict: unknown keys are errors), with defaults.
 *
 * @example
 * ```ts
 * import { IflowConfigSchema } from "./config.ts";
 * const cfg = IflowConfigSchema.parse({ accessToken: "87315600429917345" });
 * cfg.batchSize; // 50
 * ```
 */
export const IflowConfigSchema: z.ZodType<IflowConfig, IflowConfigInput> = z.strictObject({
  /** Full URL of the offline endpoint (`store_attendances`). */
  url: httpUrl.default(DEFAULT_IFLOW_URL),
  /** The device access token registered in iFlow (settings -> rfid devices). Secret. */
  accessToken: z.string().min(
    MIN_TOKEN_LENGTH,
    `too short: the device access token registered in iFlow needs at least ${MIN_TOKEN_LENGTH} characters (iFlow recommends a big random number)`,
  ),
  /** Client version sent as `version`. */
  version: versionToken.default(PACKAGE_VERSION),
  /** Request timeout. */
  timeoutMs: z.number().int().min(100).max(600_000).default(15_000),
  /** Records per batch at most. */
  batchSize: z.number().int().min(1).max(1000).default(50),
  /** The whole request URL stays within this many bytes (a single record always goes). */
  maxUrlBytes: z.number().int().min(256).max(1_000_000).default(8000),
  /** Before draining a backlog (after an outage, at start), a random pause up to this long. */
  reconnectJitterMs: z.number().int().min(0).max(3_600_000).default(15_000),
  /** Backoff ceiling after the first failure (full jitter below it, doubled per failure). */
  backoffBaseMs: z.number().int().min(1).max(600_000).default(8000),
  /** Largest backoff ceiling: after an outage every agent is back within it (README: sizing). */
  backoffCapMs: z.number().int().min(1).max(3_600_000).default(45_000),
  /** While the token is refused, check again this often. */
  authRecheckMs: z.number().int().min(1).max(86_400_000).default(300_000),
  /** Even without a wake-up, look for pending scans this often. */
  pollMs: z.number().int().min(1).max(60_000).default(1000),
  /** `"batch"`: offline endpoint only; `"live"`: fresh scans go to `auto_attendance` first. */
  mode: z.enum(["batch", "live"]).default("batch"),
  /** Live endpoint URL; default: origin of `url` + `/api/rfid_devices/auto_attendance`. */
  liveUrl: httpUrl.optional(),
  /** A scan younger than this (and nothing older pending) goes live in `"live"` mode. */
  liveMaxAgeMs: z.number().int().min(0).max(600_000).default(10_000),
});

/** The parsed `iflow` section (defaults applied); see {@link IflowConfigSchema} for each key. */
export interface IflowConfig {
  /** Full URL of the offline endpoint. */
  url: string;
  /** Device access token (secret). */
  accessToken: string;
  /** Client version sent as `version`. */
  version: string;
  /** Request timeout, ms. */
  timeoutMs: number;
  /** Records per batch at most. */
  batchSize: number;
  /** Request URL length limit. */
  maxUrlBytes: number;
  /** Random delay bound after an outage, ms. */
  reconnectJitterMs: number;
  /** Backoff base, ms. */
  backoffBaseMs: number;
  /** Backoff cap, ms. */
  backoffCapMs: number;
  /** Auth re-check period, ms. */
  authRecheckMs: number;
  /** Pending check period without wake-ups, ms. */
  pollMs: number;
  /** Sync mode. */
  mode: "batch" | "live";
  /** Live endpoint URL override. */
  liveUrl?: string | undefined;
  /** Freshness limit for live scans, ms. */
  liveMaxAgeMs: number;
}

/** The `iflow` section as written in a config file: only `accessToken` is required. */
export type IflowConfigInput = Partial<IflowConfig> & { accessToken: string };

/** The live endpoint URL for a config: `liveUrl`, or `url`'s origin + {@link LIVE_PATH}. */
export function liveUrlOf(cfg: Pick<IflowConfig, "url" | "liveUrl">): string {
  return cfg.liveUrl ?? new URL(cfg.url).origin + LIVE_PATH;
}

/**
 * Parses an `iflow` config section (defaults applied); throws an Error whose
 * message names each bad key and what is expected.
 */
export function parseIflowConfig(input: unknown): IflowConfig {
  const r = IflowConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `iflow.${i.path.join(".") || "(section)"}: ${i.message}`);
  throw new Error(lines.join("\n"));
}
