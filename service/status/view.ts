/**
 * The status page's body, as one self-contained function: the server calls it
 * for the first paint and the page embeds its source (`statusView.toString()`)
 * to re-render from `/health` in the browser. It must therefore reference
 * nothing outside itself but JavaScript built-ins.
 *
 * @module
 */

import type { StatusSnapshot } from "./snapshot.ts";

/** The link state the page shows beside the health badge. */
export interface ViewLink {
  /** True when the data just came from the agent. */
  live: boolean;
  /** Short note (e.g. "agent unreachable"), or "". */
  note: string;
}

/**
 * Renders the page body (everything inside `<div id="app">`) for a snapshot.
 * Every value is HTML-escaped; the input may be any JSON from `/health`.
 */
export function statusView(s: StatusSnapshot, link: ViewLink): string {
  // Helpers are object methods, not named function bindings: bundlers that
  // keep names (esbuild --keep-names) wrap those in a module-level helper the
  // browser copy of this function would not have.
  const now = typeof s.now === "number" ? s.now : Date.now();
  const f = {
    esc(v: unknown): string {
      return String(v ?? "").replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
    },
    num(v: unknown): string {
      return typeof v === "number" && isFinite(v) ? v.toLocaleString("en-US") : "?";
    },
    dur(ms: number): string {
      if (!isFinite(ms)) return "?";
      if (ms < 1000) return Math.max(0, Math.round(ms)) + " ms";
      const sec = Math.floor(ms / 1000);
      if (sec < 60) return sec + " s";
      const m = Math.floor(sec / 60);
      if (m < 60) return m + " min" + (sec % 60 ? " " + (sec % 60) + " s" : "");
      const h = Math.floor(m / 60);
      if (h < 24) return h + " h" + (m % 60 ? " " + (m % 60) + " min" : "");
      return Math.floor(h / 24) + " d" + (h % 24 ? " " + (h % 24) + " h" : "");
    },
    ago(t: number | null | undefined): string {
      if (typeof t !== "number") return "never";
      return now - t < 1000 ? "just now" : f.dur(now - t) + " ago";
    },
    bytes(n: number): string {
      if (typeof n !== "number" || !isFinite(n)) return "?";
      if (n < 1024) return n + " B";
      const u = ["KiB", "MiB", "GiB", "TiB"];
      let v = n / 1024;
      let i = 0;
      while (v >= 1024 && i < u.length - 1) {
        v /= 1024;
        i++;
      }
      return v.toFixed(1) + " " + u[i];
    },
    tile(id: string, label: string, value: string, cls: string): string {
      return `<div class="tile ${cls}"><div class="v" id="${id}">${value}</div>` +
        `<div class="k">${f.esc(label)}</div></div>`;
    },
    kv(label: string, value: string): string {
      return `<dt>${f.esc(label)}</dt><dd>${value}</dd>`;
    },
    stat(v: unknown, label: string): string {
      return `<span><b>${f.num(v)}</b> ${label}</span>`;
    },
  };
  const { esc, num, dur, ago, bytes, tile, kv, stat } = f;

  const readers = Array.isArray(s.readers) ? s.readers : [];
  const alarms = Array.isArray(s.alarms) ? s.alarms : [];
  const degraded = Array.isArray(s.degraded) ? s.degraded : [];
  const j = s.journal ?? ({} as StatusSnapshot["journal"]);
  const y = s.sync ?? ({} as StatusSnapshot["sync"]);
  const p = s.pipeline ?? ({} as StatusSnapshot["pipeline"]);
  const h: string[] = [];

  h.push(
    `<header><h1>pontaj</h1>`,
    `<span id="health" class="badge ${s.healthy ? "ok" : "bad"}">${
      s.healthy ? "Healthy" : "Degraded"
    }</span>`,
    `<span id="link" class="link ${link.live ? "live" : "stale"}">${
      esc(link.note || "live · " + new Date(now).toLocaleTimeString("en-GB"))
    }</span></header>`,
  );
  for (const a of alarms) h.push(`<div class="box alarm" role="alert">⚠ ${esc(a)}</div>`);
  for (const d of degraded) h.push(`<div class="box warn">${esc(d)}</div>`);
  for (const r of readers) {
    for (const hint of Array.isArray(r.hints) ? r.hints : []) {
      h.push(
        `<div class="box warn hint" data-hint="${esc(hint?.code)}">⚠ reader ${esc(r.name)}: ${
          esc(hint?.message)
        }</div>`,
      );
    }
  }
  const warnings = Array.isArray(s.warnings) ? s.warnings : [];
  for (const w of warnings) h.push(`<div class="box note">${esc(w)}</div>`);
  if (s.lastError) h.push(`<div class="box note">Last error: ${esc(s.lastError)}</div>`);

  h.push(
    `<section class="card"><h2>Scans</h2><div class="tiles">`,
    tile("pipeline-read", "read", num(p.read), ""),
    tile("pipeline-journaled", "journaled", num(p.journaled), ""),
    tile("pipeline-debounced", "debounced", num(p.debounced), ""),
    tile("journal-pending", "pending", num(j.pending), j.pending > 0 ? "hl" : ""),
    tile("journal-rejected", "rejected", num(j.rejected), j.rejected > 0 ? "badv" : ""),
    `</div></section>`,
  );

  h.push(`<section class="card"><h2>Readers</h2>`);
  if (readers.length === 0) {
    h.push(`<p class="muted">No readers configured.</p>`);
  } else {
    h.push(`<div id="readers">`);
    for (const r of readers) {
      h.push(
        `<div class="reader" data-reader="${esc(r.name)}"><div class="rh">`,
        `<span class="dot ${esc(r.state)}"></span><b class="name">${esc(r.name)}</b>`,
        `<span class="muted">${esc(r.kind)}</span><span class="state ${esc(r.state)}">${
          esc(r.state)
        }</span>`,
        `<span class="last muted">last scan ${esc(ago(r.lastScanAt))}</span></div>`,
        `<div class="stats">`,
        stat(r.scans, "scans"),
        stat(r.debounced, "debounced"),
        stat(r.decodeErrors, "decode errors"),
        stat(r.reconnects, "reconnects"),
        `</div>`,
      );
      if (r.lastError) h.push(`<div class="err">${esc(r.lastError)}</div>`);
      const drops = r.drops && typeof r.drops === "object" ? r.drops : {};
      const dropped = Object.keys(drops).filter((k) => (drops[k] ?? 0) > 0).map((k) => {
        const last = Array.isArray(r.lastUnknownLengths) ? r.lastUnknownLengths : [];
        return esc(k) + " " + num(drops[k]) +
          (k === "unknown-length" && last.length
            ? " (last " + esc(last.join(", ")) + " bits)"
            : "");
      });
      if (dropped.length) h.push(`<div class="small drops">dropped: ${dropped.join(" · ")}</div>`);
      if (r.details && typeof r.details === "object") {
        const d = Object.keys(r.details).map((k) => {
          const v = r.details?.[k];
          return esc(k) + ": " + esc(typeof v === "object" ? JSON.stringify(v) : v);
        });
        if (d.length) h.push(`<div class="muted small">${d.join(" · ")}</div>`);
      }
      h.push(`</div>`);
    }
    h.push(`</div>`);
  }
  h.push(`</section>`);

  const corr = j.corruption ?? { count: 0 };
  h.push(
    `<section class="card"><h2>Journal</h2><dl class="kv">`,
    kv("Pending", num(j.pending)),
    kv(
      "Oldest pending",
      typeof j.oldestPendingAgeMs === "number" ? esc(dur(j.oldestPendingAgeMs)) : "none",
    ),
    kv("Rejected", num(j.rejected)),
    kv("Synced", num(j.synced)),
    kv("Total", num(j.total)),
    kv(
      "On disk",
      esc(bytes(j.bytes)) + " in " + num(j.segments) +
        (j.segments === 1 ? " segment" : " segments"),
    ),
  );
  if (j.queued || j.dropped) h.push(kv("Queued / dropped", num(j.queued) + " / " + num(j.dropped)));
  if (corr.count) {
    h.push(kv("Corruption", num(corr.count) + (corr.last ? " · " + esc(corr.last) : "")));
  }
  if (j.degraded) h.push(kv("Degraded", `<span class="err">${esc(j.degraded)}</span>`));
  h.push(`</dl></section>`);

  const lat = y.latency;
  let latText = "no data";
  if (lat && lat.count > 0) {
    latText = "avg " + (lat.sum / lat.count).toFixed(2) + " s";
    const b = Array.isArray(lat.bounds) ? lat.bounds : [];
    for (let i = 0; i < b.length; i++) {
      if ((lat.counts?.[i] ?? 0) >= 0.95 * lat.count) {
        latText += " · 95% ≤ " + b[i] + " s";
        break;
      }
    }
    latText += " · " + lat.count + " replies";
  }
  const batches = Object.keys(y.batches ?? {}).sort().map((k) => esc(k) + " " + num(y.batches[k]));
  const rec = y.records ?? { accepted: 0, duplicate: 0, rejected: 0 };
  h.push(
    `<section class="card"><h2>Sync</h2><dl class="kv">`,
    kv("State", `<b id="sync-state">${esc(y.state)}</b>`),
    kv("Last success", esc(ago(y.lastSuccessAt))),
    kv(
      "Records",
      `accepted ${num(rec.accepted)} · duplicate ${num(rec.duplicate)} · rejected ${
        num(rec.rejected)
      }`,
    ),
    kv("Batches", batches.length ? batches.join(" · ") : "none"),
    kv("Retries", num(y.retries)),
    kv("Latency", esc(latText)),
  );
  if (y.lastError) h.push(kv("Last error", `<span class="err">${esc(y.lastError)}</span>`));
  if (y.lastLive) h.push(kv("Last live reply", esc(JSON.stringify(y.lastLive))));
  h.push(`</dl></section>`);

  h.push(
    `<footer>pontaj ${esc(s.version)} · up ${esc(dur(now - s.startedAt))} · boot ${esc(s.bootId)}`,
    ` · <a href="health">health</a> · <a href="metrics">metrics</a></footer>`,
  );
  return h.join("");
}
