/**
 * The status server's HTTP/1.1 transport (`node:http`): a cap on open
 * connections, a deadline for the request head, an idle timeout, a small
 * header limit, no request bodies, and counters of what was cut off. So a
 * flood of half-open sockets holds at most `maxConnections` small sockets.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** Limits for slow or idle clients. */
export interface StatusConnectionLimits {
  /**
   * Open connections at most (default 64). When full, the oldest connection
   * with no request in progress (a slow head, an idle keep-alive) is closed to
   * make room; a new one is refused only when every open one is busy.
   */
  maxConnections?: number;
  /** The request head must arrive within this many ms (else 408). Default 10,000. */
  headersTimeoutMs?: number;
  /** A connection with no traffic either way for this long is closed. Default 30,000. */
  idleTimeoutMs?: number;
  /** Request head size limit in bytes (else 431). Default 8192. */
  maxHeaderBytes?: number;
}

/** Counters of the transport, for status. */
export interface StatusConnectionStats {
  /** Connections accepted since start. */
  connections: number;
  /** Connections open now. */
  open: number;
  /** Connections closed at once because `maxConnections` were open and all busy with a request. */
  refused: number;
  /** Idle or slow connections (no request in progress) closed to make room for a new one. */
  evicted: number;
  /** Connections closed for a slow request head or no traffic. */
  timedOut: number;
  /** Requests that could not be parsed, had a too large head (or, in the server's count, a body). */
  badRequests: number;
}

/** One request as the handler sees it. */
export interface TransportRequest {
  /** HTTP method. */
  method: string;
  /** The request target as sent (`/health?x=1`). */
  target: string;
  /** A header's value (the first one when repeated), or null. */
  header(name: string): string | null;
  /** The peer's IP address. */
  peer: string;
  /** True when the request has a body (the server reads none; it answers 413). */
  hasBody: boolean;
  /**
   * Pauses the idle timeout until the response starts: for an answer the
   * server itself takes long to produce (a capture of N seconds), not the
   * client. Call it only after the request was authorised.
   */
  answerTakesLong(): void;
}

/** A listening transport. */
export interface Transport {
  /** The bound address. */
  hostname: string;
  /** The bound port. */
  port: number;
  /** Current counters. */
  stats(): StatusConnectionStats;
  /** Stops listening, closes every connection and waits until the server is closed. */
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
};

function plainReply(status: number, message: string): string {
  const body = JSON.stringify({ error: message }) + "\n";
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nconnection: close\r\n` +
    `content-type: application/json; charset=utf-8\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
}

/** Writes `response` to `res`, streaming its body with backpressure; cancels it if the client goes. */
async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => headers[k] = v);
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  let gone = false;
  const onClose = () => {
    if (res.writableFinished) return;
    gone = true;
    reader.cancel().catch(() => {});
  };
  res.once("close", onClose);
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done || gone) break;
      if (!res.write(r.value)) {
        await new Promise<void>((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        });
      }
    }
    if (!gone) res.end();
  } catch {
    res.destroy(); // the body failed mid-stream: the client sees a cut-off response
  }
}

/**
 * Starts listening on `hostname:port` and calls `handle` for each request.
 * Rejects with the listen error (`EADDRINUSE`, …) as a `NodeJS.ErrnoException`.
 */
export function listenTransport(
  hostname: string,
  port: number,
  limits: StatusConnectionLimits,
  handle: (req: TransportRequest) => Promise<Response>,
  onError: (err: unknown) => void,
): Promise<Transport> {
  const maxConnections = limits.maxConnections ?? 64;
  const headersTimeoutMs = limits.headersTimeoutMs ?? 10_000;
  const idleTimeoutMs = limits.idleTimeoutMs ?? 30_000;
  const stats: StatusConnectionStats = {
    connections: 0,
    open: 0,
    refused: 0,
    evicted: 0,
    timedOut: 0,
    badRequests: 0,
  };
  const sockets = new Set<Socket>(); // in accept order: the first idle one is the oldest
  const busy = new Set<Socket>(); // a request is being answered on these
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes ?? 8192,
    requireHostHeader: false, // the server refuses a missing Host itself (421, counted)
    headersTimeout: headersTimeoutMs,
    requestTimeout: headersTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeoutMs >> 2)),
    keepAliveTimeout: Math.min(5000, idleTimeoutMs),
  });
  server.setTimeout(idleTimeoutMs, (socket: Socket) => {
    stats.timedOut++;
    socket.destroy();
  });
  server.on("connection", (socket: Socket) => {
    if (sockets.size >= maxConnections) {
      let victim: Socket | undefined;
      for (const s of sockets) {
        if (!busy.has(s)) {
          victim = s;
          break;
        }
      }
      if (victim === undefined) {
        stats.refused++;
        socket.destroy();
        return;
      }
      stats.evicted++;
      sockets.delete(victim);
      victim.destroy();
    }
    stats.connections++;
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      busy.delete(socket);
    });
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    const timeout = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
    if (timeout) stats.timedOut++;
    else if (err.code !== "ECONNRESET") stats.badRequests++;
    const status = timeout ? 408 : err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    if (socket.writable && err.code !== "ECONNRESET") {
      socket.end(plainReply(status, STATUS_TEXT[status]!.toLowerCase()));
    }
    socket.destroy();
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as Socket;
    busy.add(socket);
    res.once("close", () => busy.delete(socket));
    const hasBody = (req.headers["content-length"] ?? "0") !== "0" ||
      req.headers["transfer-encoding"] !== undefined;
    if (hasBody) res.shouldKeepAlive = false; // the body is never read: close after the reply
    const request: TransportRequest = {
      method: req.method ?? "GET",
      target: req.url ?? "/",
      header(name) {
        const v = req.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v[0] ?? null : v;
      },
      peer: req.socket.remoteAddress ?? "",
      hasBody,
      answerTakesLong: () => {
        paused = true;
        socket.setTimeout(0);
      },
    };
    let paused = false;
    handle(request).then((response) => {
      if (paused) socket.setTimeout(idleTimeoutMs);
      return send(res, response);
    }).catch((err) => {
      onError(err);
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ error: "internal error" }) + "\n");
      } else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      server.on("error", onError);
      const addr = server.address();
      const bound = typeof addr === "object" && addr !== null ? addr : { address: hostname, port };
      let closed: Promise<void> | undefined;
      resolve({
        hostname: bound.address,
        port: bound.port,
        stats: () => ({ ...stats, open: sockets.size }),
        close() {
          closed ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            for (const s of sockets) s.destroy();
          });
          return closed;
        },
      });
    });
  });
}
