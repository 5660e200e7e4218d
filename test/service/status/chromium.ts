// Headless Chromium for the status page tests: a DOM dump after the page's
// scripts ran, and a DevTools Protocol session (over a real WebSocket on
// loopback) to type into the page, click, and receive real downloads.
import assert from "node:assert/strict";

/** The Chromium binary (`PONTAJ_CHROMIUM` overrides). */
export const CHROMIUM = Deno.env.get("PONTAJ_CHROMIUM") ?? "/usr/bin/chromium";

const COMMON_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Throws a clear message when Chromium is missing. */
export async function requireChromium(): Promise<void> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the status page test needs a headless browser. ` +
        "Install it with `apt-get install -y chromium` (CI does this in .ci/run) " +
        "or point PONTAJ_CHROMIUM at a Chromium binary.",
    );
  }
}

/**
 * Loads `url` in headless Chromium and returns the DOM after scripts ran.
 * `--virtual-time-budget` lets the page's 2 s refresh timers fire (virtual
 * time waits for pending fetches) without the test waiting in real time.
 */
export async function dumpDom(url: string): Promise<string> {
  await requireChromium();
  const profile = await Deno.makeTempDir({ prefix: "pontaj-chromium-" });
  try {
    const out = await new Deno.Command(CHROMIUM, {
      args: [
        ...COMMON_ARGS,
        `--user-data-dir=${profile}`,
        "--virtual-time-budget=7000",
        "--dump-dom",
        url,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const dom = new TextDecoder().decode(out.stdout);
    assert.equal(
      out.code,
      0,
      `chromium exited with ${out.code}: ${new TextDecoder().decode(out.stderr).slice(-2000)}`,
    );
    return dom;
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** A DevTools event: method, params and the session it came from. */
interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

/** A browser-level DevTools session with one page attached. */
export interface CdpBrowser {
  /** Sends a command (to the page session when `page` is true) and returns its result. */
  send(method: string, params?: Record<string, unknown>, page?: boolean): Promise<unknown>;
  /** Evaluates an expression in the page (promises awaited) and returns its value. */
  evaluate(expression: string): Promise<unknown>;
  /** Polls `expression` in the page until it is truthy (at most `ms`), returns its value. */
  waitFor(expression: string, ms?: number): Promise<unknown>;
  /** Waits for an event matching `match` (events seen before the call count too). */
  event(match: (e: CdpEvent) => boolean, ms?: number): Promise<CdpEvent>;
  /** Every event received so far. */
  events: CdpEvent[];
  /** The directory downloads are saved to (file name: the download's guid). */
  downloads: string;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

async function readPort(profile: string, child: Deno.ChildProcess): Promise<string> {
  for (let i = 0; i < 600; i++) {
    try {
      const text = await Deno.readTextFile(`${profile}/DevToolsActivePort`);
      const [port, path] = text.split("\n");
      if (port && path) return `ws://127.0.0.1:${port}${path}`;
    } catch { /* not yet written */ }
    const exited = await Promise.race([
      child.status.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 100)),
    ]);
    if (exited) throw new Error("chromium exited before opening its DevTools port");
  }
  throw new Error("chromium did not open its DevTools port within 60 s");
}

/** Starts headless Chromium, opens `url` in a page and attaches to it (downloads allowed). */
export async function openCdp(url: string): Promise<CdpBrowser> {
  await requireChromium();
  const profile = await Deno.makeTempDir({ prefix: "pontaj-chromium-" });
  const downloads = await Deno.makeTempDir({ prefix: "pontaj-downloads-" });
  const child = new Deno.Command(CHROMIUM, {
    args: [
      ...COMMON_ARGS,
      `--user-data-dir=${profile}`,
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let ws: WebSocket | undefined;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  const events: CdpEvent[] = [];
  const waiters = new Set<() => void>();
  let nextId = 1;
  let sessionId = "";
  const close = async () => {
    if (ws && ws.readyState === WebSocket.OPEN) {
      const closed = new Promise((r) => ws!.addEventListener("close", r, { once: true }));
      ws.close();
      await closed;
    }
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    await Deno.remove(downloads, { recursive: true }).catch(() => {});
  };
  try {
    const wsUrl = await readPort(profile, child);
    ws = new WebSocket(wsUrl);
    await new Promise((ok, fail) => {
      ws!.onopen = ok;
      ws!.onerror = () => fail(new Error(`cannot connect to ${wsUrl}`));
    });
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data));
      if (typeof msg.id === "number") {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p?.fail(new Error(`${JSON.stringify(msg.error)}`));
        else p?.ok(msg.result);
      } else {
        events.push(msg as CdpEvent);
        for (const w of [...waiters]) w();
      }
    };
    const send = (method: string, params: Record<string, unknown> = {}, page = false) =>
      new Promise<unknown>((ok, fail) => {
        const id = nextId++;
        pending.set(id, { ok, fail });
        ws!.send(JSON.stringify({ id, method, params, ...(page ? { sessionId } : {}) }));
      });
    await send("Browser.setDownloadBehavior", {
      behavior: "allowAndName",
      downloadPath: downloads,
      eventsEnabled: true,
    });
    const { targetId } = await send("Target.createTarget", { url }) as { targetId: string };
    ({ sessionId } = await send("Target.attachToTarget", { targetId, flatten: true }) as {
      sessionId: string;
    });
    const evaluate = async (expression: string) => {
      const r = await send("Runtime.evaluate", {
        expression,
        awaitPromise: true,
        returnByValue: true,
      }, true) as { result: { value?: unknown }; exceptionDetails?: unknown };
      if (r.exceptionDetails) throw new Error(`page threw: ${JSON.stringify(r.exceptionDetails)}`);
      return r.result.value;
    };
    const waitFor = async (expression: string, ms = 30_000) => {
      const until = Date.now() + ms;
      for (;;) {
        const v = await evaluate(expression);
        if (v) return v;
        if (Date.now() > until) throw new Error(`timed out waiting for ${expression}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const event = (match: (e: CdpEvent) => boolean, ms = 30_000) =>
      new Promise<CdpEvent>((ok, fail) => {
        const check = () => {
          const e = events.find(match);
          if (!e) return;
          waiters.delete(check);
          clearTimeout(timer);
          ok(e);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error("timed out waiting for a DevTools event"));
        }, ms);
        waiters.add(check);
        check();
      });
    return { send, evaluate, waitFor, event, events, downloads, close };
  } catch (err) {
    await close();
    throw err;
  }
}
