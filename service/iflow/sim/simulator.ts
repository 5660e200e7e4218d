/**
 * A local iFlow for tests, the demo and benchmarks: both endpoints over real
 * HTTP (`Deno.serve` on 127.0.0.1), registered device tokens, employees, and
 * seeded fault injection.
 *
 * Inspection: `GET /__sim/attendances` lists stored attendances in arrival
 * order; `GET /__sim/stats` returns request counters.
 *
 * @module
 */

import {
  DEMO_EMPLOYEES,
  DEMO_TOKEN,
  IflowModel,
  type SimEmployee,
  type StoredAttendance,
} from "./model.ts";
import { DEFAULT_IFLOW_URL, LIVE_PATH } from "../config.ts";
import { seededRandom } from "../../../driver/random.ts";

/** Injected faults. Rates are probabilities per request (their sum should stay ≤ 1). */
export interface SimFaults {
  /** Reply 500/502/503 with an HTML body (nothing stored). */
  errorRate?: number;
  /** Do not reply for `hangMs` (or until `close()`), then 504. Nothing stored. */
  hangRate?: number;
  /** How long a hanging request hangs (default 60000 ms). */
  hangMs?: number;
  /** Drop the connection before replying; nothing stored. */
  resetRate?: number;
  /** Store the batch, then drop the connection mid-reply. */
  lostReplyRate?: number;
  /** Reply 414 when the request URL is longer than this (0: no limit). */
  maxUrlBytes?: number;
  /** Delay before each reply, ms. */
  latencyMs?: number;
  /** Extra random delay up to this many ms. */
  latencyJitterMs?: number;
  /** `Retry-After` seconds sent with injected errors (absent: none). */
  retryAfterSec?: number;
  /** Which endpoint the random faults and latency apply to (default both). */
  scope?: "both" | "offline" | "live";
  /** How an unknown token is refused: a JSON object (200), or HTTP 401/403. */
  authStyle?: "json" | "401" | "403";
}

/** Options of {@link startIflowSimulator}. */
export interface IflowSimulatorOptions {
  /** TCP port on 127.0.0.1 (0: any free port). */
  port?: number;
  /** Registered device tokens (default: [{@link DEMO_TOKEN}]). */
  tokens?: readonly string[];
  /** Employees (default: {@link DEMO_EMPLOYEES}). */
  employees?: readonly SimEmployee[];
  /** Initial faults. */
  faults?: SimFaults;
  /** Seed of the fault generator. */
  seed?: number;
  /** Time zone of live stamps (default Europe/Bucharest). */
  timeZone?: string;
  /** The server's clock for live stamps (default `Date.now`). */
  now?: () => number;
}

/** Request counters of the simulator. */
export interface SimCounts {
  /** Offline-endpoint requests processed (token accepted). */
  offline: number;
  /** Live-endpoint requests processed (token accepted). */
  live: number;
  /** Requests refused for an unknown token. */
  refusedToken: number;
  /** 414 replies. */
  tooLong: number;
  /** Injected 5xx replies. */
  errors: number;
  /** Injected hangs. */
  hangs: number;
  /** Injected resets. */
  resets: number;
  /** Requests stored whose reply was then dropped. */
  lostReplies: number;
  /** Malformed requests. */
  badRequests: number;
  /** Requests that waited for `latencyMs`/`latencyJitterMs` before their reply. */
  delayed: number;
  /** Sum of the delays really applied (timers fire late), ms. */
  delayedMs: number;
  /**
   * Sum of the handler's own time on offline and live requests answered 200,
   * from the request's arrival until the reply is built, less the delay, ms.
   */
  serviceMs: number;
}

