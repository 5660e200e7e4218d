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
import { Http1Client, Http1Error, type Http1Target } from "./http1.ts";
import { clipForeign } from "../clip.ts";

/** Options of {@link IflowClient}: the relevant part of the `iflow` config. */
export type IflowClientOptions =
  & Pick<
    IflowConfig,
    "url" | "accessToken" | "version" | "timeoutMs"
  >
  & Partial<Pick<IflowConfig, "liveUrl" | "batchSize">>
  & {
    /** Largest reply body accepted, bytes (default: {@link replyBodyCap} of `batchSize`). */
    maxBodyBytes?: number;
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

/** Reply bytes allowed per record of a batch: an entry with three long iFlow messages fits. */
export const REPLY_BYTES_PER_RECORD = 2048;
/** Reply bytes allowed on top of the per-record share (an error page, the live reply). */
export const REPLY_SLACK_BYTES = 64 * 1024;

/**
 * The largest reply body worth reading for batches of `batchSize` records
 * (default 50: 164 KiB). A bigger reply is refused as a transient failure
 * before it is decoded, whatever its framing.
 */
export function replyBodyCap(batchSize = 50): number {
  return batchSize * REPLY_BYTES_PER_RECORD + REPLY_SLACK_BYTES;
}

/** `[`, `,` and `]` of the `csv_data` array, URL-encoded. */
const OPEN = "%5B", COMMA = "%2C", CLOSE = "%5D";

/** A batch ready to go: the records that fit the limits, and their request URL. */
export interface PreparedBatch {
  /** The records sent, a prefix of those offered. */
  records: readonly WireRecord[];
  /** The full request URL (contains the token: never log it). */
  url: string;
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
 * import { IflowClient, parseIflowConfig } from "./mod.ts";
 * const client = new IflowClient(parseIflowConfig({ accessToken: "87315600429917345" }));
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
  /** `url` parsed once: offline requests send it with their query. */
  readonly #base: URL;
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
      maxBodyBytes: opts.maxBodyBytes ?? replyBodyCap(opts.batchSize),
    });
    this.#prefix = `${opts.url}?access_token=${encodeURIComponent(opts.accessToken)}&csv_data=`;
    this.#suffix = `&version=${encodeURIComponent(opts.version)}`;
    this.#liveUrl = liveUrlOf({ url: opts.url, liveUrl: opts.liveUrl });
    this.#base = new URL(opts.url);
    this.redact = makeRedactor(opts.accessToken);
  }

  /**
   * The longest prefix of `records` (at most `maxCount`) whose request URL fits
   * `maxUrlBytes`, with that URL; a single record always goes. Each record is
   * encoded once, and the URL is the same as {@link IflowClient.buildUrl}'s.
   */
  prepare(records: readonly WireRecord[], maxCount: number, maxUrlBytes: number): PreparedBatch {
    const limit = Math.min(maxCount, records.length);
    const parts: string[] = [];
    // "%5B" + parts joined by "%2C" + "%5D": encodeURIComponent of "[a,b]", piece by piece.
    // Each part adds itself and a comma; the first has no comma, so start one comma short.
    let len = this.#prefix.length + OPEN.length + CLOSE.length + this.#suffix.length - COMMA.length;
    while (parts.length < limit) {
      const part = encodeURIComponent(wireJson(records[parts.length]!));
      len += part.length + COMMA.length;
      if (len > maxUrlBytes && parts.length > 0) break;
      parts.push(part);
    }
    return {
      records: parts.length === records.length ? records : records.slice(0, parts.length),
      url: this.#prefix + OPEN + parts.join(COMMA) + CLOSE + this.#suffix,
    };
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

  async #get(url: string | Http1Target, signal?: AbortSignal): Promise<
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
      return { error: clipForeign(this.redact(`network error while ${stage}: ${msg}`)) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Sends one batch to the offline endpoint and classifies the reply. Never throws. */
  send(records: readonly WireRecord[], signal?: AbortSignal): Promise<SendResult> {
    return this.sendPrepared({ records, url: this.buildUrl(records) }, signal);
  }

  /** Sends a batch made by {@link IflowClient.prepare} and classifies the reply. Never throws. */
  async sendPrepared(batch: PreparedBatch, signal?: AbortSignal): Promise<SendResult> {
    const { records, url } = batch;
    const t0 = performance.now();
    // A URL of ours is `url` (parsed once) and an encoded query: skip parsing it again.
    const base = this.#opts.url;
    const ours = url.length > base.length && url.startsWith(base) && url[base.length] === "?";
    const r = await this.#get(
      ours ? { base: this.#base, query: url.slice(base.length) } : url,
      signal,
    );
    const latencyMs = performance.now() - t0;
    if ("error" in r) {
      return {
        reply: { kind: "transient", reason: r.error },
        latencyMs,
        urlBytes: url.length,
        status: 0,
      };
    }
    const reply = classifyOfflineReply(records, r.status, r.retryAfter, r.body, this.redact);
    if (reply.kind !== "ok") reply.reason = clipForeign(this.redact(reply.reason));
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
    const reply = classifyLiveReply(r.status, r.body, this.redact);
    if (reply.kind !== "stored") reply.reason = clipForeign(this.redact(reply.reason));
    return { reply, latencyMs, status: r.status };
  }

  /** Releases the client's connections (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#http.close();
  }
}
