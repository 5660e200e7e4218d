/**
 * The plain-text status summary `cli status` prints.
 *
 * @module
 */

import type { ReaderStatus, StatusSnapshot } from "./snapshot.ts";
import { formatAgo, formatBytes, formatDuration } from "./units.ts";

/** Removes terminal control characters (escape sequences, newlines) from a value. */
function t(value: unknown): string {
  // deno-lint-ignore no-control-regex
  return String(value ?? "").replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
}

function n(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? String(value) : "?";
}

function compact(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "object") return t(value);
  try {
    return t(JSON.stringify(value));
  } catch {
    return "[unprintable]";
  }
}

/**
 * The reader's dropped frames on one line, non-zero reasons only, with the
 * last unknown bit counts: `unknown-length 7 (last 32, 32, 1 bits) · glitch 40`.
 */
export function formatDrops(r: ReaderStatus): string {
  const drops = r.drops && typeof r.drops === "object" ? r.drops : {};
  const parts: string[] = [];
  for (const [reason, count] of Object.entries(drops)) {
    if (typeof count !== "number" || count <= 0) continue;
    let part = `${t(reason)} ${n(count)}`;
    const last = Array.isArray(r.lastUnknownLengths) ? r.lastUnknownLengths : [];
    if (reason === "unknown-length" && last.length > 0) {
      part += ` (last ${last.map(n).join(", ")} bits)`;
    }
    parts.push(part);
  }
  return parts.join(" · ");
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * Formats a snapshot as a multi-line, human-readable summary (no colours, no
 * control characters): health, alarms, readers, pipeline, journal, sync.
 *
 * @example
 * ```ts
 * console.log(formatStatusText(await (await fetch("http://127.0.0.1:8780/health")).json()));
 * // pontaj 0.1.0 · healthy · up 2 h 3 min · boot 5f1c…
 * // …
 * ```
 */
export function formatStatusText(s: StatusSnapshot): string {
  const out: string[] = [];
  const now = s.now;
  out.push(
    `pontaj ${t(s.version)} · ${s.healthy ? "healthy" : "DEGRADED"} · up ${
      formatDuration(now - s.startedAt)
    } · boot ${t(s.bootId)}`,
  );
  for (const a of s.alarms) out.push(`ALARM     ${t(a)}`);
  for (const d of s.degraded) out.push(`DEGRADED  ${t(d)}`);
  for (const r of s.readers) {
    for (const h of Array.isArray(r.hints) ? r.hints : []) {
      out.push(`WARNING   reader ${t(r.name)}: ${t(h?.message)}`);
    }
  }
  for (const w of s.warnings ?? []) out.push(`WARNING   ${t(w)}`);
  if (s.lastError) out.push(`Last error: ${t(s.lastError)}`);
  out.push("");

  out.push("Readers");
  if (s.readers.length === 0) {
    out.push("  (none configured)");
  } else {
    const rows = s.readers.map((r) => [
      t(r.name),
      t(r.kind),
      t(r.state),
      n(r.scans),
      n(r.debounced),
      n(r.decodeErrors),
      n(r.reconnects),
      formatAgo(r.lastScanAt, now),
    ]);
    const lines = table(
      ["NAME", "KIND", "STATE", "SCANS", "DEBOUNCED", "DECODE ERR", "RECONNECTS", "LAST SCAN"],
      rows,
      new Set([3, 4, 5, 6]),
    );
    out.push(`  ${lines[0]}`);
    s.readers.forEach((r, i) => {
      out.push(`  ${lines[i + 1]}`);
      if (r.lastError) out.push(`    last error: ${t(r.lastError)}`);
      const drops = formatDrops(r);
      if (drops) out.push(`    dropped: ${drops}`);
      const sc = r.details?.secureChannel;
      if (typeof sc === "string") {
        out.push(`    secure channel: ${t(sc)} · key: ${t(r.details?.keySource ?? "none")}`);
      }
      if (r.details && Object.keys(r.details).length > 0) {
        const parts = Object.entries(r.details).map(([k, v]) => `${t(k)}=${compact(v)}`);
        out.push(`    ${parts.join(" ")}`);
      }
    });
  }
  out.push("");

  const p = s.pipeline;
  out.push(
    `Pipeline  read ${n(p.read)} · journaled ${n(p.journaled)} · debounced ${n(p.debounced)}` +
      ` · clock unsynced ${n(p.clockUnsynced)}`,
  );

  const j = s.journal;
  out.push(
    `Journal   pending ${n(j.pending)} · rejected ${n(j.rejected)} · synced ${n(j.synced)}` +
      ` · total ${n(j.total)}` + (j.events ? ` · gate events ${n(j.events)}` : "") +
      (j.held ? ` · held ${n(j.held)}` : "") +
      (j.notPassed ? ` · not passed ${n(j.notPassed)}` : ""),
  );
  out.push(
    `          oldest pending ${
      j.oldestPendingAgeMs === null ? "none" : formatDuration(j.oldestPendingAgeMs)
    }` +
      ` · ${formatBytes(j.bytes)} in ${n(j.segments)} segment${j.segments === 1 ? "" : "s"}`,
  );
  if (j.queued || j.dropped || j.corruption?.count) {
    const last = j.corruption?.last ? ` (last: ${t(j.corruption.last)})` : "";
    out.push(
      `          queued ${n(j.queued)} · dropped ${n(j.dropped)} · corruption ${
        n(j.corruption?.count)
      }${last}`,
    );
  }
  if (j.degraded) out.push(`          degraded: ${t(j.degraded)}`);

  const y = s.sync;
  out.push(
    `Sync      ${t(y.state)} · last success ${formatAgo(y.lastSuccessAt, now)} · retries ${
      n(y.retries)
    }`,
  );
  const batches = Object.keys(y.batches).sort().map((k) => `${t(k)} ${n(y.batches[k])}`);
  out.push(`          batches ${batches.length ? batches.join(" · ") : "none"}`);
  out.push(
    `          records accepted ${n(y.records.accepted)} · duplicate ${n(y.records.duplicate)}` +
      ` · rejected ${n(y.records.rejected)}`,
  );
  if (y.latency && y.latency.count > 0) {
    out.push(
      `          latency avg ${
        (y.latency.sum / y.latency.count).toFixed(2)
      } s over ${y.latency.count}`,
    );
  }
  if (y.lastError) out.push(`          last error: ${t(y.lastError)}`);
  if (y.lastLive) out.push(`          last live reply: ${compact(y.lastLive)}`);
  return out.join("\n") + "\n";
}
