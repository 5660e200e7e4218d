/**
 * The agent's status HTTP server (`status.listen`, default `127.0.0.1:8780`):
 * `/health`, `/metrics`, `/`, plus the actions the CLI uses while the agent
 * holds the journal lock (`POST /actions/retry-rejected`, `GET /export`,
 * `POST /actions/capture`). Every request must name this server in `Host`;
 * the export and the actions need `status.token` as a bearer token, or,
 * without one, a loopback peer.
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
import { guardSensitive, hostAllowed, quoteClipped, type Refusal } from "./access.ts";
import { parseListen, StatusServerError, urlHost } from "./listen.ts";
import {
  listenTransport,
  type StatusConnectionLimits,
  type StatusConnectionStats,
  type Transport,
  type TransportRequest,
} from "./transport.ts";
import { type GateRouteActions, GateRoutes } from "./events.ts";

export { parseListen, StatusServerError, type StatusServerErrorCode } from "./listen.ts";
export type { StatusConnectionLimits, StatusConnectionStats } from "./transport.ts";

/** What the server can do besides reporting, supplied by the agent. */
export interface StatusActions {
  /** Makes rejected scans (journaled at or after `since`, when given) pending again; returns how many. */
  retryRejected?: (since?: string) => number | Promise<number>;
  /** Rows for `GET /export`, read lazily as the response is sent. */
  export?: (opts: StatusExportOptions) => ExportSource | Promise<ExportSource>;
  /** `GET /events` and `POST /actions/open` (see `events.ts`). */
  gates?: GateRouteActions;
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
  /** Bearer token for `/export` and the actions; without it they answer loopback peers only. */
  token?: string | undefined;
  /** Host names accepted in `Host` besides the listen address and `localhost`. */
  allowedHosts?: readonly string[];
  /** Connection cap and timeouts for slow clients. */
  limits?: StatusConnectionLimits;
}

/** Counters of refused requests and cut-off connections (shown in status). */
export interface StatusServerStats extends StatusConnectionStats {
  /** Requests refused because `Host` did not name this server (421). */
  badHost: number;
  /** Export or action requests without the right bearer token (401). */
  unauthorized: number;
  /** Cross-site requests, or non-loopback peers while no token is set (403). */
  forbidden: number;
}

/** A running status server. */
export interface StatusServer {
  /** Base URL, e.g. `http://127.0.0.1:8780` (loopback when listening on all interfaces). */
  url: string;
  /** The bound host name. */
  hostname: string;
  /** The bound port (the real one when 0 was asked). */
  port: number;
  /** Counters of refused requests and connections. */
  stats(): StatusServerStats;
  /** Ends open exports, stops listening and closes every connection. Idempotent. */
  close(): Promise<void>;
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
  "/events": "GET",
  "/actions/open": "POST",
  "/actions/capture": "POST",
};

