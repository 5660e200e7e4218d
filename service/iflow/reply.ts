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

/**
 * True when `message` says the device or its token is unknown (as opposed to a
 * per-employee problem such as an unknown card).
 */
export function isDeviceAuthMessage(message: string): boolean {
  if (message === "") return false;
  const f = foldText(message);
  if (/cartel|angajat/.test(f)) return false;
  return /token|dispozitiv|device|terminal|access|autentific|unauthori[sz]ed|forbidden/.test(f);
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

function stringsIn(value: unknown, out: string[], depth = 0): string[] {
  if (typeof value === "string") out.push(value);
  else if (value && typeof value === "object" && depth < 5) {
    for (const v of Object.values(value)) stringsIn(v, out, depth + 1);
  }
  return out;
}

function clip(s: string, n = 120): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? one.slice(0, n) + "…" : one;
}

/**
 * Classifies one offline-endpoint HTTP reply for the batch `sent`.
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
    return { kind: "transient", reason: `non-JSON reply: ${JSON.stringify(clip(body, 60))}` };
  }
  if (!Array.isArray(json)) {
    if (json !== null && typeof json === "object") {
      const texts = stringsIn(json, []);
      const auth = texts.find(isDeviceAuthMessage);
      if (auth !== undefined) return { kind: "auth", reason: `iFlow: ${clip(auth)}` };
    }
    return {
      kind: "transient",
      reason: `reply is not an array: ${clip(JSON.stringify(json), 80)}`,
    };
  }
  const parsed = ReplySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: "transient",
      reason: `reply does not match the schema at ${issue?.path.join(".") ?? "?"}: ${
        issue?.message ?? ""
      }`,
    };
  }
  const entries = parsed.data;
  if (entries.length !== sent.length) {
    return {
      kind: "transient",
      reason: `reply has ${entries.length} entries for ${sent.length} records`,
    };
  }
  const outcomes: IflowOutcome[] = [];
  let deviceAuth = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const s = sent[i]!;
    const tag = typeof e.rfidTag === "string" ? e.rfidTag : String(e.rfidTag);
    if (e.date.trim() !== s.date || e.time.trim() !== s.time || tag.trim() !== s.rfidTag) {
      return {
        kind: "transient",
        reason: `reply entry ${i} (${e.date} ${e.time} ${tag}) does not match the record sent`,
      };
    }
    if (e.error_authenticate && isDeviceAuthMessage(e.error_authenticate)) deviceAuth++;
    outcomes.push(classifyEntry(e));
  }
  if (deviceAuth > 0) {
    const msg = entries.find((e) => isDeviceAuthMessage(e.error_authenticate ?? ""))!
      .error_authenticate!;
    return { kind: "auth", reason: `iFlow: ${clip(msg)}` };
  }
  return { kind: "ok", outcomes };
}
