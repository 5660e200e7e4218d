/**
 * Validates and classifies replies of the offline endpoint (`store_attendances`).
 *
 * Each reply entry is matched to the record sent at the same position, and must
 * carry the same (date, time, rfidTag); anything else makes the whole batch
 * transient so it is sent again (iFlow reports re-sent scans as duplicates).
 *
 * @module
 */

import { z } from "zod";
import { clipForeign } from "../clip.ts";

/** One scan as sent in `csv_data`. */
export interface WireRecord {
  /** Local date, `YYYY-MM-DD`. */
  date: string;
  /** Local time, `HH:MM:SS`. */
  time: string;
  /** The card code. */
  rfidTag: string;
  /** Device-side error text, usually empty. */
  errorMsg: string;
}

/** The error fields of a reply entry (the journal's `RejectField`). */
export type IflowRejectField = "error_authenticate" | "error_check_in_out" | "error_csv";

/** Final outcome of one record (same shape as the journal's `Outcome`). */
export type IflowOutcome =
  | { kind: "accepted" }
  | { kind: "duplicate"; iflowId?: string }
  | { kind: "rejected"; field: IflowRejectField; message: string };

/** What one request to the offline endpoint came to. */
export type BatchReply =
  | { kind: "ok"; outcomes: IflowOutcome[] }
  | { kind: "transient"; reason: string; retryAfterMs?: number }
  | { kind: "auth"; reason: string }
  | { kind: "too-long"; reason: string };

/**
 * Zod schema of one entry of an offline-endpoint reply. Keys beyond these are
 * dropped; nulls are kept (read as "" by the classifier). Plain fields without
 * transforms let zod take its compiled fast path: a 50-entry reply checks in
 * about 10 µs instead of 30.
 */
export const ReplyEntrySchema: z.ZodType<ReplyEntry> = z.object({
  date: z.string(),
  time: z.string(),
  rfidTag: z.union([z.string(), z.number()]),
  errorMsg: z.string().nullish(),
  error_authenticate: z.string().nullable(),
  error_check_in_out: z.string().nullable(),
  error_csv: z.string().nullable(),
});

/** One validated reply entry. */
export interface ReplyEntry {
  /** Date as echoed by iFlow. */
  date: string;
  /** Time as echoed by iFlow. */
  time: string;
  /** Card code as echoed by iFlow (a string, or a number for numeric codes). */
  rfidTag: string | number;
  /** Echoed device error text. */
  errorMsg?: string | null | undefined;
  /** Employee/card problem, or (when it names the device/token) an auth failure. */
  error_authenticate: string | null;
  /** Check-in/out problem: duplicate, overlap. */
  error_check_in_out: string | null;
  /** Malformed row. */
  error_csv: string | null;
}

/** Zod schema of a whole offline-endpoint reply: an array of entries. */
export const ReplySchema: z.ZodType<ReplyEntry[]> = z.array(ReplyEntrySchema);

