/**
 * HTTP/1.1 request heads for the status server's transport: finding the end
 * of a head in the bytes read so far, and parsing it strictly (RFC 9112
 * request line, token header names, no obsolete line folding). Anything else
 * is a bad request; the transport answers 400 and closes.
 *
 * @module
 */

/** A parsed request head. */
export interface RequestHead {
  /** The method, as sent (a token). */
  method: string;
  /** The request target, as sent. */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: 0 | 1;
  /** Header values by lower-case name (the first one when repeated). */
  headers: Map<string, string>;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Where the head in `buf[0, len)` ends (the index just after its blank line),
 * or -1 when it is not complete yet. `from` is how many bytes an earlier call
 * already searched, so a head arriving a byte at a time is scanned once, not
 * once per byte. Leading empty lines before the request line are allowed
 * (RFC 9112 §2.2) and belong to the head.
 */
export function headEnd(buf: Uint8Array, len: number, from = 0): number {
  for (let i = Math.max(3, from); i < len; i++) {
    if (
      buf[i] === LF && buf[i - 1] === CR && buf[i - 2] === LF && buf[i - 3] === CR
    ) return i + 1;
  }
  return -1;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e]+) HTTP\/1\.([01])$/;
// Field values: visible ASCII, obs-text and inner spaces/tabs; no control characters.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Parses the head `bytes` (ending with its blank line) or returns null when
 * it is not a valid HTTP/1.x request head.
 */
export function parseHead(bytes: Uint8Array): RequestHead | null {
  // One character per byte (WHATWG "latin1" is windows-1252: bytes 0x80-0x9f it maps above
  // U+00FF then fail the field-value test, a stricter rule than RFC 9110's obs-text).
  const text = new TextDecoder("latin1").decode(bytes);
  const lines = text.split("\r\n");
  let first = 0;
  while (first < lines.length && lines[first] === "") first++;
  const m = REQUEST_LINE.exec(lines[first] ?? "");
  if (m === null) return null;
  const headers = new Map<string, string>();
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue; // the blank line that ends the head
    const colon = line.indexOf(":");
    if (colon <= 0) return null;
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return null; // also refuses obs-fold (a leading space) and "name :"
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (!FIELD_VALUE.test(value)) return null;
    const key = name.toLowerCase();
    if (!headers.has(key)) headers.set(key, value);
    else if (key === "content-length" && headers.get(key) !== value) return null; // smuggling
  }
  return { method: m[1]!, target: m[2]!, minor: m[3] === "1" ? 1 : 0, headers };
}

/**
 * True when the connection stays open after the reply: HTTP/1.1 unless the
 * client said `close`, HTTP/1.0 only when it asked for keep-alive.
 */
export function wantsKeepAlive(head: RequestHead): boolean {
  const c = (head.headers.get("connection") ?? "").toLowerCase();
  const tokens = c.split(",").map((t) => t.trim());
  if (tokens.includes("close")) return false;
  return head.minor === 1 || tokens.includes("keep-alive");
}
