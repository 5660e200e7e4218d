/**
 * Prometheus text exposition (format 0.0.4) of a {@link StatusSnapshot}.
 *
 * @module
 */

import type { Histogram, StatusSnapshot } from "./snapshot.ts";
import type { GateStatus } from "../gates/gates.ts";
import { DECISION_REASONS } from "../gates/decide.ts";

/** The `Content-Type` of {@link renderMetrics}'s output. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => c === "\\" ? "\\\\" : c === '"' ? '\\"' : "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => c === "\\" ? "\\\\" : "\\n");
}

/** Formats a sample value the way Prometheus parses it (`NaN`, `+Inf`, `-Inf`). */
export function formatSampleValue(value: unknown): string {
  const n = typeof value === "number" ? value : typeof value === "boolean" ? +value : NaN;
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

type Labels = Record<string, string>;
type Kind = "counter" | "gauge" | "histogram";

class Exposition {
  #lines: string[] = [];

  family(name: string, kind: Kind, help: string): this {
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${kind}`);
    return this;
  }

  sample(name: string, value: unknown, labels?: Labels): this {
    let l = "";
    if (labels) {
      const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(String(v))}"`);
      if (parts.length > 0) l = `{${parts.join(",")}}`;
    }
    this.#lines.push(`${name}${l} ${formatSampleValue(value)}`);
    return this;
  }

  /** A family with a single unlabelled sample. */
  one(name: string, kind: Kind, help: string, value: unknown): this {
    return this.family(name, kind, help).sample(name, value);
  }

  histogram(name: string, help: string, h: Histogram): this {
    this.family(name, "histogram", help);
    return this.histogramSamples(name, h);
  }

  /** The samples of one histogram series (after its family line), with `labels`. */
  histogramSamples(name: string, h: Histogram, labels: Labels = {}): this {
    const bounds = Array.isArray(h?.bounds) ? h.bounds : [];
    const counts = Array.isArray(h?.counts) ? h.counts : [];
    for (let i = 0; i < bounds.length; i++) {
      this.sample(`${name}_bucket`, counts[i] ?? NaN, {
        ...labels,
        le: formatSampleValue(bounds[i]),
      });
    }
    this.sample(`${name}_bucket`, h?.count, { ...labels, le: "+Inf" });
    this.sample(`${name}_sum`, h?.sum, labels);
    return this.sample(`${name}_count`, h?.count, labels);
  }

  toString(): string {
    return this.#lines.join("\n") + "\n";
  }
}

const READER_STATES = ["connecting", "online", "offline", "stopped"] as const;

/** `{key: number}` entries of a value that should be a plain record (anything else: none). */
function entries(v: unknown): [string, unknown][] {
  return v && typeof v === "object" && !Array.isArray(v) ? Object.entries(v) : [];
}

/** Per-reader line families: drops by reason, unknown bit counts, hints in force. */
function lineFamilies(e: Exposition, readers: StatusSnapshot["readers"]): void {
  e.family(
    "pontaj_reader_dropped_total",
    "counter",
    "Frames (and glitch pulses) the reader dropped, by reason.",
  );
  for (const r of readers) {
    for (const [reason, n] of entries(r.drops)) {
      e.sample("pontaj_reader_dropped_total", n, { reader: r.name, reason });
    }
  }
  e.family(
    "pontaj_reader_unknown_length_total",
    "counter",
    "Frames of a bit count with no format (dropped), by bit count.",
  );
  for (const r of readers) {
    for (const [bits, n] of entries(r.unknownLengths)) {
      e.sample("pontaj_reader_unknown_length_total", n, { reader: r.name, bits });
    }
  }
  e.family("pontaj_reader_hint_active", "gauge", "One series per line hint in force.");
  for (const r of readers) {
    for (const h of Array.isArray(r.hints) ? r.hints : []) {
      e.sample("pontaj_reader_hint_active", 1, { reader: r.name, hint: String(h?.code) });
    }
  }
}
const RECORD_OUTCOMES = ["accepted", "duplicate", "rejected"] as const;

function seconds(ms: number | null | undefined): number {
  return typeof ms === "number" ? ms / 1000 : NaN;
}

/** The gate families (only when gates are configured). */
function gateMetrics(e: Exposition, gates: GateStatus[]): void {
  e.family("pontaj_gate_decisions_total", "counter", "Gate decisions on scans, by decision.");
  for (const g of gates) {
    e.sample("pontaj_gate_decisions_total", g.counters.granted, {
      gate: g.name,
      decision: "granted",
    });
    e.sample("pontaj_gate_decisions_total", g.counters.denied, {
      gate: g.name,
      decision: "denied",
    });
  }
  e.family("pontaj_gate_reasons_total", "counter", "Gate decisions on scans, by reason.");
  for (const g of gates) {
    for (const r of DECISION_REASONS) {
      e.sample("pontaj_gate_reasons_total", g.counters.reasons[r] ?? 0, {
        gate: g.name,
        reason: r,
      });
    }
  }
  e.family("pontaj_gate_exits_total", "counter", "Opens by the exit button.");
  for (const g of gates) e.sample("pontaj_gate_exits_total", g.counters.exits, { gate: g.name });
  e.family("pontaj_gate_open", "gauge", "1 while the gate's relay is energised.");
  for (const g of gates) e.sample("pontaj_gate_open", g.open ? 1 : 0, { gate: g.name });
  e.family("pontaj_gate_relay_errors_total", "counter", "Relay device calls that failed.");
  for (const g of gates) {
    e.sample("pontaj_gate_relay_errors_total", g.relay.errors, { gate: g.name });
  }
  e.family("pontaj_gate_open_seconds", "histogram", "Card read to relay energised, granted scans.");
  for (const g of gates) {
    e.histogramSamples("pontaj_gate_open_seconds", g.openLatency, { gate: g.name });
  }
}

