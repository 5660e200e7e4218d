/**
 * The status page's capture control: pick a reader and a duration (and type
 * the status token when one is configured), record with
 * `POST /actions/capture`, and save the returned file through a Blob, an
 * object URL and an `<a download>`. The token is read from the input at
 * submit time; it is never part of the page the server sends.
 *
 * @module
 */

import { HTTP_CAPTURE_MAX_SECONDS } from "./capture_route.ts";

/** What the page needs to know to offer captures. */
export interface CaptureControlOptions {
  /** True when `status.token` is set: the page asks the user to type it. */
  tokenRequired: boolean;
}

/** The duration the seconds field starts with. */
export const CAPTURE_DEFAULT_SECONDS = 30;

function esc(v: string): string {
  return v.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}

/** The control's HTML: a card with the reader select, seconds, optional token and a button. */
export function captureControlHtml(
  readers: readonly string[],
  opts: CaptureControlOptions,
): string {
  const options = readers.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join("");
  const token = opts.tokenRequired
    ? `<label>Status token <input id="capture-token" type="password" autocomplete="off" ` +
      `spellcheck="false" required></label>`
    : "";
  return `<section class="card" id="capture"><h2>Capture a reader</h2>` +
    `<form id="capture-form" class="cap" novalidate>` +
    `<label>Reader <select id="capture-reader">${options}</select></label>` +
    `<label>Seconds <input id="capture-seconds" type="number" inputmode="numeric" min="1" ` +
    `max="${HTTP_CAPTURE_MAX_SECONDS}" value="${CAPTURE_DEFAULT_SECONDS}" required></label>` +
    token +
    `<button id="capture-go" type="submit">Record</button></form>` +
    `<p id="capture-msg" class="small" role="status" aria-live="polite"></p>` +
    `<p class="small"><a id="capture-file" hidden></a></p></section>`;
}

/** CSS for the control (appended to the page's style). */
export const CAPTURE_CSS = `
.cap{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:end}
.cap label{display:flex;flex-direction:column;font-size:12px;color:var(--mut);gap:3px}
.cap input,.cap select,.cap button{font:inherit;padding:5px 8px;border-radius:7px;border:1px solid var(--line);
background:var(--bg);color:var(--fg)}
.cap input[type=number]{width:6.5em}.cap button{background:var(--hl);color:#fff;border:0;font-weight:600}
.cap button:disabled{opacity:.55}#capture-msg.err{color:var(--bad)}#capture-file{color:var(--hl)}
`.trim();

/**
 * The control's browser code, as a JS expression that evaluates to an object
 * with `readers(list)` (called after each `/health` refresh to keep the
 * select in step with the agent's readers). Everything it shows is set with
 * `textContent`, never as markup.
 */
export function captureControlScript(): string {
  return `(function () {
  var form = document.getElementById("capture-form");
  if (!form) return null;
  var sel = document.getElementById("capture-reader");
  var secs = document.getElementById("capture-seconds");
  var tok = document.getElementById("capture-token");
  var go = document.getElementById("capture-go");
  var msg = document.getElementById("capture-msg");
  var file = document.getElementById("capture-file");
  var objectUrl = null;
  function say(text, bad) {
    msg.textContent = text;
    msg.className = bad ? "small err" : "small";
  }
  function clip(v) {
    var t = String(v == null ? "" : v);
    return t.length > 300 ? t.slice(0, 300) + "…" : t;
  }
  function fileName(res, reader) {
    var m = /filename="([A-Za-z0-9._-]{1,100})"/.exec(res.headers.get("content-disposition") || "");
    return m ? m[1] : "pontaj-" + reader + ".pjcap";
  }
  function offer(blob, name, reader, seconds) {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(blob);
    file.href = objectUrl;
    file.download = name;
    file.textContent = "Save " + name + " again (" + blob.size + " bytes)";
    file.hidden = false;
    file.click();
    say("Captured " + seconds + " s from " + reader + ": " + name + ", " + blob.size + " bytes.", false);
    document.body.setAttribute("data-captures", String(Number(document.body.getAttribute("data-captures") || 0) + 1));
  }
  function failed(status, text) {
    if (status === 401) {
      say("Capture refused: wrong or missing status token (HTTP 401). Type the agent's status.token.", true);
    } else {
      say("Capture failed" + (status ? " (HTTP " + status + ")" : "") + ": " + clip(text), true);
    }
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var reader = sel.value;
    var seconds = String(secs.value).trim();
    if (!reader) { say("Capture: no reader to record.", true); return; }
    if (!/^[0-9]{1,4}$/.test(seconds) || Number(seconds) < 1 || Number(seconds) > ${HTTP_CAPTURE_MAX_SECONDS}) {
      say("Capture: seconds must be a whole number from 1 to ${HTTP_CAPTURE_MAX_SECONDS}.", true);
      return;
    }
    var headers = {};
    if (tok) {
      if (!tok.value) { say("Capture: type the status token first.", true); return; }
      headers.authorization = "Bearer " + tok.value;
    }
    go.disabled = true;
    say("Recording " + seconds + " s from " + reader + "… (the reader keeps reading)", false);
    var status = 0;
    fetch("actions/capture?reader=" + encodeURIComponent(reader) + "&seconds=" + seconds, {
      method: "POST", cache: "no-store", credentials: "omit", headers: headers,
    })
      .then(function (res) {
        status = res.status;
        if (res.ok) {
          return res.blob().then(function (b) { offer(b, fileName(res, reader), reader, seconds); });
        }
        return res.text().then(function (t) {
          var e = t;
          try { e = JSON.parse(t).error || t; } catch (_) { /* not JSON */ }
          failed(status, e);
        });
      })
      .catch(function (err) { failed(status, status ? String(err) : "the agent did not answer"); })
      .then(function () { go.disabled = false; });
  });
  return {
    readers: function (list) {
      var names = [];
      for (var i = 0; i < list.length; i++) if (list[i] && typeof list[i].name === "string") names.push(list[i].name);
      var have = [];
      for (var j = 0; j < sel.options.length; j++) have.push(sel.options[j].value);
      if (have.join("\\n") === names.join("\\n")) return;
      var keep = sel.value;
      while (sel.firstChild) sel.removeChild(sel.firstChild);
      for (var k = 0; k < names.length; k++) {
        var o = document.createElement("option");
        o.value = names[k];
        o.textContent = names[k];
        sel.appendChild(o);
      }
      if (names.indexOf(keep) >= 0) sel.value = keep;
    },
  };
})()`;
}
