/**
 * HTTP client for iFlow's offline endpoint (`store_attendances`) and live
 * endpoint (`auto_attendance`). One request at a time per caller; each request
 * has a timeout; the token never leaves this module except inside the URL sent.
 *
 * @module
 */

import { type IflowConfig, liveUrlOf } from "./config.ts";
import { makeRedactor } from "./redact.ts";
import { type BatchReply, classifyOfflineReply, type WireRecord } from "./reply.ts";
import { classifyLiveReply, type LiveReply } from "./live.ts";
import { Http1Client, Http1Error } from "./http1.ts";

/** Options of {@link IflowClient}: the relevant part of the `iflow` config. */
export type IflowClientOptions =
  & Pick<
    IflowConfig,
    "url" | "accessToken" | "version" | "timeoutMs"
  >
  & Partial<Pick<IflowConfig, "liveUrl">>
  & {
    /** Extra CA certificates (PEM) trusted for https (tests with a self-signed server). */
    caCerts?: string[];
    /**
     * HTTP proxy URL for every request, or `null` for none; not given: the
     * standard proxy environment variables (`HTTPS_PROXY`, `NO_PROXY`, …).
     */
    proxy?: string | null;
  };

/** The result of one offline-endpoint request. */
export interface SendResult {
  /** How iFlow's reply was classified. */
  reply: BatchReply;
  /** Round-trip time in ms (until the body was read or the request failed). */
  latencyMs: number;
  /** Length of the request URL. */
  urlBytes: number;
  /** HTTP status, or 0 when no response arrived. */
  status: number;
}

/** The result of one live-endpoint request. */
export interface LiveResult {
  /** How iFlow's reply was classified. */
  reply: LiveReply;
  /** Round-trip time in ms. */
  latencyMs: number;
  /** HTTP status, or 0 when no response arrived. */
  status: number;
}

const ENC_COMMA = 3; // encodeURIComponent(",")
const ENC_BRACKETS = 6; // encodeURIComponent("[") + encodeURIComponent("]")

/** Length of `encodeURIComponent(s)` without building it. */
export function encodedLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
      c === 0x2d || c === 0x5f || c === 0x2e || c === 0x21 || c === 0x7e || c === 0x2a ||
      c === 0x27 || c === 0x28 || c === 0x29
    ) n += 1;
    else if (c < 0x80) n += 3;
    else if (c < 0x800) n += 6;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 12;
      i++;
    } else n += 9;
  }
  return n;
}

/** The JSON text of one record in `csv_data` (keys in the documented order). */
export function wireJson(r: WireRecord): string {
  return JSON.stringify({ date: r.date, time: r.time, rfidTag: r.rfidTag, errorMsg: r.errorMsg });
}

/**
 * Talks to iFlow. Create one per engine; `close()` it to release its connections.
 *
 * @example
 * ```ts
 * import { IflowClient, parseIflowConfig } from "@pontaj/pontaj/service";
 * const client = new IflowClient(parseIflowConfig({ accessToken: "8731560042" }));
 * const { reply } = await client.send([{ date: "2024-05-06", time: "08:00:00", rfidTag: "1", errorMsg: "" }]);
 * client.close();
 * ```
 */
export class IflowClient {
  readonly #opts: IflowClientOptions;
  readonly #http: Http1Client;
  readonly #prefix: string;
  readonly #suffix: string;
  readonly #liveUrl: string;
  #closed = false;
  /** Scrubs the token out of a string. */
  readonly redact: (s: string) => string;

