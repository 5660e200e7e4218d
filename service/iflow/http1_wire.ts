/**
 * The reading half of the HTTP/1.1 client: response heads and bodies from one
 * connection through one growable buffer, and the error type of both halves.
 *
 * @module
 */

/** Raised for protocol errors, aborts and closed connections; `stage` says how far it got. */
export class Http1Error extends Error {
  /** `connect`, `write`, `head` (waiting for the status line/headers) or `body`. */
  readonly stage: "connect" | "write" | "head" | "body";
  /** True when the request was aborted by the caller's signal. */
  readonly aborted: boolean;
  /** Creates an error. */
  constructor(message: string, stage: Http1Error["stage"], aborted = false) {
    super(message);
    this.name = "Http1Error";
    this.stage = stage;
    this.aborted = aborted;
  }
}

/** A response head. */
export interface Head {
  /** HTTP status code. */
  status: number;
  /** Header values by lower-case name (repeated headers joined with ", "). */
  headers: Map<string, string>;
  /** `HTTP/1.0` or `HTTP/1.1`. */
  version: string;
  /** The status line as received. */
  line: string;
}

/** A response body and how it ended. */
export interface Body {
  /** The body bytes. */
  bytes: Uint8Array;
  /** True when its length was known (so the connection can carry another request). */
  framed: boolean;
}

const CRLFCRLF = [13, 10, 13, 10];
const CRLF = [13, 10];
/** Most chunks taken in one chunked body: real servers send KiB-sized chunks. */
export const MAX_CHUNKS = 16_384;
/** Longest chunk-size line (the size and any `;extensions`). */
const MAX_CHUNK_LINE = 1024;
const latin1 = new TextDecoder("latin1");

/** Reads responses from the connection given to {@link ResponseReader.reset}. */
export class ResponseReader {
  readonly #maxHead: number;
  readonly #maxBody: number;
  #conn: Deno.Conn | null = null;
  #buf = new Uint8Array(16 * 1024);
  #start = 0;
  #end = 0;

  /** Creates a reader with the largest accepted head and body, bytes. */
  constructor(maxHeadBytes: number, maxBodyBytes: number) {
    this.#maxHead = maxHeadBytes;
    this.#maxBody = maxBodyBytes;
  }

  /** Reads from `conn` from now on, forgetting any buffered bytes. */
  reset(conn: Deno.Conn | null): void {
    this.#conn = conn;
    this.#start = this.#end = 0;
  }

  /** True when bytes past the last head or body are buffered. */
  get buffered(): boolean {
    return this.#start !== this.#end;
  }

