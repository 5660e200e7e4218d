/**
 * The agent's status HTTP server (`status.listen`, default `127.0.0.1:8780`):
 * `/health`, `/metrics`, `/`, plus the actions the CLI uses while the agent
 * holds the journal lock (`POST /actions/retry-rejected`, `GET /export`,
 * `POST /actions/capture`).
 *
 * @module
 */

import type { Logger } from "../log.ts";
import {
  EXPORT_CONTENT_TYPES,
  type ExportFormat,
  type ExportSource,
  type ExportState,
  openExportStream,
  type StatusExportOptions,
} from "./export.ts";
import { type CaptureAction, captureRoute } from "./capture_route.ts";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";
import { PAGE_CSP, renderPage } from "./page.ts";
import type { StatusSnapshot } from "./snapshot.ts";

/** What the server can do besides reporting, supplied by the agent. */
export interface StatusActions {
  /** Makes rejected scans (journaled at or after `since`, when given) pending again; returns how many. */
  retryRejected?: (since?: string) => number | Promise<number>;
  /** Rows for `GET /export`, read lazily as the response is sent. */
  export?: (opts: StatusExportOptions) => ExportSource | Promise<ExportSource>;
  /** Records a reader's raw traffic for `POST /actions/capture` (see `capture_route.ts`). */
  capture?: CaptureAction;
}

/** Options for {@link startStatusServer}. */
export interface StatusServerOptions {
  /** `host:port`, `[v6]:port` or `:port` (all interfaces); port 0 picks a free port. */
  listen: string;
  /** Builds the current snapshot; called once per request. */
  snapshot: () => StatusSnapshot | Promise<StatusSnapshot>;
  /** Optional actions; their routes answer 501 when absent. */
  actions?: StatusActions;
  /** Where the server logs (requests at debug, failures at warn/error). */
  logger?: Logger;
}

/** A running status server. */
export interface StatusServer {
  /** Base URL, e.g. `http://127.0.0.1:8780` (loopback when listening on all interfaces). */
  url: string;
  /** The bound host name. */
  hostname: string;
  /** The bound port (the real one when 0 was asked). */
  port: number;
  /** Ends open exports, stops listening and waits for in-flight requests. Idempotent. */
  close(): Promise<void>;
}

/** Why the server could not start. */
export type StatusServerErrorCode =
  | "bad-listen"
  | "address-in-use"
  | "address-unavailable"
  | "permission";

/** Thrown by {@link startStatusServer} and {@link parseListen}, with one clear message. */
export class StatusServerError extends Error {
  /** What went wrong. */
  readonly code: StatusServerErrorCode;
  /** Creates the error. */
  constructor(code: StatusServerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StatusServerError";
    this.code = code;
  }
}

/**
 * Parses `status.listen`: `127.0.0.1:8780`, `[::1]:8780`, `:8780` (all
 * interfaces, `0.0.0.0`), `localhost:0`.
 *
 * @throws {StatusServerError} code `bad-listen`, naming what is expected.
 */
export function parseListen(listen: string): { hostname: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^:\[\]\s]*)):(\d{1,5})$/.exec(String(listen).trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new StatusServerError(
      "bad-listen",
      `status.listen: expected "host:port" (e.g. "127.0.0.1:8780", "[::1]:8780", ":8780"), got ${
        JSON.stringify(listen)
      }`,
    );
  }
  const hostname = m[1] ?? (m[2] || "0.0.0.0");
  return { hostname, port };
}

