/**
 * Streams export rows (scans with their state) as JSON lines or CSV without
 * holding more than one row in memory.
 *
 * @module
 */

import { csvField, EXPORT_CSV_COLUMNS, jsonValue } from "../export_row.ts";

/** The CSV columns, in order (keys of the first row not listed there follow, sorted). */
export { csvField, EXPORT_CSV_COLUMNS };

/** Export encodings. */
export type ExportFormat = "jsonl" | "csv";

/** Export filters by scan state (a duplicate counts as `synced`). */
export type ExportState = "pending" | "synced" | "rejected";

/** One exported scan: at least `seq`, `reader`, `rfidTag`, `date`, `time`, `state`, and `error` when rejected. */
export type ExportObject = Record<string, unknown>;

/** What `GET /export` asks the agent for. */
export interface StatusExportOptions {
  /** Only scans in this state (all when absent). */
  state?: ExportState;
  /** Requested encoding (the agent yields objects either way). */
  format: ExportFormat;
  /** Aborted when the client goes away or the server closes: stop reading. */
  signal: AbortSignal;
}

/** `Content-Type` per export format. */
export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: "application/x-ndjson; charset=utf-8",
  csv: "text/csv; charset=utf-8; header=present",
};

/** One row as a JSON line (with its `\n`); bigints become numbers (or strings when unsafe). */
export function jsonlLine(row: ExportObject): string {
  return JSON.stringify(row, jsonValue) + "\n";
}

/** The CSV columns for an export whose first row is `first`. */
export function csvColumns(first: ExportObject | undefined): string[] {
  const cols = [...EXPORT_CSV_COLUMNS];
  if (first) {
    const extra = Object.keys(first).filter((k) => !EXPORT_CSV_COLUMNS.includes(k)).sort();
    cols.push(...extra);
  }
  return cols;
}

/** One CSV record (with its CRLF) for `row` over `columns`. */
export function csvLine(row: ExportObject, columns: readonly string[]): string {
  return columns.map((c) => csvField(row[c])).join(",") + "\r\n";
}

/** Source of export rows: sync or async iterable. */
export type ExportSource = AsyncIterable<ExportObject> | Iterable<ExportObject>;

function iteratorOf(rows: ExportSource): AsyncIterator<ExportObject> | Iterator<ExportObject> {
  const a = (rows as AsyncIterable<ExportObject>)[Symbol.asyncIterator];
  if (typeof a === "function") return a.call(rows);
  const s = (rows as Iterable<ExportObject>)[Symbol.iterator];
  if (typeof s === "function") return s.call(rows);
  throw new TypeError("export action returned neither an iterable nor an async iterable");
}

/** An encoded export: the first row is already read, so setup failures surface before any byte is sent. */
export interface ExportStream {
  /** The body: one chunk per row (plus the CSV header). */
  body: ReadableStream<Uint8Array>;
  /** Ends the stream with an error (the client sees a cut response, never a silently short one). */
  abort(reason: unknown): void;
}

/**
 * Reads the first row of `rows` (so an action that fails at once can still
 * get an HTTP error), then returns a pull-driven stream: each further row is
 * read only when the consumer wants more. Cancelling the body (client gone)
 * calls the iterator's `return()`. `onEnd` runs once when the stream ends in
 * any way, with the error if it failed.
 */
export async function openExportStream(
  rows: ExportSource,
  format: ExportFormat,
  onEnd: (error?: unknown) => void,
): Promise<ExportStream> {
  const it = iteratorOf(rows);
  const first = await it.next();
  const enc = new TextEncoder();
  const columns = format === "csv" ? csvColumns(first.done ? undefined : first.value) : [];
  const encode = (row: ExportObject): Uint8Array =>
    enc.encode(format === "csv" ? csvLine(row, columns) : jsonlLine(row));
  let pending: ExportObject | undefined = first.done ? undefined : first.value;
  let done = !!first.done;
  let ended = false;
  let ctl: ReadableStreamDefaultController<Uint8Array> | undefined;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    onEnd(error);
  };
  const stop = () => {
    Promise.resolve(it.return?.()).catch(() => {});
  };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      ctl = c;
      if (format === "csv") c.enqueue(enc.encode(columns.map(csvField).join(",") + "\r\n"));
    },
    async pull(c) {
      try {
        if (pending !== undefined) {
          const row = pending;
          pending = undefined;
          c.enqueue(encode(row));
          return;
        }
        if (done) {
          c.close();
          end();
          return;
        }
        const r = await it.next();
        if (ended) return;
        if (r.done) {
          done = true;
          c.close();
          end();
        } else {
          c.enqueue(encode(r.value));
        }
      } catch (err) {
        if (ended) return;
        c.error(err);
        end(err);
        stop();
      }
    },
    cancel() {
      end();
      stop();
    },
  });
  return {
    body,
    abort(reason) {
      if (ended) return;
      try {
        ctl?.error(reason);
      } catch {
        // already closed
      }
      end(reason);
      stop();
    },
  };
}
