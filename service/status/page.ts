/**
 * The status page at `/`: one self-contained HTML document (inline CSS and
 * JS, no external assets) that re-renders itself from `/health` every 2 s.
 *
 * @module
 */

import type { StatusSnapshot } from "./snapshot.ts";
import { statusView } from "./view.ts";
import {
  CAPTURE_CSS,
  captureControlHtml,
  type CaptureControlOptions,
  captureControlScript,
} from "./capture_control.ts";

/** How often the page fetches `/health`, in ms. */
export const PAGE_REFRESH_MS = 2000;

/**
 * `Content-Security-Policy` for the page: nothing but its own inline style and
 * script, and fetches to its own origin.
 */
export const PAGE_CSP: string =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; " +
  "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const CSS = `
:root{--bg:#f3f4f6;--card:#fff;--fg:#17202b;--mut:#6a7380;--line:#e2e5e9;--ok:#17803d;--okbg:#e3f4e8;
--bad:#b9231a;--badbg:#fde9e7;--warn:#9a5700;--warnbg:#fff3dc;--hl:#1f5fbf}
@media (prefers-color-scheme:dark){:root{--bg:#101317;--card:#1a1f26;--fg:#e5e8ec;--mut:#98a1ac;
--line:#2a313a;--ok:#4cc274;--okbg:#12301d;--bad:#ff6f63;--badbg:#3a1614;--warn:#f0a43a;--warnbg:#382a10;--hl:#6fa8ff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:980px;margin:0 auto;padding:14px}
header{display:flex;align-items:center;gap:10px;flex-wrap:wrap}
h1{font-size:21px;margin:0 4px 0 0;letter-spacing:-.01em}
.badge{padding:3px 12px;border-radius:999px;font-weight:650;font-size:14px}
.badge.ok{background:var(--okbg);color:var(--ok)}.badge.bad{background:var(--badbg);color:var(--bad)}
.link{margin-left:auto;font-size:12px;color:var(--mut)}.link.stale{color:var(--bad);font-weight:600}
.link.live:before{content:"";display:inline-block;width:7px;height:7px;border-radius:50%;background:var(--ok);margin-right:6px}
.box{border-radius:9px;padding:10px 12px;margin-top:10px;font-weight:600}
.alarm{background:var(--badbg);color:var(--bad)}.warn{background:var(--warnbg);color:var(--warn)}
.note{background:var(--card);border:1px solid var(--line);font-weight:400;font-size:14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:11px;padding:12px 14px;margin-top:12px}
h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--mut);margin:0 0 10px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(105px,1fr));gap:8px}
.tile{background:var(--bg);border-radius:9px;padding:8px 10px}
.tile .v{font-size:25px;font-weight:650;font-variant-numeric:tabular-nums}
.tile .k{font-size:12px;color:var(--mut)}
.tile.hl .v{color:var(--hl)}.tile.badv .v{color:var(--bad)}
.reader{padding:9px 0;border-top:1px solid var(--line)}.reader:first-child{border-top:0;padding-top:0}
.rh{display:flex;align-items:center;flex-wrap:wrap;gap:4px 8px}
.rh .name{font-size:16px}.rh .last{margin-left:auto;font-size:13px}
.state{font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;background:var(--bg);color:var(--mut)}
.state.online{background:var(--okbg);color:var(--ok)}.state.offline{background:var(--badbg);color:var(--bad)}
.state.connecting,.state.not-answering{background:var(--warnbg);color:var(--warn)}
.state.refused{background:var(--badbg);color:var(--bad)}
.stats{display:flex;flex-wrap:wrap;gap:2px 16px;margin-top:4px;font-size:14px;color:var(--mut);font-variant-numeric:tabular-nums}
.stats b{color:var(--fg);font-weight:600}
.reader .err{font-size:13px;margin-top:3px}.small{font-size:13px;margin-top:2px}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;background:var(--mut)}
.dot.online{background:var(--ok)}.dot.offline{background:var(--bad)}.dot.connecting,.dot.not-answering{background:var(--warn)}.dot.refused{background:var(--bad)}
.muted{color:var(--mut)}.err{color:var(--bad)}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:5px 16px;margin:0}
dt{color:var(--mut)}dd{margin:0;overflow-wrap:anywhere}
footer{color:var(--mut);font-size:12px;margin:18px 0 6px;text-align:center}
footer a{color:inherit}
`.trim();

/** What the page offers besides the status. */
export interface PageOptions {
  /** Show the capture control (the server has the capture action). */
  capture?: CaptureControlOptions;
}

function clientScript(capture: boolean): string {
  const view = statusView.toString();
  return `(function () {
  "use strict";
  var __name = function (f) { return f; };
  var view = ${view};
  var capture = ${capture ? captureControlScript() : "null"};
  var app = document.getElementById("app");
  var last = null, refreshes = 0;
  function failed(note) {
    if (last) { app.innerHTML = view(last, { live: false, note: note }); return; }
    var el = document.getElementById("link");
    if (el) { el.textContent = note; el.className = "link stale"; }
  }
  function tick() {
    var ctl = new AbortController();
    var to = setTimeout(function () { ctl.abort(); }, 5000);
    fetch("health", { cache: "no-store", signal: ctl.signal, headers: { accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!s || typeof s !== "object" || !Array.isArray(s.readers)) {
          failed("agent: " + String((s && s.error) || "no status"));
          return;
        }
        last = s;
        app.innerHTML = view(s, { live: true, note: "" });
        document.title = "pontaj · " + (s.healthy ? "healthy" : "DEGRADED");
        if (capture) capture.readers(s.readers);
        refreshes++;
        document.body.setAttribute("data-refreshes", String(refreshes));
      })
      .catch(function () {
        failed("agent unreachable · showing last data");
      })
      .then(function () {
        clearTimeout(to);
        setTimeout(tick, ${PAGE_REFRESH_MS});
      });
  }
  setTimeout(tick, ${PAGE_REFRESH_MS});
})();`;
}

/** Keeps inline script text from closing its `<script>` element early. */
function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

const scripts: (string | undefined)[] = [undefined, undefined];

/**
 * Renders the status page for a snapshot: the first paint comes from the
 * server; inline JS then fetches `/health` (relative URL, so it works behind a
 * path prefix) every {@link PAGE_REFRESH_MS} and re-renders with the same
 * view. Without JS, a `<noscript>` meta refresh reloads the page every 5 s.
 * After each successful refresh `<body data-refreshes>` counts them.
 * With `opts.capture`, a capture control below the status records a reader
 * and saves the file (see `capture_control.ts`).
 *
 * @example
 * ```ts
 * new Response(renderPage(snapshot), { headers: { "content-type": "text/html; charset=utf-8" } });
 * ```
 */
export function renderPage(s: StatusSnapshot, opts: PageOptions = {}): string {
  const i = opts.capture ? 1 : 0;
  const script = scripts[i] ??= scriptSafe(clientScript(i === 1));
  const names = Array.isArray(s.readers) ? s.readers.map((r) => String(r.name)) : [];
  const control = opts.capture ? captureControlHtml(names, opts.capture) : "";
  const title = `pontaj · ${s.healthy ? "healthy" : "DEGRADED"}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<noscript><meta http-equiv="refresh" content="5"></noscript>
<style>${CSS}${opts.capture ? "\n" + CAPTURE_CSS : ""}</style>
</head>
<body data-refreshes="0">
<main><div id="app">${statusView(s, { live: true, note: "" })}</div>${control}</main>
<script>${script}</script>
</body>
</html>
`;
}