const EXPORT_STATES = new Set<string>([
  "pending",
  "synced",
  "rejected",
  "held",
  "not-passed",
  "event",
]);
const DATE_RE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Starts the status server (HTTP/1.1 on `Deno.listen`, see {@link StatusConnectionLimits}).
 *
 * - Every request: a `Host` that is not the listen address, `localhost` or
 *   one of `allowedHosts` gets 421 (DNS rebinding).
 * - `GET /health`: the snapshot as JSON; 200 when `healthy`, 503 when not (or
 *   when the snapshot cannot be built: `{"error": …}`).
 * - `GET /metrics`: Prometheus text 0.0.4 ({@link renderMetrics}).
 * - `GET /`: the self-refreshing HTML page ({@link renderPage}).
 * - `POST /actions/retry-rejected[?since=DATE]`: `{"reopened": n}` from
 *   `actions.retryRejected`; 400 for a bad date, 501 without the action.
 * - `GET /export[?state=pending|synced|rejected|held|not-passed|event][&format=jsonl|csv]`: the rows
 *   of `actions.export`, streamed one by one (JSON lines by default).
 * - `GET /events`: Server-Sent Events of scans and gate decisions;
 *   `POST /actions/open?gate=NAME`: opens a gate (see `events.ts`).
 * - `/export`, `/events` and actions: browsers' cross-site requests get 403; with a
 *   `token`, a missing or wrong `Authorization: Bearer` gets 401; without
 *   one, peers other than loopback get 403.
 * - Anything else: 404; a known path with the wrong method: 405.
 *
 * @throws {StatusServerError} on a malformed `listen` or when the address is
 *   in use, unavailable or not permitted.
 *
 * @example
 * ```ts
 * const server = await startStatusServer({ listen: "127.0.0.1:0", snapshot: () => agent.snapshot() });
 * console.log(await (await fetch(`${server.url}/health`)).json());
 * await server.close();
 * ```
 */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const { hostname, port } = parseListen(options.listen);
  const log: Logger = options.logger ?? (() => {});
  const actions = options.actions ?? {};
  const token = options.token || undefined;
  const policy = { listenHost: hostname, allowedHosts: options.allowedHosts ?? [] };
  const counters = { badHost: 0, unauthorized: 0, forbidden: 0 };
  let bodies = 0; // requests refused for carrying a body, counted with the transport's bad requests
  const closing = new AbortController();
  const openExports = new Set<(reason: unknown) => void>();
  const gateRoutes = new GateRoutes(actions.gates ?? {}, closing.signal);

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
    const opts = actions.capture ? { capture: { tokenRequired: token !== undefined } } : {};
    return new Response(renderPage(s, opts), {
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

  function refuse(r: Refusal, req: TransportRequest, path: string): Response {
    counters[r.counter]++;
    log("warn", "status: request refused", {
      status: r.status,
      path: quoteClipped(path),
      host: quoteClipped(req.header("host") ?? ""),
      peer: req.peer,
    });
    const extra: Record<string, string> = r.status === 401
      ? { "www-authenticate": 'Bearer realm="pontaj"' }
      : {};
    return json({ error: r.error }, r.status, extra);
  }

  async function handle(req: TransportRequest): Promise<Response> {
    const host = req.header("host");
    if (!hostAllowed(host, policy)) {
      return refuse(
        {
          status: 421,
          error: "this server does not answer to that Host (add it to status.allowedHosts)",
          counter: "badHost",
        },
        req,
        req.target,
      );
    }
    let url: URL;
    try {
      url = new URL(req.target, `http://${host}`);
    } catch {
      return json({ error: "bad request target" }, 400);
    }
    const method = ROUTES[url.pathname];
    log("debug", "status: request", { method: req.method, path: quoteClipped(url.pathname) });
    if (method === undefined) {
      return json({ error: `not found: ${url.pathname.slice(0, 200)}` }, 404);
    }
    if (req.method !== method) {
      return json({ error: `${req.method} not allowed on ${url.pathname}` }, 405, {
        allow: method,
      });
    }
    if (req.hasBody) {
      bodies++;
      return json({ error: "request bodies are not accepted" }, 413);
    }
    if (url.pathname === "/export" || url.pathname === "/events" || method === "POST") {
      const refusal = guardSensitive({
        origin: req.header("origin"),
        fetchSite: req.header("sec-fetch-site"),
        authorization: req.header("authorization"),
        ownOrigin: `http://${host}`,
        peer: req.peer,
      }, token);
      if (refusal !== null) return refuse(refusal, req, url.pathname);
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
      case "/events":
        return gateRoutes.events();
      case "/actions/open":
        return gateRoutes.open(url);
      case "/actions/capture":
        req.answerTakesLong(); // authorised above; the capture lasts up to 600 s
        return await captureRoute(url, actions.capture);
      default:
        return await retryRejected(url);
    }
  }

  let transport: Transport;
  try {
    transport = await listenTransport(
      hostname,
      port,
      options.limits ?? {},
      handle,
      (err) => log("error", "status: request failed", { error: err }),
    );
  } catch (err) {
    const where = `status.listen ${options.listen}`;
    const code = (err as { code?: string }).code;
    if (code === "EADDRINUSE") {
      throw new StatusServerError(
        "address-in-use",
        `${where}: address already in use (is another pontaj agent running? pick another port in status.listen)`,
        { cause: err },
      );
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
      throw new StatusServerError("address-unavailable", `${where}: no such local address`, {
        cause: err,
      });
    }
    if (
      code === "EACCES" || code === "EPERM" || err instanceof Deno.errors.PermissionDenied ||
      err instanceof Deno.errors.NotCapable
    ) {
      throw new StatusServerError("permission", `${where}: not permitted (${errorMessage(err)})`, {
        cause: err,
      });
    }
    throw err;
  }

  const url = `http://${urlHost(transport.hostname)}:${transport.port}`;
  log("info", "status: listening", {
    url,
    export: token !== undefined ? "bearer token" : "loopback peers only",
  });
  let closed: Promise<void> | undefined;
  return {
    url,
    hostname: transport.hostname,
    port: transport.port,
    stats: () => {
      const t = transport.stats();
      return { ...t, ...counters, badRequests: t.badRequests + bodies };
    },
    close() {
      closed ??= (async () => {
        for (const abort of [...openExports]) abort(new Error("status server closing"));
        closing.abort();
        await transport.close();
      })();
      return closed;
    },
  };
}