/** Lower case, diacritics removed (ă, â, î, ș/ş, ț/ţ all fold to ASCII). */
export function foldText(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

const DUPLICATE_RE = /prezenta\s+duplicata/;

/**
 * If `message` says the attendance is a duplicate ("prezență duplicată", any case,
 * with or without diacritics), returns `{ iflowId }` (the id after the colon, if any);
 * otherwise `null`.
 */
export function parseDuplicate(message: string): { iflowId?: string } | null {
  if (message === "") return null;
  const folded = foldText(message);
  const m = DUPLICATE_RE.exec(folded);
  if (!m) return null;
  const id = /[:\s]\s*([A-Za-z0-9_-]+)\s*\.?\s*$/.exec(folded.slice(m.index + m[0].length));
  return id ? { iflowId: id[1]! } : {};
}

/** What a token refusal talks about: the access token or the device. */
const TOKEN_SUBJECT = /access[\s_-]?token|\btoken\b|dispozitiv|\bdevice\b|\bterminal\b/;
/** How iFlow (Romanian or English) says it refuses it. */
const TOKEN_REFUSAL =
  /invalid|nu este inregistrat|neinregistrat|not registered|unregistered|unknown|necunoscut|inexistent|not found|negasit|expir|revo[ck]|dezactivat|disabled|unauthori[sz]ed|neautorizat|forbidden|refuz|denied/;

/**
 * True when `message` is iFlow's refusal of the device or its token (for
 * example "Dispozitivul RFID nu este înregistrat: access_token invalid" or
 * "Token invalid"): it names the token or the device *and* says it is
 * invalid, unknown, unregistered, expired or refused. A per-employee problem
 * (a card, an employee) is never one, nor is a message that merely contains
 * "access" or "device" ("Database access timeout, please retry").
 */
export function isDeviceAuthMessage(message: string): boolean {
  if (message === "") return false;
  const f = foldText(message.length > 1000 ? message.slice(0, 1000) : message);
  if (/cartel|angajat/.test(f)) return false;
  return TOKEN_SUBJECT.test(f) && TOKEN_REFUSAL.test(f);
}

/** Milliseconds from a `Retry-After` header (seconds or HTTP date), or undefined. */
export function parseRetryAfter(
  value: string | null,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, 3_600_000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.min(Math.max(0, t - nowMs), 3_600_000);
}

const ACCEPTED: IflowOutcome = Object.freeze({ kind: "accepted" });

function classifyEntry(e: ReplyEntry): IflowOutcome {
  const inOut = e.error_check_in_out ?? "";
  const csv = e.error_csv ?? "";
  const auth = e.error_authenticate ?? "";
  if (inOut === "" && csv === "" && auth === "") return ACCEPTED;
  const dup = parseDuplicate(inOut);
  if (dup) return { kind: "duplicate", ...dup };
  if (csv.trim() !== "") return { kind: "rejected", field: "error_csv", message: csv };
  if (auth.trim() !== "") return { kind: "rejected", field: "error_authenticate", message: auth };
  if (inOut.trim() !== "") return { kind: "rejected", field: "error_check_in_out", message: inOut };
  return ACCEPTED;
}

/** The strings inside a JSON value (at most 64, five levels deep), where iFlow puts its message. */
function stringsIn(value: unknown, out: string[], depth = 0): string[] {
  if (out.length >= 64) return out;
  if (typeof value === "string") out.push(value);
  else if (value && typeof value === "object" && depth < 5) {
    for (const k in value) {
      stringsIn((value as Record<string, unknown>)[k], out, depth + 1);
      if (out.length >= 64) break;
    }
  }
  return out;
}

/** Foreign text for a reason: scrubbed of secrets first (so no half token survives), then clipped. */
function clip(s: string, scrub: (s: string) => string, n = 120): string {
  return clipForeign(scrub(s.length > 4 * n ? s.slice(0, 4 * n) : s), n, s.length);
}

const same = (s: string) => s;

/**
 * Classifies one offline-endpoint HTTP reply for the batch `sent`. Cheap
 * checks come first: the reply must be a JSON array with one entry per record
 * before any entry is validated. `scrub` (the client's token redactor) is
 * applied to every foreign text quoted in a reason, which is then clipped.
 *
 * @example
 * ```ts
 * import { classifyOfflineReply } from "./reply.ts";
 * const sent = [{ date: "2024-05-06", time: "08:00:00", rfidTag: "1", errorMsg: "" }];
 * const body = JSON.stringify([{ ...sent[0], error_authenticate: "", error_check_in_out: "", error_csv: "" }]);
 * classifyOfflineReply(sent, 200, null, body); // { kind: "ok", outcomes: [{ kind: "accepted" }] }
 * ```
 */
export function classifyOfflineReply(
  sent: readonly WireRecord[],
  status: number,
  retryAfter: string | null,
  body: string,
  scrub: (text: string) => string = same,
): BatchReply {
  if (status === 401 || status === 403) return { kind: "auth", reason: `HTTP ${status}` };
  if (status === 414) return { kind: "too-long", reason: "HTTP 414 URI Too Long" };
  if (status < 200 || status > 299) {
    const ra = parseRetryAfter(retryAfter);
    const reason = `HTTP ${status}`;
    return ra === undefined ? { kind: "transient", reason } : {
      kind: "transient",
      reason,
      retryAfterMs: ra,
    };
  }
  const trimmed = body.trimStart();
  if (trimmed.startsWith("<")) return { kind: "transient", reason: `HTML reply (HTTP ${status})` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {
      kind: "transient",
      reason: `non-JSON reply: ${JSON.stringify(clip(body, scrub, 60))}`,
    };
  }
  if (!Array.isArray(json)) {
    if (json !== null && typeof json === "object") {
      const texts = stringsIn(json, []);
      const auth = texts.find(isDeviceAuthMessage);
      if (auth !== undefined) return { kind: "auth", reason: `iFlow: ${clip(auth, scrub)}` };
      const said = texts.find((t) => t.trim() !== "");
      if (said !== undefined) {
        return { kind: "transient", reason: `iFlow: ${clip(said, scrub)}` };
      }
    }
    return { kind: "transient", reason: `reply is not an array (${typeOf(json)})` };
  }
  if (json.length !== sent.length) {
    return {
      kind: "transient",
      reason: `reply has ${json.length} entries for ${sent.length} records`,
    };
  }
  const parsed = ReplySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: "transient",
      reason: `reply does not match the schema at ${issue?.path.join(".") ?? "?"}: ${
        clip(issue?.message ?? "", scrub)
      }`,
    };
  }
  const entries = parsed.data;
  const outcomes: IflowOutcome[] = [];
  let auth: string | null = null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const s = sent[i]!;
    const tag = typeof e.rfidTag === "string" ? e.rfidTag : String(e.rfidTag);
    if (e.date.trim() !== s.date || e.time.trim() !== s.time || tag.trim() !== s.rfidTag) {
      return {
        kind: "transient",
        reason: `reply entry ${i} (${clip(`${e.date} ${e.time} ${tag}`, scrub, 80)}) ` +
          "does not match the record sent",
      };
    }
    if (auth === null && e.error_authenticate && isDeviceAuthMessage(e.error_authenticate)) {
      auth = e.error_authenticate;
    }
    outcomes.push(classifyEntry(e));
  }
  if (auth !== null) return { kind: "auth", reason: `iFlow: ${clip(auth, scrub)}` };
  return { kind: "ok", outcomes };
}

function typeOf(v: unknown): string {
  return v === null ? "null" : typeof v === "object" ? "an object" : `a ${typeof v}`;
}