  /** Reads more bytes into the buffer; false at end of stream. */
  async #fill(stage: "head" | "body", limit: number): Promise<boolean> {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      const used = this.#end - this.#start;
      if (used + 1 > limit + 64) throw new Http1Error(`reply ${stage} too large`, stage);
      if (this.#start > 0 && used < this.#buf.length / 2) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(Math.min(this.#buf.length * 2, limit + 64));
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = used;
    }
    let n: number | null;
    try {
      n = await this.#conn!.read(this.#buf.subarray(this.#end));
    } catch (err) {
      // TLS closed without close_notify (a proxy dropping an idle tunnel does that): only
      // while waiting for a head is it a plain end, where nothing can be cut short unseen.
      if (stage === "head" && err instanceof Deno.errors.UnexpectedEof) return false;
      throw new Http1Error(`connection lost: ${(err as Error).message}`, stage);
    }
    if (n === null) return false;
    this.#end += n;
    return true;
  }

  #indexOf(seq: readonly number[], from: number): number {
    const b = this.#buf;
    outer: for (let i = from; i + seq.length <= this.#end; i++) {
      for (let k = 0; k < seq.length; k++) if (b[i + k] !== seq[k]) continue outer;
      return i;
    }
    return -1;
  }

  /** Reads response heads until one that is not 1xx. */
  async readFinalHead(): Promise<Head> {
    let res: Head;
    do res = await this.#readHead(); while (res.status >= 100 && res.status < 200);
    return res;
  }

  async #readHead(): Promise<Head> {
    const limit = this.#maxHead;
    let at: number;
    let scanned = this.#start;
    while ((at = this.#indexOf(CRLFCRLF, scanned)) < 0) {
      const seen = this.#end - this.#start; // #fill may move the bytes: keep offsets relative
      if (!(await this.#fill("head", limit))) {
        throw new Http1Error(seen > 0 ? "connection closed in the reply head" : "no reply", "head");
      }
      scanned = this.#start + Math.max(0, seen - 3);
    }
    const text = latin1.decode(this.#buf.subarray(this.#start, at));
    this.#start = at + 4;
    const lines = text.split("\r\n");
    const m = /^(HTTP\/1\.[01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? "");
    if (!m) {
      throw new Http1Error(`bad status line ${JSON.stringify(lines[0]?.slice(0, 40))}`, "head");
    }
    const headers = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i]!.indexOf(":");
      if (c <= 0) continue;
      const name = lines[i]!.slice(0, c).trim().toLowerCase();
      const value = lines[i]!.slice(c + 1).trim();
      const prev = headers.get(name);
      headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
    }
    return { status: Number(m[2]), headers, version: m[1]!, line: lines[0]! };
  }

  /** Takes `n` buffered-or-read bytes. */
  async #take(n: number, limit: number): Promise<Uint8Array> {
    while (this.#end - this.#start < n) {
      if (!(await this.#fill("body", limit))) {
        throw new Http1Error("connection closed in the reply body", "body");
      }
    }
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  /**
   * Waits for a CRLF-terminated line of at most `maxLine` bytes at `#start`;
   * returns its length (without the CRLF), leaving `#start` on the line.
   */
  async #lineLength(maxLine: number, what: string): Promise<number> {
    let scanned = this.#start;
    for (;;) {
      const at = this.#indexOf(CRLF, scanned);
      if (at >= 0) {
        if (at - this.#start > maxLine) break;
        return at - this.#start;
      }
      const seen = this.#end - this.#start;
      if (seen > maxLine + 1) break;
      if (!(await this.#fill("body", maxLine + 2))) {
        throw new Http1Error(`connection closed in ${what}`, "body");
      }
      scanned = this.#start + Math.max(0, seen - 1);
    }
    throw new Http1Error(`${what} longer than ${maxLine} bytes`, "body");
  }

  /**
   * The size at the start of a chunk-size line of `len` bytes at `#start`
   * (hex digits, then optional `;extensions`), or -1 when it is not one.
   */
  #chunkSize(len: number): number {
    const b = this.#buf;
    let size = 0;
    let digits = 0;
    let i = this.#start;
    for (; i < this.#start + len; i++) {
      const c = b[i]!;
      const v = c >= 48 && c <= 57
        ? c - 48
        : (c | 32) >= 97 && (c | 32) <= 102
        ? (c | 32) - 87
        : -1;
      if (v < 0) break;
      if (++digits > 8) return -1; // over 4 GiB: no reply of ours
      size = size * 16 + v;
    }
    if (digits === 0) return -1;
    while (i < this.#start + len && (b[i] === 32 || b[i] === 9)) i++;
    return i === this.#start + len || b[i] === 59 /* ; */ ? size : -1;
  }

  /**
   * A chunked body, copied straight into one buffer that never outgrows
   * `limit`. Chunk-size lines, CRLFs and trailers count against a wire cap of
   * `2 × limit + maxHead`, and at most {@link MAX_CHUNKS} chunks are taken, so
   * a reply of one-byte chunks costs no more memory than its body.
   */
  async #chunked(limit: number): Promise<Uint8Array> {
    const wireCap = 2 * limit + this.#maxHead;
    let body = new Uint8Array(Math.min(limit, 16 * 1024));
    let total = 0;
    let wire = 0;
    let chunks = 0;
    for (;;) {
      // Most lines are already buffered: look without awaiting (no promise per chunk).
      const at = this.#indexOf(CRLF, this.#start);
      const len = at >= 0 && at - this.#start <= MAX_CHUNK_LINE
        ? at - this.#start
        : await this.#lineLength(MAX_CHUNK_LINE, "a chunk header");
      const size = this.#chunkSize(len);
      if (size < 0) throw new Http1Error("bad chunk size", "body");
      this.#start += len + 2;
      wire += len + 4; // the size line and the CRLF after the data
      if (size === 0) break;
      if (++chunks > MAX_CHUNKS) {
        throw new Http1Error(`reply has more than ${MAX_CHUNKS} chunks`, "body");
      }
      if (total + size > limit) throw new Http1Error("reply body too large", "body");
      if (wire + total + size > wireCap) throw new Http1Error("reply framing too large", "body");
      if (total + size > body.length) {
        const next = new Uint8Array(Math.min(limit, Math.max(body.length * 2, total + size)));
        next.set(body.subarray(0, total));
        body = next;
      }
      for (let need = size; need > 0;) {
        if (this.#start === this.#end && !(await this.#fill("body", limit))) {
          throw new Http1Error("connection closed in the reply body", "body");
        }
        const n = Math.min(need, this.#end - this.#start);
        body.set(this.#buf.subarray(this.#start, this.#start + n), total);
        this.#start += n;
        total += n;
        need -= n;
      }
      while (this.#end - this.#start < 2) {
        if (!(await this.#fill("body", limit))) {
          throw new Http1Error("connection closed in the reply body", "body");
        }
      }
      if (this.#buf[this.#start] !== 13 || this.#buf[this.#start + 1] !== 10) {
        throw new Http1Error("bad chunk framing (no CRLF after a chunk's data)", "body");
      }
      this.#start += 2;
    }
    // Trailers, until an empty line.
    for (;;) {
      const len = await this.#lineLength(this.#maxHead, "the trailers");
      this.#start += len + 2;
      if (len === 0) break;
      if ((wire += len + 2) + total > wireCap) {
        throw new Http1Error("reply framing too large", "body");
      }
    }
    return body.subarray(0, total);
  }

  /** Reads the body that follows a head; `framed` is false when it ran to the end of the stream. */
  async readBody(
    status: number,
    headers: Map<string, string>,
  ): Promise<Body> {
    const limit = this.#maxBody;
    if (status === 204 || status === 304) return { bytes: new Uint8Array(0), framed: true };
    if (/\bchunked\b/i.test(headers.get("transfer-encoding") ?? "")) {
      return { bytes: await this.#chunked(limit), framed: true };
    }
    const cl = headers.get("content-length");
    if (cl !== undefined) {
      const n = Number(cl);
      if (!Number.isInteger(n) || n < 0) throw new Http1Error("bad content-length", "body");
      if (n > limit) throw new Http1Error("reply body too large", "body");
      return { bytes: await this.#take(n, limit), framed: true };
    }
    while (await this.#fill("body", limit)) { /* until the server closes */ }
    const bytes = this.#buf.slice(this.#start, this.#end);
    this.#start = this.#end;
    return { bytes, framed: false };
  }
}
