/**
 * Validates and classifies replies of the live endpoint (`rfid_devices/auto_attendance`).
 *
 * iFlow stamps a live scan with its own clock and decides check-in or check-out
 * itself. Only a 2xx JSON reply with a user and an empty `scan_msg` counts as
 * stored; everything else is "not stored" and the scan goes to the offline
 * endpoint. `certain` tells whether iFlow answered in full (so it surely did not
 * store it) or the outcome is unknown (timeout, dropped connection, 5xx,
 * garbled body): the sync engine treats those with care (see `service/sync`).
 *
 * @module
 */

import { z } from "zod";
import { clipForeign } from "../clip.ts";
import { isDeviceAuthMessage } from "./reply.ts";

/** A live reply, as far as the agent reads it. */
export interface LiveReplyBody {
  /** The reply proper. */
  api_reply: {
    /** Non-empty when the scan was not taken. */
    scan_msg?: string | null | undefined;
    /** The employee the card belongs to. */
    user?: { ID: string; full_name: string } | null | undefined;
    /** The employee's intervals of the day (seconds since local midnight). */
    event?:
      | {
        ID?: string | undefined;
        date?: string | undefined;
        start_time?: string | number | null | undefined;
        end_time?: string | number | null | undefined;
      }[]
      | null
      | undefined;
  };
}

/** Zod schema of a live reply (only the parts the agent uses; extra keys allowed). */
export const LiveReplySchema: z.ZodType<LiveReplyBody> = z.looseObject({
  api_reply: z.looseObject({
    scan_msg: z.string().nullish(),
    user: z.looseObject({
      ID: z.union([z.string(), z.number()]).transform(String),
      full_name: z.string(),
    }).nullish(),
    event: z.array(z.looseObject({
      ID: z.union([z.string(), z.number()]).transform(String).optional(),
      date: z.string().optional(),
      start_time: z.union([z.string(), z.number()]).nullish(),
      end_time: z.union([z.string(), z.number()]).nullish(),
    })).nullish(),
  }),
});

/** Check-in or check-out as iFlow decided (`unknown` when the reply does not say). */
export type LiveAction = "check-in" | "check-out" | "unknown";

/** What a live call came to. */
export type LiveReply =
  | { kind: "stored"; userId: string; userName: string; action: LiveAction }
  | { kind: "not-stored"; certain: boolean; reason: string }
  | { kind: "auth"; reason: string };

/** Seconds since midnight from iFlow's `start_time`/`end_time`, or null. */
function secs(v: string | number | null | undefined): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * Classifies one live-endpoint HTTP reply.
 *
 * @example
 * ```ts
 * import { classifyLiveReply } from "./live.ts";
 * const body = JSON.stringify({ api_reply: { scan_msg: "", user: { ID: "7", full_name: "Ana Pop" },
 *   event: [{ start_time: "28800", end_time: null }] } });
 * classifyLiveReply(200, body); // { kind: "stored", userId: "7", userName: "Ana Pop", action: "check-in" }
 * ```
 */
export function classifyLiveReply(
  status: number,
  body: string,
  scrub: (text: string) => string = (s) => s,
): LiveReply {
  const clip = (s: string) =>
    clipForeign(scrub(s.length > 1200 ? s.slice(0, 1200) : s), undefined, s.length);
  if (status === 401 || status === 403) return { kind: "auth", reason: `HTTP ${status}` };
  if (status >= 500) return { kind: "not-stored", certain: false, reason: `HTTP ${status}` };
  if (status < 200 || status > 299) {
    return { kind: "not-stored", certain: true, reason: `HTTP ${status}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: "not-stored", certain: false, reason: "non-JSON live reply" };
  }
  const parsed = LiveReplySchema.safeParse(json);
  if (!parsed.success) {
    const texts = json && typeof json === "object"
      ? Object.values(json).slice(0, 64).map((v) => typeof v === "string" ? v : "")
      : [];
    const auth = texts.find(isDeviceAuthMessage);
    if (auth !== undefined) return { kind: "auth", reason: `iFlow: ${clip(auth)}` };
    return { kind: "not-stored", certain: false, reason: "live reply does not match the schema" };
  }
  const r = parsed.data.api_reply;
  const msg = r.scan_msg ?? "";
  if (msg.trim() !== "") {
    if (isDeviceAuthMessage(msg)) return { kind: "auth", reason: `iFlow: ${clip(msg)}` };
    return { kind: "not-stored", certain: true, reason: `iFlow: ${clip(msg)}` };
  }
  if (!r.user) return { kind: "not-stored", certain: true, reason: "live reply names no user" };
  let action: LiveAction = "unknown";
  let latest = -1;
  for (const e of r.event ?? []) {
    const start = secs(e.start_time);
    const end = secs(e.end_time);
    const at = Math.max(start ?? -1, end ?? -1);
    if (at >= latest) {
      latest = at;
      action = end === null ? "check-in" : "check-out";
    }
  }
  return { kind: "stored", userId: r.user.ID, userName: r.user.full_name, action };
}
