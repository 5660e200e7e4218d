// Raw HTTP/1.1 over a real loopback (or LAN) socket, so tests can send any
// Host, Origin or Authorization header, and half-open connections.

/** A parsed reply. */
export interface RawReply {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Reads from `conn` until the peer closes; returns everything read. */
export async function readAll(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(16 * 1024);
  const dec = new TextDecoder();
  let text = "";
  for (;;) {
    let n: number | null;
    try {
      n = await conn.read(buf);
    } catch {
      break; // reset by the server
    }
    if (n === null) break;
    text += dec.decode(buf.subarray(0, n), { stream: true });
  }
  return text;
}

/** Parses a whole HTTP/1.1 reply (chunked bodies are de-chunked). */
export function parseReply(text: string): RawReply {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no complete reply head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1]);
  const headers = new Map<string, string>();
  for (const l of lines) {
    const i = l.indexOf(":");
    headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  let body = text.slice(end + 4);
  if (headers.get("transfer-encoding") === "chunked") {
    let out = "";
    for (;;) {
      const nl = body.indexOf("\r\n");
      const size = parseInt(body.slice(0, nl), 16);
      if (!(size > 0)) break;
      out += body.slice(nl + 2, nl + 2 + size);
      body = body.slice(nl + 2 + size + 2);
    }
    body = out;
  }
  return { status, headers, body };
}

/**
 * Sends one request with exactly `headers` (plus `connection: close`) from
 * `from` (a local address to bind, default loopback) and returns the reply.
 */
export async function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  opts: { hostname?: string } = {},
): Promise<RawReply> {
  const conn = await Deno.connect({ hostname: opts.hostname ?? "127.0.0.1", port });
  try {
    let head = `${method} ${path} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    head += "connection: close\r\n\r\n";
    await conn.write(new TextEncoder().encode(head));
    return parseReply(await readAll(conn));
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

/** An IPv4 address of this machine that is not loopback, or null (then LAN tests are skipped). */
export function lanAddress(): string | null {
  try {
    return Deno.networkInterfaces().find((i) =>
      i.family === "IPv4" && !i.address.startsWith("127.")
    )
      ?.address ?? null;
  } catch {
    return null;
  }
}
