/**
 * The status server's HTTP/1.1 transport, on `Deno.listen` (no `node:http`:
 * its compatibility layer costs the idle agent several MiB): a cap on open
 * connections, a deadline for the request head, an idle timeout, a small
 * header limit, no request bodies, and counters of what was cut off. So a
 * flood of half-open sockets holds at most `maxConnections` small sockets,
 * each with one head buffer of `maxHeaderBytes`.
 *
 * @module
 */

import { headEnd, parseHead, type RequestHead, wantsKeepAlive } from "./http_head.ts";
import { encodeHead, reasonPhrase, writeBody } from "./http_reply.ts";
import { writeAll } from "../write_all.ts";

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

/** One accepted connection. */
interface Connection {
  conn: Deno.Conn;
  /** A request is being answered. */
  busy: boolean;
  /** Ended (closed by either side, evicted or timed out). */
  ended: boolean;
  /** The idle timer is paused (an answer that takes long). */
  paused: boolean;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  headTimer: ReturnType<typeof setTimeout> | undefined;
  /** A read started while a reply streams (to see the client go); the next head read awaits it. */
  pending: Promise<number | null> | null;
}

function errorReply(status: number): Uint8Array {
  const body = JSON.stringify({ error: reasonPhrase(status).toLowerCase() }) + "\n";
  return new TextEncoder().encode(
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nconnection: close\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  );
}

/** Turns Deno's "failed to lookup address" into an error with code ENOTFOUND, as the server expects. */
function listenError(err: unknown): unknown {
  if (err instanceof Error && !("code" in err) && /lookup address/.test(err.message)) {
    return Object.assign(new Error(err.message, { cause: err }), { code: "ENOTFOUND" });
  }
  return err;
}

