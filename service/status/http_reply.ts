/**
 * HTTP/1.1 replies for the status server's transport: the status line and
 * headers of a web `Response`, and its body written to a connection with
 * backpressure (each write waits for the kernel), chunked when its length is
 * not known.
 *
 * @module
 */

import { writeAll } from "../write_all.ts";

const REASON: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  421: "Misdirected Request",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

/** The reason phrase for `status` ("Status" for one not in the table: clients ignore it). */
export function reasonPhrase(status: number): string {
  return REASON[status] ?? "Status";
}

/** How the body of a reply is framed on the wire. */
export type Framing = "none" | "length" | "chunked" | "close";

// Headers the transport itself decides.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding"]);

/**
 * The head of `response` as bytes, and how its body is framed: no body for
 * HEAD, 1xx, 204 and 304; the handler's `content-length` when it gave one;
 * else chunked (HTTP/1.1) or delimited by closing the connection (HTTP/1.0,
 * which then must not stay open).
 */
export function encodeHead(
  response: Response,
  opts: { head: boolean; http11: boolean; keepAlive: boolean },
): { bytes: Uint8Array; framing: Framing; keepAlive: boolean } {
  const status = response.status;
  let text = `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`;
  let length: string | null = null;
  response.headers.forEach((value, name) => {
    if (HOP_BY_HOP.has(name)) return;
    if (name === "content-length") length = value;
    text += `${name}: ${value}\r\n`;
  });
  const bodiless = opts.head || status < 200 || status === 204 || status === 304;
  let framing: Framing;
  let keepAlive = opts.keepAlive;
  if (bodiless) framing = "none";
  else if (response.body === null) {
    if (length === null) text += "content-length: 0\r\n";
    framing = "none";
  } else if (length !== null) framing = "length";
  else if (opts.http11) {
    text += "transfer-encoding: chunked\r\n";
    framing = "chunked";
  } else {
    framing = "close";
    keepAlive = false;
  }
  text += keepAlive ? "connection: keep-alive\r\n\r\n" : "connection: close\r\n\r\n";
  return { bytes: new TextEncoder().encode(text), framing, keepAlive };
}

/**
 * Writes `body` to `conn` with `framing`, one chunk at a time (the next is
 * read only when the last is written). `onWrite` runs after each write (the
 * transport's idle timer). Rejects when the connection fails; the caller
 * cancels the body then.
 */
export async function writeBody(
  conn: Deno.Conn,
  body: ReadableStreamDefaultReader<Uint8Array>,
  framing: Framing,
  onWrite: () => void,
): Promise<void> {
  for (;;) {
    const r = await body.read();
    if (r.done) break;
    const chunk = r.value;
    if (chunk.length === 0) continue;
    if (framing === "chunked") {
      const size = new TextEncoder().encode(chunk.length.toString(16) + "\r\n");
      const framed = new Uint8Array(size.length + chunk.length + 2);
      framed.set(size, 0);
      framed.set(chunk, size.length);
      framed[framed.length - 2] = 0x0d;
      framed[framed.length - 1] = 0x0a;
      await writeAll(conn, framed);
    } else await writeAll(conn, chunk);
    onWrite();
  }
  if (framing === "chunked") await writeAll(conn, new TextEncoder().encode("0\r\n\r\n"));
}