/** A running simulator. */
export interface IflowSimulator {
  /** Offline endpoint URL (use as `iflow.url`). */
  readonly url: string;
  /** Live endpoint URL. */
  readonly liveUrl: string;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The bound port. */
  readonly port: number;
  /** Stored attendances in arrival order. */
  stored(): StoredAttendance[];
  /** Replaces the faults (missing keys: no fault). */
  setFaults(faults: SimFaults): void;
  /** Registers a device token. */
  addToken(token: string): void;
  /** Unregisters a device token. */
  removeToken(token: string): void;
  /** Request counters. */
  counts(): SimCounts;
  /** Stops the server (hanging requests are released first). */
  close(): Promise<void>;
}

const OFFLINE_PATH = new URL(DEFAULT_IFLOW_URL).pathname;
const enc = new TextEncoder();

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** A response that promises more bytes than it sends: the client sees the connection drop. */
function dropped(partial: string): Response {
  const bytes = enc.encode(partial);
  return new Response(
    new ReadableStream({
      start(c) {
        c.enqueue(bytes);
        c.close();
      },
    }),
    {
      headers: {
        "content-length": String(bytes.length + 4096),
        "content-type": "application/json",
      },
    },
  );
}

const HTML_ERRORS: readonly [number, string][] = [
  [500, "Internal Server Error"],
  [502, "Bad Gateway"],
  [503, "Service Unavailable"],
];

/**
 * Starts a simulated iFlow on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { startIflowSimulator } from "@pontaj/pontaj/testing";
 * const sim = await startIflowSimulator({ port: 0, tokens: ["secret-1"] });
 * // point iflow.url at sim.url ...
 * await sim.close();
 * ```
 */
