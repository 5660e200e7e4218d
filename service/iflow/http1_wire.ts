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

  async #line(limit: number): Promise<string> {
    let at: number;
    while ((at = this.#indexOf([13, 10], this.#start)) < 0) {
      if (!(await this.#fill("body", limit))) {
        throw new Http1Error("connection closed in a chunk header", "body");
      }
    }
    const s = latin1.decode(this.#buf.subarray(this.#start, at));
    this.#start = at + 2;
    return s;
  }

  /** Reads the body that follows a head; `framed` is false when it ran to the end of the stream. */
  async readBody(
    status: number,
    headers: Map<string, string>,
  ): Promise<Body> {
    const limit = this.#maxBody;
    if (status === 204 || status === 304) return { bytes: new Uint8Array(0), framed: true };
    if (/\bchunked\b/i.test(headers.get("transfer-encoding") ?? "")) {
      const parts: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const size = parseInt((await this.#line(limit)).split(";")[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) throw new Http1Error("bad chunk size", "body");
        if (size === 0) break;
        if ((total += size) > limit) throw new Http1Error("reply body too large", "body");
        parts.push(await this.#take(size, limit));
        await this.#take(2, limit);
      }
      while ((await this.#line(limit)) !== "") { /* trailers */ }
      const bytes = new Uint8Array(total);
      let off = 0;
      for (const p of parts) {
        bytes.set(p, off);
        off += p.length;
      }
      return { bytes, framed: true };
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