/**
 * Renders the snapshot as Prometheus text exposition 0.0.4, every family with
 * `# HELP` and `# TYPE` lines.
 *
 * Families: `pontaj_info{version,boot_id}`, `pontaj_start_time_seconds`,
 * `pontaj_healthy`, `pontaj_alarm` (number of active alarms),
 * `pontaj_alarm_active{alarm}`, `pontaj_degraded_active{reason}`,
 * `pontaj_pipeline_{read,journaled,debounced,clock_unsynced}_total`;
 * per reader `pontaj_scans_total{reader}`, `pontaj_decode_errors_total{reader}`,
 * `pontaj_debounced_total{reader}`, `pontaj_reader_up{reader,kind}`,
 * `pontaj_reader_state{reader,state}`, `pontaj_reader_reconnects_total{reader}`,
 * `pontaj_reader_last_scan_timestamp_seconds{reader}`, for readers that count
 * them `pontaj_reader_dropped_total{reader,reason}` (frames dropped by reason),
 * `pontaj_reader_unknown_length_total{reader,bits}` and
 * `pontaj_reader_hint_active{reader,hint}` (line hints in force); the journal's
 * `pontaj_journal_{pending,rejected,synced,bytes,segments,queued,degraded}`,
 * `pontaj_journal_{records,dropped,corruption}_total`,
 * `pontaj_journal_oldest_pending_seconds` (0 when nothing is pending); the sync
 * engine's `pontaj_sync_state{state}`, `pontaj_sync_batches_total{outcome}`,
 * `pontaj_sync_records_total{outcome}`, `pontaj_sync_retries_total`,
 * `pontaj_sync_last_success_timestamp_seconds` and the
 * `pontaj_sync_latency_seconds` histogram; with gates,
 * `pontaj_gate_decisions_total{gate,decision}`,
 * `pontaj_gate_reasons_total{gate,reason}`, `pontaj_gate_exits_total{gate}`,
 * `pontaj_gate_open{gate}`, `pontaj_gate_relay_errors_total{gate}` and the
 * `pontaj_gate_open_seconds{gate}` histogram (card read → relay energised).
 *
 * @example
 * ```ts
 * const text = renderMetrics(snapshot);
 * // …
 * // pontaj_scans_total{reader="gate-1"} 12
 * ```
 */