  /** Creates a client (no connection is made until the first request). */
  constructor(opts: IflowClientOptions) {
    this.#opts = opts;
    this.#http = new Http1Client({
      caCerts: opts.caCerts,
      userAgent: `pontaj/${opts.version}`,
      proxy: opts.proxy,
    });
    this.#prefix = `${opts.url}?access_token=${encodeURIComponent(opts.accessToken)}&csv_data=`;
    this.#suffix = `&version=${encodeURIComponent(opts.version)}`;
    this.#liveUrl = liveUrlOf({ url: opts.url, liveUrl: opts.liveUrl });
    this.redact = makeRedactor(opts.accessToken);
  }

  /** URL length of a request carrying no records (`csv_data=[]`). */
  get emptyUrlBytes(): number {
    return this.#prefix.length + this.#suffix.length + ENC_BRACKETS;
  }

  /** Bytes one record adds to the URL (its encoded JSON, plus the separating comma). */
  recordUrlBytes(r: WireRecord): number {
    return encodedLength(wireJson(r)) + ENC_COMMA;
  }

  /**
   * How many records from the start of `records` fit in `maxUrlBytes` (at most
   * `maxCount`); at least 1 when `records` is not empty: a single record always goes.
   */
  fitCount(records: readonly WireRecord[], maxCount: number, maxUrlBytes: number): number {
    let len = this.emptyUrlBytes - ENC_COMMA;
    let n = 0;
    const limit = Math.min(maxCount, records.length);
    while (n < limit) {
      len += this.recordUrlBytes(records[n]!);
      if (len > maxUrlBytes && n > 0) break;
      n++;
    }
    return n;
  }

  /** The full request URL for `records` (contains the token: never log it, see `redact`). */
  buildUrl(records: readonly WireRecord[]): string {
    return this.#prefix + encodeURIComponent("[" + records.map(wireJson).join(",") + "]") +
      this.#suffix;
  }

  /** The live-endpoint URL for one tag (contains the token). */
  buildLiveUrl(rfidTag: string): string {
    return `${this.#liveUrl}?access_token=${encodeURIComponent(this.#opts.accessToken)}&rfid_tag=${
      encodeURIComponent(rfidTag)
    }`;
  }

  async #get(url: string, signal?: AbortSignal): Promise<
    { status: number; retryAfter: string | null; body: string } | { error: string }
  > {
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, this.#opts.timeoutMs);
    const onAbort = () => ac.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) ac.abort();
    try {
      const res = await this.#http.get(url, ac.signal);
      return {
        status: res.status,
        retryAfter: res.headers.get("retry-after") ?? null,
        body: res.body,
      };
    } catch (err) {
      const stage = !(err instanceof Http1Error)
        ? "sending"
        : err.stage === "body"
        ? "reading the reply"
        : err.stage === "head"
        ? "waiting for the reply"
        : "connecting";
      if (timedOut) return { error: `timeout after ${this.#opts.timeoutMs} ms while ${stage}` };
      if (ac.signal.aborted) return { error: `aborted while ${stage}` };
      const msg = err instanceof Error ? err.message : String(err);
      return { error: this.redact(`network error while ${stage}: ${msg}`) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Sends one batch to the offline endpoint and classifies the reply. Never throws. */
  async send(records: readonly WireRecord[], signal?: AbortSignal): Promise<SendResult> {
    const url = this.buildUrl(records);
    const t0 = performance.now();
    const r = await this.#get(url, signal);
    const latencyMs = performance.now() - t0;
    if ("error" in r) {
      return {
        reply: { kind: "transient", reason: r.error },
        latencyMs,
        urlBytes: url.length,
        status: 0,
      };
    }
    const reply = classifyOfflineReply(records, r.status, r.retryAfter, r.body);
    if (reply.kind !== "ok") reply.reason = this.redact(reply.reason);
    return { reply, latencyMs, urlBytes: url.length, status: r.status };
  }

  /** Sends one scan to the live endpoint and classifies the reply. Never throws. */
  async live(rfidTag: string, signal?: AbortSignal): Promise<LiveResult> {
    const t0 = performance.now();
    const r = await this.#get(this.buildLiveUrl(rfidTag), signal);
    const latencyMs = performance.now() - t0;
    if ("error" in r) {
      return {
        reply: { kind: "not-stored", certain: false, reason: r.error },
        latencyMs,
        status: 0,
      };
    }
    const reply = classifyLiveReply(r.status, r.body);
    if (reply.kind !== "stored") reply.reason = this.redact(reply.reason);
    return { reply, latencyMs, status: r.status };
  }

  /** Releases the client's connections (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#http.close();
  }
}