function urlHost(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::" || hostname === "[::]") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

const BASE_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

function json(body: unknown, status = 200, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify(body) + "\n", {
    status,
    headers: { ...BASE_HEADERS, "content-type": "application/json; charset=utf-8", ...extra },
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const ROUTES: Record<string, "GET" | "POST"> = {
  "/": "GET",
  "/health": "GET",
  "/metrics": "GET",
  "/export": "GET",
  "/actions/retry-rejected": "POST",
  "/actions/capture": "POST",
};

const EXPORT_STATES = new Set<string>(["pending", "synced", "rejected"]);
const DATE_RE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Starts the status server with `Deno.serve`.
 *
 * - `GET /health`: the snapshot as JSON; 200 when `healthy`, 503 when not (or
 *   when the snapshot cannot be built: `{"error": …}`).
 * - `GET /metrics`: Prometheus text 0.0.4 ({@link renderMetrics}).
 * - `GET /`: the self-refreshing HTML page ({@link renderPage}).
 * - `POST /actions/retry-rejected[?since=DATE]`: `{"reopened": n}` from
 *   `actions.retryRejected`; 400 for a bad date, 501 without the action.
 *   Browsers' cross-origin requests (an `Origin` header that is not this
 *   server) get 403.
 * - `GET /export[?state=pending|synced|rejected][&format=jsonl|csv]`: the rows
 *   of `actions.export`, streamed one by one (JSON lines by default).
 * - Anything else: 404; a known path with the wrong method: 405.
 *
 * @throws {StatusServerError} on a malformed `listen` or when the address is
 *   in use, unavailable or not permitted.
 *
 * @example
 * ```ts
 * const server = startStatusServer({ listen: "127.0.0.1:0", snapshot: () => agent.snapshot() });
 * console.log(await (await fetch(`${server.url}/health`)).json());
 * await server.close();
 * ```
 */
export function startStatusServer(options: StatusServerOptions): StatusServer {
  const { hostname, port } = parseListen(options.listen);
  const log: Logger = options.logger ?? (() => {});
  const actions = options.actions ?? {};
  const closing = new AbortController();
  const openExports = new Set<(reason: unknown) => void>();

  async function snapshotOrError(): Promise<StatusSnapshot | Response> {
    try {
      return await options.snapshot();
    } catch (err) {
      log("error", "status: cannot build the snapshot", { error: err });
      return json({ healthy: false, error: `cannot build status: ${errorMessage(err)}` }, 503);
    }
  }

  async function health(): Promise<Response> {
    const s = await snapshotOrError();
    if (s instanceof Response) return s;
    return json(s, s.healthy ? 200 : 503);
  }

  async function metrics(): Promise<Response> {
    const s = await snapshotOrError();
    if (s instanceof Response) return s;
    return new Response(renderMetrics(s), {
      headers: { ...BASE_HEADERS, "content-type": METRICS_CONTENT_TYPE },
    });
  }

  async function page(): Promise<Response> {
    const s = await snapshotOrError();
    if (s instanceof Response) return s;
    return new Response(renderPage(s), {
      headers: {
        ...BASE_HEADERS,
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": PAGE_CSP,
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
      },
    });
  }

  async function retryRejected(url: URL): Promise<Response> {
    const action = actions.retryRejected;
    if (!action) return json({ error: "retry-rejected is not available on this server" }, 501);
    const since = url.searchParams.get("since") ?? undefined;
    if (since !== undefined && (!DATE_RE.test(since) || Number.isNaN(Date.parse(since)))) {
      return json({
        error: `since: expected a date like 2025-03-01 or 2025-03-01T08:00:00Z, got ${
          JSON.stringify(since)
        }`,
      }, 400);
    }
    try {
      const reopened = await action(since);
      log("info", "status: rejected scans reopened", { reopened, since: since ?? null });
      return json({ reopened });
    } catch (err) {
      log("error", "status: retry-rejected failed", { error: err, since: since ?? null });
      return json({ error: errorMessage(err) }, 500);
    }
  }

  async function exportRows(url: URL): Promise<Response> {
    const action = actions.export;
    if (!action) return json({ error: "export is not available on this server" }, 501);
    const state = url.searchParams.get("state") || undefined;
    const format = (url.searchParams.get("format") || "jsonl") as ExportFormat;
    if (state !== undefined && !EXPORT_STATES.has(state)) {
      return json({
        error: `state: expected pending, synced or rejected, got ${JSON.stringify(state)}`,
      }, 400);
    }
    if (format !== "jsonl" && format !== "csv") {
      return json({ error: `format: expected jsonl or csv, got ${JSON.stringify(format)}` }, 400);
    }
    // Aborted when the response ends in any way (done, client gone, failure, server closing).
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, closing.signal]);
    let abort: ((reason: unknown) => void) | undefined;
    try {
      const opts: StatusExportOptions = { format, signal };
      if (state !== undefined) opts.state = state as ExportState;
      const stream = await openExportStream(await action(opts), format, (err) => {
        stop.abort();
        if (abort) openExports.delete(abort);
        if (err !== undefined) log("error", "status: export failed mid-stream", { error: err });
      });
      abort = stream.abort;
      if (!stop.signal.aborted) openExports.add(abort);
      return new Response(stream.body, {
        headers: {
          ...BASE_HEADERS,
          "content-type": EXPORT_CONTENT_TYPES[format],
          "content-disposition": `attachment; filename="pontaj-export${
            state ? "-" + state : ""
          }.${format}"`,
        },
      });
    } catch (err) {
      stop.abort();
      log("error", "status: export failed", { error: err });
      return json({ error: errorMessage(err) }, 500);
    }
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const method = ROUTES[url.pathname];
    log("debug", "status: request", { method: req.method, path: url.pathname });
    if (method === undefined) return json({ error: `not found: ${url.pathname}` }, 404);
    if (req.method !== method) {
      return json({ error: `${req.method} not allowed on ${url.pathname}` }, 405, {
        allow: method,
      });
    }
    if (method === "POST") {
      const origin = req.headers.get("origin");
      if (origin !== null && origin !== url.origin) {
        return json({ error: "cross-origin requests are not allowed" }, 403);
      }
    }
    switch (url.pathname) {
      case "/health":
        return await health();
      case "/metrics":
        return await metrics();
      case "/":
        return await page();
      case "/export":
        return await exportRows(url);
      case "/actions/capture":
        return await captureRoute(url, actions.capture);
      default:
        return await retryRejected(url);
    }
  }

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname,
      port,
      signal: closing.signal,
      onListen: () => {},
      onError: (err) => {
        log("error", "status: request failed", { error: err });
        return json({ error: "internal error" }, 500);
      },
    }, handle);
  } catch (err) {
    const where = `status.listen ${options.listen}`;
    if (err instanceof Deno.errors.AddrInUse) {
      throw new StatusServerError(
        "address-in-use",
        `${where}: address already in use (is another pontaj agent running? pick another port in status.listen)`,
        { cause: err },
      );
    }
    if (err instanceof Deno.errors.AddrNotAvailable) {
      throw new StatusServerError("address-unavailable", `${where}: no such local address`, {
        cause: err,
      });
    }
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
      throw new StatusServerError("permission", `${where}: not permitted (${errorMessage(err)})`, {
        cause: err,
      });
    }
    throw err;
  }

  const addr = server.addr;
  const url = `http://${urlHost(addr.hostname)}:${addr.port}`;
  log("info", "status: listening", { url });
  let closed: Promise<void> | undefined;
  return {
    url,
    hostname: addr.hostname,
    port: addr.port,
    close() {
      closed ??= (async () => {
        for (const abort of [...openExports]) abort(new Error("status server closing"));
        closing.abort();
        await server.finished;
      })();
      return closed;
    },
  };
}