export function renderMetrics(s: StatusSnapshot): string {
  const e = new Exposition();
  e.family("pontaj_info", "gauge", "Agent version and boot id (always 1).")
    .sample("pontaj_info", 1, { version: s.version, boot_id: s.bootId });
  e.one(
    "pontaj_start_time_seconds",
    "gauge",
    "When the agent started, Unix seconds.",
    seconds(s.startedAt),
  );
  e.one(
    "pontaj_healthy",
    "gauge",
    "1 when the agent is healthy, 0 when degraded.",
    s.healthy ? 1 : 0,
  );
  e.one("pontaj_alarm", "gauge", "Number of alarms an operator must act on.", s.alarms.length);
  e.family("pontaj_alarm_active", "gauge", "One series per active alarm.");
  for (const a of s.alarms) e.sample("pontaj_alarm_active", 1, { alarm: a });
  e.family("pontaj_degraded_active", "gauge", "One series per reason the agent is degraded.");
  for (const r of s.degraded) e.sample("pontaj_degraded_active", 1, { reason: r });

  const p = s.pipeline;
  e.one("pontaj_pipeline_read_total", "counter", "Card reads from all readers.", p.read);
  e.one("pontaj_pipeline_journaled_total", "counter", "Scans durably journaled.", p.journaled);
  e.one("pontaj_pipeline_debounced_total", "counter", "Scans dropped by debounce.", p.debounced);
  e.one(
    "pontaj_pipeline_clock_unsynced_total",
    "counter",
    "Scans journaled with an untrusted wall clock.",
    p.clockUnsynced,
  );

  const readers = s.readers;
  const perReader = (
    name: string,
    kind: Kind,
    help: string,
    pick: (r: typeof readers[0]) => unknown,
  ) => {
    e.family(name, kind, help);
    for (const r of readers) e.sample(name, pick(r), { reader: r.name });
  };
  perReader("pontaj_scans_total", "counter", "Scans read, before debounce.", (r) => r.scans);
  perReader(
    "pontaj_decode_errors_total",
    "counter",
    "Decode errors (checksum, parity, framing).",
    (r) => r.decodeErrors,
  );
  perReader("pontaj_debounced_total", "counter", "Scans dropped by debounce.", (r) => r.debounced);
  lineFamilies(e, readers);
  e.family("pontaj_reader_up", "gauge", "1 when the reader is online.");
  for (const r of readers) {
    e.sample("pontaj_reader_up", r.state === "online" ? 1 : 0, { reader: r.name, kind: r.kind });
  }
  e.family(
    "pontaj_reader_state",
    "gauge",
    "The reader's supervisor state (1 for the current one).",
  );
  for (const r of readers) {
    for (const st of READER_STATES) {
      e.sample("pontaj_reader_state", r.state === st ? 1 : 0, { reader: r.name, state: st });
    }
  }
  perReader(
    "pontaj_reader_reconnects_total",
    "counter",
    "Times the reader was reopened after a failure.",
    (r) => r.reconnects,
  );
  e.family(
    "pontaj_reader_last_scan_timestamp_seconds",
    "gauge",
    "Time of the reader's last scan, Unix seconds.",
  );
  for (const r of readers) {
    if (r.lastScanAt !== null && r.lastScanAt !== undefined) {
      e.sample("pontaj_reader_last_scan_timestamp_seconds", seconds(r.lastScanAt), {
        reader: r.name,
      });
    }
  }

  const j = s.journal;
  e.one("pontaj_journal_pending", "gauge", "Records waiting for iFlow.", j.pending);
  e.one(
    "pontaj_journal_rejected",
    "gauge",
    "Records iFlow rejected, kept until retried.",
    j.rejected,
  );
  e.one("pontaj_journal_synced", "gauge", "Records delivered (accepted or duplicate).", j.synced);
  e.one("pontaj_journal_records_total", "counter", "Records journaled in total.", j.total);
  e.one("pontaj_journal_events", "gauge", "Gate events kept (exit, remote open).", j.events ?? 0);
  e.one("pontaj_journal_held", "gauge", "Scans held until their passage is known.", j.held ?? 0);
  e.one("pontaj_journal_not_passed", "gauge", "Held scans nobody passed with.", j.notPassed ?? 0);
  e.one("pontaj_journal_bytes", "gauge", "Journal bytes on disk.", j.bytes);
  e.one("pontaj_journal_segments", "gauge", "Journal segment files.", j.segments);
  e.one(
    "pontaj_journal_queued",
    "gauge",
    "Scans waiting in memory because the disk failed.",
    j.queued,
  );
  e.one(
    "pontaj_journal_dropped_total",
    "counter",
    "Scans that could not be kept (queue full).",
    j.dropped,
  );
  e.one(
    "pontaj_journal_corruption_total",
    "counter",
    "Corruption found in the journal.",
    j.corruption?.count,
  );
  e.one(
    "pontaj_journal_oldest_pending_seconds",
    "gauge",
    "Age of the oldest pending record (0 when none is pending).",
    j.oldestPendingAgeMs === null ? 0 : seconds(j.oldestPendingAgeMs),
  );
  e.one(
    "pontaj_journal_degraded",
    "gauge",
    "1 when the journal is degraded (e.g. disk full).",
    j.degraded ? 1 : 0,
  );

  const y = s.sync;
  e.family("pontaj_sync_state", "gauge", "The sync engine's current state (1).")
    .sample("pontaj_sync_state", 1, { state: y.state });
  e.family("pontaj_sync_batches_total", "counter", "Batches sent to iFlow, by outcome.");
  for (const k of Object.keys(y.batches).sort()) {
    e.sample("pontaj_sync_batches_total", y.batches[k], { outcome: k });
  }
  e.family(
    "pontaj_sync_records_total",
    "counter",
    "Records with a final iFlow outcome, by outcome.",
  );
  for (const k of RECORD_OUTCOMES) {
    e.sample("pontaj_sync_records_total", y.records?.[k], { outcome: k });
  }
  e.one("pontaj_sync_retries_total", "counter", "Batch retries.", y.retries);
  e.family(
    "pontaj_sync_last_success_timestamp_seconds",
    "gauge",
    "Time of the last successful iFlow reply, Unix seconds.",
  );
  if (y.lastSuccessAt !== null && y.lastSuccessAt !== undefined) {
    e.sample("pontaj_sync_last_success_timestamp_seconds", seconds(y.lastSuccessAt));
  }
  e.histogram("pontaj_sync_latency_seconds", "Scan journaled to iFlow reply latency.", y.latency);
  const st = s.statusServer;
  if (st !== undefined) {
    e.family(
      "pontaj_status_refused_total",
      "counter",
      "Status requests or connections refused or cut off, by reason.",
    );
    for (
      const k of [
        "badHost",
        "unauthorized",
        "forbidden",
        "refused",
        "evicted",
        "timedOut",
        "badRequests",
      ] as const
    ) e.sample("pontaj_status_refused_total", st[k], { reason: k });
    e.one("pontaj_status_connections_open", "gauge", "Open status connections.", st.open);
  }
  if (s.gates) gateMetrics(e, s.gates);
  return e.toString();
}