export function startIflowSimulator(opts: IflowSimulatorOptions = {}): Promise<IflowSimulator> {
  const tokens = new Set(opts.tokens ?? [DEMO_TOKEN]);
  const model = new IflowModel(opts.employees ?? DEMO_EMPLOYEES);
  const random = seededRandom(opts.seed ?? 1);
  const timeZone = opts.timeZone ?? "Europe/Bucharest";
  const now = opts.now ?? Date.now;
  let faults: SimFaults = { ...opts.faults };
  const counts: SimCounts = {
    offline: 0,
    live: 0,
    refusedToken: 0,
    tooLong: 0,
    errors: 0,
    hangs: 0,
    resets: 0,
    lostReplies: 0,
    badRequests: 0,
    delayed: 0,
    delayedMs: 0,
    serviceMs: 0,
  };
  const hanging = new Set<() => void>();
  const ac = new AbortController();
  let errorTurn = 0;

  function refuse(): Response {
    counts.refusedToken++;
    if (faults.authStyle === "401") return json({ error: "Unauthorized" }, 401);
    if (faults.authStyle === "403") return json({ error: "Forbidden" }, 403);
    return json({ error: "Dispozitivul RFID nu este înregistrat: access_token invalid" });
  }

  /** Serves one request; keeps the delay it applied and its own time in `counts`. */
  async function handle(req: Request): Promise<Response> {
    const t0 = performance.now();
    const r = await serve(req);
    const total = performance.now() - t0;
    if (r.timed && r.res.status === 200) counts.serviceMs += total - r.delayedMs;
    return r.res;
  }

  /** The reply to `req`; `timed` for the offline and live endpoints. */
  async function serve(
    req: Request,
  ): Promise<{ res: Response; timed: boolean; delayedMs: number }> {
    const url = new URL(req.url);
    const untimed = (res: Response) => ({ res, timed: false, delayedMs: 0 });
    if (url.pathname === "/__sim/attendances") return untimed(json(model.stored()));
    if (url.pathname === "/__sim/stats") {
      return untimed(json({ ...counts, stored: model.storedCount }));
    }
    const isOffline = url.pathname === OFFLINE_PATH;
    const isLive = url.pathname === LIVE_PATH;
    if (!isOffline && !isLive) {
      return untimed(new Response("<html><body>404</body></html>", { status: 404 }));
    }
    const scope = faults.scope ?? "both";
    const f: SimFaults = scope === "both" || (scope === "live") === isLive ? faults : {};
    const delay = (f.latencyMs ?? 0) + (f.latencyJitterMs ?? 0) * random();
    let delayedMs = 0;
    if (delay > 0) {
      const t = performance.now();
      await new Promise((r) => setTimeout(r, delay));
      delayedMs = performance.now() - t;
      counts.delayed++;
      counts.delayedMs += delayedMs;
    }
    return { res: await reply(req, url, isLive, f), timed: true, delayedMs };
  }

  /** The reply of an offline or live request once its delay is over. */
  async function reply(req: Request, url: URL, isLive: boolean, f: SimFaults): Promise<Response> {
    const isOffline = !isLive;
    if (faults.maxUrlBytes && req.url.length > faults.maxUrlBytes) {
      counts.tooLong++;
      return new Response("<html><body><h1>414 Request-URI Too Long</h1></body></html>", {
        status: 414,
        headers: { "content-type": "text/html" },
      });
    }
    const roll = random();
    let edge = f.errorRate ?? 0;
    if (roll < edge) {
      counts.errors++;
      const [status, text] = HTML_ERRORS[errorTurn++ % HTML_ERRORS.length]!;
      const headers: Record<string, string> = { "content-type": "text/html" };
      if (f.retryAfterSec !== undefined) headers["retry-after"] = String(f.retryAfterSec);
      return new Response(
        `<html><head><title>${status} ${text}</title></head><body><h1>${text}</h1></body></html>`,
        { status, headers },
      );
    }
    if (roll < (edge += f.hangRate ?? 0)) {
      counts.hangs++;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => done(), f.hangMs ?? 60_000);
        const done = () => {
          clearTimeout(timer);
          hanging.delete(done);
          resolve();
        };
        hanging.add(done);
      });
      return new Response("", { status: 504 });
    }
    if (roll < (edge += f.resetRate ?? 0)) {
      counts.resets++;
      return dropped("");
    }
    const lose = roll < edge + (f.lostReplyRate ?? 0);

    let params = url.searchParams;
    if (req.method === "POST") {
      params = new URLSearchParams(await req.text());
      for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
    }
    const token = params.get("access_token");
    if (token === null || !tokens.has(token)) return refuse();

    let body: unknown;
    if (isOffline) {
      counts.offline++;
      let rows: unknown;
      try {
        rows = JSON.parse(params.get("csv_data") ?? "");
      } catch {
        rows = undefined;
      }
      if (!Array.isArray(rows)) {
        counts.badRequests++;
        return json({ error: "csv_data trebuie să fie o listă JSON" }, 400);
      }
      body = rows.map((r) => model.storeOffline(r));
    } else {
      counts.live++;
      const tag = params.get("rfid_tag");
      if (tag === null) {
        counts.badRequests++;
        return json({ api_reply: { scan_msg: "rfid_tag lipsește", user: null } });
      }
      body = model.storeLive(tag, now(), timeZone);
    }
    if (lose) {
      counts.lostReplies++;
      return dropped(JSON.stringify(body).slice(0, 20));
    }
    return json(body);
  }

  return new Promise((resolve, reject) => {
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        hostname: "127.0.0.1",
        port: opts.port ?? 0,
        signal: ac.signal,
        onListen: () => {},
        onError: (err) => {
          console.error("iflow-sim: handler error", err);
          return new Response("<html><body>500</body></html>", { status: 500 });
        },
      }, handle);
    } catch (err) {
      reject(err);
      return;
    }
    const port = server.addr.port;
    const origin = `http://127.0.0.1:${port}`;
    resolve({
      url: origin + OFFLINE_PATH,
      liveUrl: origin + LIVE_PATH,
      origin,
      port,
      stored: () => model.stored(),
      setFaults: (f) => {
        faults = { ...f };
      },
      addToken: (t) => void tokens.add(t),
      removeToken: (t) => void tokens.delete(t),
      counts: () => ({ ...counts }),
      close: async () => {
        for (const done of [...hanging]) done();
        ac.abort();
        await server.finished;
      },
    });
  });
}
