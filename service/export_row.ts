/**
 * One journaled scan as `cli export` and the status endpoint's `/export`
 * print it: at least seq, reader, rfidTag, date, time, state, and error when
 * rejected; `gate`, `decision`, `reason` (and `passed` when a passage sensor
 * told) when a gate decided the scan.
 *
 * @module
 */

import type { ExportRow } from "./journal/types.ts";

/** The exported object for one row: at least seq, reader, rfidTag, date, time, state. */
export function exportObject(row: ExportRow): Record<string, unknown> {
  const o: Record<string, unknown> = {
    seq: row.seq,
    reader: row.reader,
    rfidTag: row.rfidTag,
    date: row.date,
    time: row.time,
    state: row.state,
    epochMs: row.epochMs,
    utcOffsetMin: row.utcOffsetMin,
    clockUnsynced: row.clockUnsynced,
  };
  if (row.event) o.event = row.event;
  if (row.errorMsg) o.errorMsg = row.errorMsg;
  if (row.outcome) o.outcome = row.outcome.kind;
  if (row.outcome?.kind === "duplicate" && row.outcome.iflowId) o.iflowId = row.outcome.iflowId;
  if (row.state === "rejected" && row.outcome?.kind === "rejected") {
    o.error = `${row.outcome.field}: ${row.outcome.message}`;
  } else if (row.error) {
    o.error = row.error;
  }
  if (row.gate) {
    o.gate = row.gate.gate;
    o.decision = row.gate.granted ? "granted" : "denied";
    o.reason = row.gate.reason;
    if (row.gate.passed !== null) o.passed = row.gate.passed;
  }
  return o;
}

/** Maps an async iterable of journal rows to export objects, streaming. */
export async function* exportObjects(
  rows: AsyncIterable<ExportRow>,
): AsyncIterable<Record<string, unknown>> {
  for await (const row of rows) yield exportObject(row);
}

/** Parses `--since` (YYYY-MM-DD or an ISO date-time) to epoch ms. */
export function parseSince(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00` : since);
  if (Number.isNaN(ms)) throw new RangeError(`since: expected YYYY-MM-DD, got '${since}'`);
  return ms;
}

/** The CSV columns of an export, in order (`cli export` and the status server's `/export`). */
export const EXPORT_CSV_COLUMNS: readonly string[] = [
  "seq",
  "reader",
  "rfidTag",
  "date",
  "time",
  "state",
  "event",
  "error",
  "gate",
  "decision",
  "reason",
  "passed",
];

/** Bigints as numbers (or strings when unsafe), for JSON. */
export function jsonValue(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  return v;
}

/**
 * One CSV field per RFC 4180: empty for null/undefined, objects as JSON,
 * quoted when it holds a comma, quote, CR or LF (quotes doubled).
 */
export function csvField(value: unknown): string {
  let s: string;
  if (value === null || value === undefined) s = "";
  else if (typeof value === "object") s = JSON.stringify(value, jsonValue);
  // Not String(n): V8 keeps the strings it makes of numbers in a cache that lives in the
  // old generation, so each row's seq outlived the young collections and an export of a
  // million rows grew the heap by tens of MiB (issue #19). JSON writes the same digits
  // for every finite number without that cache.
  else if (typeof value === "number" && Number.isFinite(value)) s = JSON.stringify(value);
  else s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
