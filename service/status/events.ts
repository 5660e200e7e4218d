/**
 * The gate routes of the status server (token-protected like `/export`):
 *
 * - `GET /events`: Server-Sent Events, one `event: <type>` + `data: <json>`
 *   per scan and gate decision as it happens, for integrators' displays and
 *   controllers; a `: keep-alive` comment every 15 s keeps idle proxies and
 *   the server's idle timeout from closing it. At most
 *   {@link MAX_EVENT_STREAMS} streams at once (503 beyond); a client that
 *   does not keep up loses events (counted in an `event: dropped`), it never
 *   makes the agent buffer without bound.
 * - `POST /actions/open?gate=NAME`: opens a gate remotely (`{"opened": NAME}`),
 *   logged and counted as a manual open; 404 for an unknown gate.
 *
 * @module
 */

/** One event for `/events`. */
export interface StatusEvent {
  /** Event type (`scan`, `decision`, `passage`). */
  type: string;
  /** Its JSON body. */
  data: Record<string, unknown>;
}

/** What the agent supplies for the gate routes. */
export interface GateRouteActions {
  /** Calls `fn` with each event; returns the unsubscribe function. */
  subscribe?: (fn: (ev: StatusEvent) => void) => () => void;
  /** Opens gate `name`; false when there is no such gate. */
  open?: (name: string) => boolean;
}

/** Most `/events` streams at once. */
export const MAX_EVENT_STREAMS = 8;
/** Interval of the keep-alive comment (ms). */
export const EVENTS_KEEPALIVE_MS = 15_000;
/** Events queued for a slow client before newer ones are dropped. */
const QUEUE_EVENTS = 256;

const HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
const enc = new TextEncoder();

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body) + "\n", {
    status,
    headers: { ...HEADERS, "content-type": "application/json; charset=utf-8" },
  });
}

/** One SSE frame (data is one JSON line, so no newline needs escaping). */
export function sseFrame(ev: StatusEvent): string {
  return `event: ${ev.type.replace(/[^A-Za-z0-9_-]/g, "")}\ndata: ${JSON.stringify(ev.data)}\n\n`;
}

/** Serves the gate routes; `closing` ends every stream when the server stops. */
export class GateRoutes {
  /** Streams open now, and events dropped for slow clients. */
  readonly counters = { streams: 0, dropped: 0, opens: 0 };
  readonly #actions: GateRouteActions;
  readonly #closing: AbortSignal;

  /** Routes over `actions`. */
  constructor(actions: GateRouteActions, closing: AbortSignal) {
    this.#actions = actions;
    this.#closing = closing;
  }

  /** `GET /events`. */
  events(): Response {
    const subscribe = this.#actions.subscribe;
    if (!subscribe) return json({ error: "events are not available on this server" }, 501);
    if (this.counters.streams >= MAX_EVENT_STREAMS) {
      return json({ error: `too many event streams (at most ${MAX_EVENT_STREAMS})` }, 503);
    }
    const counters = this.counters;
    const closing = this.#closing;
    let end = (): void => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        counters.streams++;
        let dropped = 0;
        const send = (text: string) => controller.enqueue(enc.encode(text));
        const unsubscribe = subscribe((ev) => {
          if ((controller.desiredSize ?? 0) <= 0) {
            dropped++;
            counters.dropped++;
            return;
          }
          if (dropped > 0) {
            send(sseFrame({ type: "dropped", data: { count: dropped } }));
            dropped = 0;
          }
          send(sseFrame(ev));
        });
        const keepAlive = setInterval(() => send(": keep-alive\n\n"), EVENTS_KEEPALIVE_MS);
        let ended = false;
        end = () => {
          if (ended) return;
          ended = true;
          counters.streams--;
          clearInterval(keepAlive);
          unsubscribe();
          closing.removeEventListener("abort", onClose);
        };
        const onClose = () => {
          end();
          try {
            controller.close();
          } catch {
            // already closed
          }
        };
        closing.addEventListener("abort", onClose);
        send(": pontaj events\n\n");
      },
      cancel() {
        end();
      },
    }, { highWaterMark: QUEUE_EVENTS, size: () => 1 });
    return new Response(body, {
      headers: { ...HEADERS, "content-type": "text/event-stream; charset=utf-8" },
    });
  }

  /** `POST /actions/open?gate=NAME`. */
  open(url: URL): Response {
    const open = this.#actions.open;
    if (!open) return json({ error: "open is not available on this server" }, 501);
    const gate = url.searchParams.get("gate");
    if (!gate) return json({ error: "gate: expected ?gate=NAME" }, 400);
    if (!open(gate)) {
      return json({ error: `no gate named ${JSON.stringify(gate.slice(0, 64))}` }, 404);
    }
    this.counters.opens++;
    return json({ opened: gate }, 200);
  }
}