/**
 * Starts listening on `hostname:port` and calls `handle` for each request.
 * Rejects with the listen error (Deno's error, whose `code` is `EADDRINUSE`,
 * `EADDRNOTAVAIL`, …; `ENOTFOUND` for a name that does not resolve).
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
  const keepAliveMs = Math.min(5000, idleTimeoutMs);
  const maxHeaderBytes = limits.maxHeaderBytes ?? 8192;
  const stats: StatusConnectionStats = {
    connections: 0,
    open: 0,
    refused: 0,
    evicted: 0,
    timedOut: 0,
    badRequests: 0,
  };
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname, port, transport: "tcp" });
  } catch (err) {
    return Promise.reject(listenError(err));
  }
  const open = new Set<Connection>(); // in accept order: the first idle one is the oldest
  const tasks = new Set<Promise<void>>();

  function end(c: Connection): void {
    if (c.ended) return;
    c.ended = true;
    clearTimeout(c.idleTimer);
    clearTimeout(c.headTimer);
    open.delete(c);
    try {
      c.conn.close();
    } catch { /* closed already */ }
  }

  function touch(c: Connection): void {
    clearTimeout(c.idleTimer);
    if (c.paused || c.ended) return;
    c.idleTimer = setTimeout(() => {
      stats.timedOut++;
      end(c);
    }, idleTimeoutMs);
  }

  /** Ends `c` with `reply` (best effort: a client that reads nothing does not hold it). */
  function endWith(c: Connection, reply: Uint8Array): void {
    const t = setTimeout(() => end(c), 200);
    writeAll(c.conn, reply).catch(() => {}).finally(() => {
      clearTimeout(t);
      end(c);
    });
  }

  /** Reads the next request head into `buf`; null when the connection ended instead. */
  async function readHead(
    c: Connection,
    buf: Uint8Array,
    len: { n: number },
    first: boolean,
  ): Promise<RequestHead | null> {
    const armHead = () => {
      c.headTimer = setTimeout(() => {
        stats.timedOut++;
        if (len.n > 0) endWith(c, errorReply(408));
        else end(c);
      }, headersTimeoutMs);
    };
    if (first || len.n > 0) armHead();
    else c.headTimer = setTimeout(() => end(c), keepAliveMs); // idle keep-alive: closed quietly
    let searched = 0; // bytes of buf already searched for the end of the head
    try {
      for (;;) {
        const at = headEnd(buf, len.n, searched);
        searched = len.n;
        if (at >= 0) {
          clearTimeout(c.headTimer);
          const head = parseHead(buf.subarray(0, at));
          buf.copyWithin(0, at, len.n);
          len.n -= at;
          if (head === null) {
            stats.badRequests++;
            endWith(c, errorReply(400));
          }
          return head;
        }
        if (len.n >= buf.length) {
          clearTimeout(c.headTimer);
          stats.badRequests++;
          endWith(c, errorReply(431));
          return null;
        }
        const read = c.pending ?? c.conn.read(buf.subarray(len.n));
        c.pending = null;
        const n = await read;
        if (n === null || c.ended) {
          end(c);
          return null;
        }
        if (len.n === 0 && !first) {
          clearTimeout(c.headTimer);
          armHead();
        }
        len.n += n;
        touch(c);
      }
    } catch {
      end(c); // reset by the client, or closed by us
      return null;
    }
  }

  async function answer(c: Connection, head: RequestHead, buf: Uint8Array, len: { n: number }) {
    const hasBody = (head.headers.get("content-length") ?? "0") !== "0" ||
      head.headers.has("transfer-encoding");
    const request: TransportRequest = {
      method: head.method,
      target: head.target,
      header: (name) => head.headers.get(name.toLowerCase()) ?? null,
      peer: (c.conn.remoteAddr as Deno.NetAddr).hostname,
      hasBody,
      answerTakesLong: () => {
        c.paused = true;
        clearTimeout(c.idleTimer);
      },
    };
    let response: Response;
    try {
      response = await handle(request);
    } catch (err) {
      onError(err);
      response = Response.json({ error: "internal error" }, { status: 500 });
    }
    if (c.paused) {
      c.paused = false;
      touch(c);
    }
    if (c.ended) {
      await response.body?.cancel().catch(() => {});
      return false;
    }
    const reply = encodeHead(response, {
      head: head.method === "HEAD",
      http11: head.minor === 1,
      keepAlive: wantsKeepAlive(head) && !hasBody, // a body is never read: close after the reply
    });
    const body = reply.framing === "none" ? null : response.body;
    if (body === null) await response.body?.cancel().catch(() => {});
    const reader = body?.getReader();
    if (reader !== undefined && len.n < buf.length) {
      // Watch the connection while the body streams: a reset cancels the body at once (a
      // client that only ended its side, half-closed, still gets the whole reply; the next
      // head read sees its end). Bytes it sends are kept for the next request.
      const watch = c.conn.read(buf.subarray(len.n));
      c.pending = watch;
      watch.catch(() => reader.cancel().catch(() => {}));
    }
    try {
      await writeAll(c.conn, reply.bytes);
      touch(c);
      if (reader !== undefined) await writeBody(c.conn, reader, reply.framing, () => touch(c));
    } catch {
      reader?.cancel().catch(() => {});
      end(c); // the client went away or the body failed: a cut-off response
      return false;
    }
    return reply.keepAlive;
  }

  async function serve(c: Connection): Promise<void> {
    const buf = new Uint8Array(maxHeaderBytes);
    const len = { n: 0 };
    touch(c);
    for (let first = true; !c.ended; first = false) {
      const head = await readHead(c, buf, len, first);
      if (head === null) return;
      c.busy = true;
      const again = await answer(c, head, buf, len);
      c.busy = false;
      if (!again || c.ended) break;
    }
    end(c);
  }

  function admit(conn: Deno.Conn): void {
    if (open.size >= maxConnections) {
      let victim: Connection | undefined;
      for (const o of open) {
        if (!o.busy) {
          victim = o;
          break;
        }
      }
      if (victim === undefined) {
        stats.refused++;
        try {
          conn.close();
        } catch { /* gone */ }
        return;
      }
      stats.evicted++;
      end(victim);
    }
    stats.connections++;
    const c: Connection = {
      conn,
      busy: false,
      ended: false,
      paused: false,
      idleTimer: undefined,
      headTimer: undefined,
      pending: null,
    };
    open.add(c);
    const task = serve(c).catch(onError).finally(() => tasks.delete(task));
    tasks.add(task);
  }

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (err instanceof Deno.errors.BadResource || err instanceof Deno.errors.Interrupted) {
          return;
        }
        onError(err); // EMFILE and the like: keep accepting after a pause
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      // When full, let the open connections read what they have been sent first, so one
      // whose request has arrived counts as busy, not idle.
      if (open.size >= maxConnections) await new Promise((r) => setTimeout(r, 1));
      admit(conn);
    }
  })();

  const addr = listener.addr as Deno.NetAddr;
  let closed: Promise<void> | undefined;
  return Promise.resolve({
    hostname: addr.hostname,
    port: addr.port,
    stats: () => ({ ...stats, open: open.size }),
    close() {
      closed ??= (async () => {
        try {
          listener.close();
        } catch { /* closed */ }
        await accepting;
        for (const c of [...open]) end(c);
        await Promise.all([...tasks]);
      })();
      return closed;
    },
  });
}
