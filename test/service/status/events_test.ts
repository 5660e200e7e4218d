import assert from "node:assert/strict";
import {
  GateRoutes,
  MAX_EVENT_STREAMS,
  sseFrame,
  type StatusEvent,
} from "../../../service/status/events.ts";

function routes() {
  const listeners = new Set<(ev: StatusEvent) => void>();
  const closing = new AbortController();
  const r = new GateRoutes({
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    open: (name) => name === "t1",
  }, closing.signal);
  const emit = (ev: StatusEvent) => {
    for (const fn of listeners) fn(ev);
  };
  return { r, listeners, emit, closing };
}

Deno.test("events: SSE frames carry the type and one JSON line", () => {
  assert.equal(
    sseFrame({ type: "decision", data: { gate: "t1", note: "a\nb" } }),
    'event: decision\ndata: {"gate":"t1","note":"a\\nb"}\n\n',
  );
  assert.equal(sseFrame({ type: "bad\ntype", data: {} }), "event: badtype\ndata: {}\n\n");
});

Deno.test("events: at most MAX_EVENT_STREAMS streams; a slow client loses events, counted, never buffered without bound", async () => {
  const { r, listeners, emit, closing } = routes();
  const responses = [];
  for (let i = 0; i < MAX_EVENT_STREAMS; i++) responses.push(r.events());
  assert.deepEqual(responses.map((x) => x.status), Array(MAX_EVENT_STREAMS).fill(200));
  const refused = r.events();
  assert.equal(refused.status, 503);
  await refused.body?.cancel();
  assert.equal(listeners.size, MAX_EVENT_STREAMS);
  // nobody reads: 256 frames are queued, the rest dropped
  for (let i = 0; i < 300; i++) emit({ type: "scan", data: { seq: i } });
  assert.equal(r.counters.dropped, MAX_EVENT_STREAMS * (300 - 255));
  // a reader catches up and is told how many it lost
  const reader = responses[0]!.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes('"seq":254')) text += (await reader.read()).value;
  emit({ type: "scan", data: { seq: 1000 } });
  while (!text.includes('"seq":1000')) text += (await reader.read()).value;
  assert.match(text, /event: dropped\ndata: \{"count":45\}\n\nevent: scan\ndata: \{"seq":1000\}/);
  // closing the server ends every stream and unsubscribes
  closing.abort();
  for (;;) if ((await reader.read()).done) break;
  for (const res of responses.slice(1)) await res.body!.cancel();
  assert.equal(listeners.size, 0);
  assert.equal(r.counters.streams, 0);
});

Deno.test("events: open needs a known gate name", async () => {
  const { r } = routes();
  const ok = r.open(new URL("http://x/actions/open?gate=t1"));
  assert.deepEqual([ok.status, await ok.json()], [200, { opened: "t1" }]);
  const missing = r.open(new URL("http://x/actions/open"));
  assert.equal(missing.status, 400);
  await missing.body?.cancel();
  const unknown = r.open(new URL("http://x/actions/open?gate=zz"));
  assert.deepEqual([unknown.status, (await unknown.json()).error], [404, 'no gate named "zz"']);
  const none = new GateRoutes({}, new AbortController().signal);
  assert.equal(none.events().status, 501);
  assert.equal(none.open(new URL("http://x/?gate=t1")).status, 501);
  assert.equal(r.counters.opens, 1);
});
