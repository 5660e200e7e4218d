import assert from "node:assert/strict";
import {
  renderPage,
  startStatusServer,
  type StatusSnapshot,
  statusView,
} from "../../../service/status/mod.ts";
import { degradedSnapshot, healthySnapshot } from "./fixture.ts";
import { dumpDom } from "./chromium.ts";

/** The first request (the page itself) gets the healthy snapshot; every later one a changed, degraded one. */
function changingSnapshot(): { snapshot: () => StatusSnapshot; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    snapshot: () => {
      calls++;
      if (calls === 1) return healthySnapshot();
      const s = degradedSnapshot();
      s.journal.pending = 4127;
      s.readers[0]!.name = "turnstile-north";
      s.readers[1]!.lastError = 'unplugged <img id="injected" src="x">';
      s.pipeline.read = 20 + calls;
      return s;
    },
  };
}

Deno.test("status page in headless Chromium re-renders from /health", async () => {
  const src = changingSnapshot();
  const server = await startStatusServer({ listen: "127.0.0.1:0", snapshot: src.snapshot });
  let dom: string;
  try {
    dom = await dumpDom(`${server.url}/`);
  } finally {
    await server.close();
  }
  // The script fetched /health at least once and re-rendered with what it got.
  assert.ok(src.calls() >= 2, `expected /health fetches, saw ${src.calls()} requests`);
  const refreshes = Number(/<body[^>]* data-refreshes="(\d+)"/.exec(dom)?.[1]);
  assert.ok(refreshes >= 1, `page did not refresh: data-refreshes=${refreshes}`);
  assert.equal(refreshes, src.calls() - 1);
  assert.ok(
    dom.includes('<div class="v" id="journal-pending">4,127</div>'),
    "pending count from /health",
  );
  assert.ok(dom.includes('data-reader="turnstile-north"'), "reader renamed in /health");
  assert.ok(!dom.includes('data-reader="gate-1"'), "first paint replaced");
  assert.ok(dom.includes('data-reader="gate-2"'));
  assert.ok(dom.includes('<span id="health" class="badge bad">Degraded</span>'));
  assert.ok(dom.includes("⚠ iFlow rejected the device token"));
  assert.ok(dom.includes('id="sync-state">auth-failed</b>'));
  assert.ok(dom.includes("<title>pontaj · DEGRADED</title>"), "title follows health");
  // Values from the agent are text, never markup.
  assert.ok(dom.includes('unplugged &lt;img id="injected" src="x"&gt;'));
  assert.ok(!dom.includes('<img id="injected"'));
});

Deno.test("status page in headless Chromium keeps the last data and says so when the agent is gone", async () => {
  let calls = 0;
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot: () => {
      calls++;
      if (calls === 1) return healthySnapshot();
      throw new Error("agent shutting down");
    },
  });
  let dom: string;
  try {
    dom = await dumpDom(`${server.url}/`);
  } finally {
    await server.close();
  }
  assert.ok(calls >= 2);
  assert.ok(dom.includes('data-refreshes="0"'));
  assert.ok(dom.includes('data-reader="gate-1"'), "first paint kept");
  assert.ok(
    dom.includes(
      '<span id="link" class="link stale">agent: cannot build status: agent shutting down</span>',
    ),
  );
});

Deno.test("status page first paint holds every section without JavaScript", () => {
  const html = renderPage(degradedSnapshot());
  assert.ok(html.startsWith('<!doctype html>\n<html lang="en">'));
  assert.ok(html.includes('<noscript><meta http-equiv="refresh" content="5"></noscript>'));
  for (
    const want of [
      '<span id="health" class="badge bad">Degraded</span>',
      '<div class="box alarm" role="alert">⚠ iFlow rejected the device token</div>',
      '<div class="box warn">journal: disk full</div>',
      '<div class="v" id="journal-pending">3</div>',
      '<div class="v" id="journal-rejected">1</div>',
      'data-reader="gate-1"',
      'data-reader="gate-2"',
      "last scan 2 min 5 s ago",
      '<div class="err">port /dev/ttyUSB1 disconnected</div>',
      "tamper: false · power: ok",
      "<dt>Oldest pending</dt><dd>42 s</dd>",
      "<dt>On disk</dt><dd>12.3 KiB in 2 segments</dd>",
      "<dt>Corruption</dt><dd>1 · bad CRC at 000001:4096</dd>",
      '<b id="sync-state">auth-failed</b>',
      "<dt>Latency</dt><dd>avg 0.38 s · 95% ≤ 5 s · 14 replies</dd>",
      "up 2 h 3 min · boot 5f1c9a20",
    ]
  ) assert.ok(html.includes(want), `missing: ${want}`);
  // Self-contained: no external scripts, styles, images or fonts.
  assert.equal(/<(script|link|img)[^>]+(src|href)=/i.test(html), false);
  assert.equal(/url\(/i.test(html), false);
});

Deno.test("status page escapes every value from the snapshot", () => {
  const s = healthySnapshot();
  s.version = "<b>1</b>";
  s.alarms = ["<script>alert(1)</script>"];
  s.readers[0]!.name = `"><svg onload=alert(1)>`;
  s.readers[0]!.kind = "a&b";
  s.readers[1]!.details = { "<k>": "<v>" };
  s.sync.batches = { "<x>": 1 };
  const body = statusView(s, { live: true, note: "" });
  assert.equal(/<(script|svg)/i.test(body), false);
  assert.ok(body.includes("&#60;script&#62;alert(1)&#60;/script&#62;"));
  assert.ok(body.includes('data-reader="&#34;&#62;&#60;svg onload=alert(1)&#62;"'));
  assert.ok(body.includes("a&#38;b"));
  assert.ok(body.includes("&#60;k&#62;: &#60;v&#62;"));
  assert.ok(body.includes("&#60;x&#62; 1"));
  assert.ok(body.includes("pontaj &#60;b&#62;1&#60;/b&#62;"));
  // The embedded script cannot be closed early by its own source.
  const html = renderPage(s);
  assert.equal(html.match(/<\/script/gi)?.length, 1);
});

Deno.test("status page view source is self-contained, as the browser copy needs", () => {
  // The page embeds statusView.toString(); rebuilt with no access to this module's scope,
  // it must render exactly what the server renders.
  const copy = new Function(
    `"use strict"; return (${statusView.toString()});`,
  )() as typeof statusView;
  for (const s of [healthySnapshot(), degradedSnapshot()]) {
    const link = { live: false, note: "agent unreachable" };
    assert.equal(copy(s, link), statusView(s, link));
  }
  // Robust to partial JSON (e.g. an older agent's /health).
  const partial = copy({ healthy: true, now: 0 } as unknown as StatusSnapshot, {
    live: true,
    note: "",
  });
  assert.ok(partial.includes("No readers configured."));
});
