import assert from "node:assert/strict";
import { escapeLabelValue, formatSampleValue, renderMetrics } from "../../../service/status/mod.ts";
import { degradedSnapshot, healthySnapshot, NOW } from "./fixture.ts";

function samples(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    assert.ok(!out.has(line.slice(0, i)), `duplicate series ${line.slice(0, i)}`);
    out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

Deno.test("metrics render every value of the snapshot as exact sample lines", () => {
  const m = samples(renderMetrics(healthySnapshot()));
  const want: Record<string, string> = {
    'pontaj_info{version="0.1.0",boot_id="5f1c9a20"}': "1",
    "pontaj_start_time_seconds": String((NOW - 2 * 3600_000 - 3 * 60_000) / 1000),
    "pontaj_healthy": "1",
    "pontaj_alarm": "0",
    "pontaj_pipeline_read_total": "20",
    "pontaj_pipeline_journaled_total": "17",
    "pontaj_pipeline_debounced_total": "3",
    "pontaj_pipeline_clock_unsynced_total": "0",
    'pontaj_scans_total{reader="gate-1"}': "12",
    'pontaj_scans_total{reader="gate-2"}': "8",
    'pontaj_decode_errors_total{reader="gate-1"}': "1",
    'pontaj_debounced_total{reader="gate-1"}': "2",
    'pontaj_reader_up{reader="gate-1",kind="ascii"}': "1",
    'pontaj_reader_up{reader="gate-2",kind="osdp"}': "0",
    'pontaj_reader_state{reader="gate-2",state="offline"}': "1",
    'pontaj_reader_state{reader="gate-2",state="online"}': "0",
    'pontaj_reader_reconnects_total{reader="gate-2"}': "4",
    'pontaj_reader_last_scan_timestamp_seconds{reader="gate-1"}': String((NOW - 3000) / 1000),
    "pontaj_journal_pending": "3",
    "pontaj_journal_rejected": "1",
    "pontaj_journal_synced": "13",
    "pontaj_journal_records_total": "17",
    "pontaj_journal_events": "2",
    "pontaj_journal_held": "1",
    "pontaj_journal_not_passed": "0",
    "pontaj_journal_bytes": "12595",
    "pontaj_journal_segments": "2",
    "pontaj_journal_queued": "0",
    "pontaj_journal_dropped_total": "0",
    "pontaj_journal_corruption_total": "0",
    "pontaj_journal_oldest_pending_seconds": "42",
    "pontaj_journal_degraded": "0",
    'pontaj_sync_state{state="idle"}': "1",
    'pontaj_sync_batches_total{outcome="ok"}': "5",
    'pontaj_sync_batches_total{outcome="transient"}': "2",
    'pontaj_sync_records_total{outcome="accepted"}': "12",
    'pontaj_sync_records_total{outcome="duplicate"}': "1",
    'pontaj_sync_records_total{outcome="rejected"}': "1",
    "pontaj_sync_retries_total": "2",
    "pontaj_sync_last_success_timestamp_seconds": String((NOW - 4000) / 1000),
    "pontaj_sync_latency_seconds_sum": "5.25",
    "pontaj_sync_latency_seconds_count": "14",
  };
  for (const [series, value] of Object.entries(want)) {
    assert.equal(m.get(series), value, series);
  }
  assert.equal(m.size, 57);
});

Deno.test("metrics histogram has cumulative buckets, +Inf equal to the count, then sum and count", () => {
  const lines = renderMetrics(healthySnapshot()).split("\n");
  const start = lines.indexOf("# TYPE pontaj_sync_latency_seconds histogram");
  assert.ok(start > 0);
  assert.equal(
    lines[start - 1],
    "# HELP pontaj_sync_latency_seconds Scan journaled to iFlow reply latency.",
  );
  assert.deepEqual(lines.slice(start + 1), [
    'pontaj_sync_latency_seconds_bucket{le="0.1"} 2',
    'pontaj_sync_latency_seconds_bucket{le="0.5"} 9',
    'pontaj_sync_latency_seconds_bucket{le="1"} 13',
    'pontaj_sync_latency_seconds_bucket{le="5"} 14',
    'pontaj_sync_latency_seconds_bucket{le="+Inf"} 14',
    "pontaj_sync_latency_seconds_sum 5.25",
    "pontaj_sync_latency_seconds_count 14",
    "",
  ]);
});

Deno.test("metrics give every family one HELP and one TYPE line before its samples", () => {
  const text = renderMetrics(degradedSnapshot());
  assert.ok(text.endsWith("\n"));
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  let current = "";
  for (const line of text.split("\n").filter((l) => l !== "")) {
    let m = /^# HELP (\w+) \S/.exec(line);
    if (m) {
      assert.ok(!helped.has(m[1]!), `second HELP for ${m[1]}`);
      helped.add(m[1]!);
      continue;
    }
    m = /^# TYPE (\w+) (counter|gauge|histogram)$/.exec(line);
    if (m) {
      assert.ok(helped.has(m[1]!), `TYPE before HELP for ${m[1]}`);
      assert.ok(!typed.has(m[1]!), `second TYPE for ${m[1]}`);
      typed.set(m[1]!, m[2]!);
      current = m[1]!;
      continue;
    }
    m = /^([a-z_]+)(\{.*\})? (\S+)$/.exec(line);
    assert.ok(m, `malformed line: ${line}`);
    const name = m[1]!;
    const family = typed.get(current) === "histogram"
      ? name.replace(/_(bucket|sum|count)$/, "")
      : name;
    assert.equal(family, current, `sample ${name} outside its family`);
    if (typed.get(current) === "counter") assert.ok(name.endsWith("_total"), name);
  }
  assert.equal(typed.get("pontaj_scans_total"), "counter");
  assert.equal(typed.get("pontaj_journal_pending"), "gauge");
});

Deno.test("metrics show alarms and degraded reasons of a degraded agent", () => {
  const m = samples(renderMetrics(degradedSnapshot()));
  assert.equal(m.get("pontaj_healthy"), "0");
  assert.equal(m.get("pontaj_alarm"), "1");
  assert.equal(m.get('pontaj_alarm_active{alarm="iFlow rejected the device token"}'), "1");
  assert.equal(m.get('pontaj_degraded_active{reason="journal: disk full"}'), "1");
  assert.equal(m.get("pontaj_journal_degraded"), "1");
  assert.equal(m.get("pontaj_journal_queued"), "5");
  assert.equal(m.get("pontaj_journal_corruption_total"), "1");
  assert.equal(m.get('pontaj_sync_state{state="auth-failed"}'), "1");
});

Deno.test("metrics escape label values: backslash, quote and newline", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  const s = healthySnapshot();
  s.readers[0]!.name = 'door "A"\\B\nC';
  const text = renderMetrics(s);
  assert.ok(text.includes('pontaj_scans_total{reader="door \\"A\\"\\\\B\\nC"} 12\n'));
  // A newline in a value never breaks a line.
  for (const line of text.split("\n")) {
    assert.ok(line === "" || /^(# |[a-z_]+[{ ])/.test(line), line);
  }
});

Deno.test("metrics omit unknown timestamps and report nothing pending as 0 s", () => {
  const s = healthySnapshot();
  s.readers[0]!.lastScanAt = null;
  s.sync.lastSuccessAt = null;
  s.journal.oldestPendingAgeMs = null;
  s.sync.latency = { bounds: [0.5, 1], counts: [0, 0], sum: 0, count: 0 };
  const text = renderMetrics(s);
  const m = samples(text);
  assert.equal(m.has('pontaj_reader_last_scan_timestamp_seconds{reader="gate-1"}'), false);
  assert.equal(m.has('pontaj_reader_last_scan_timestamp_seconds{reader="gate-2"}'), true);
  assert.equal(m.has("pontaj_sync_last_success_timestamp_seconds"), false);
  assert.ok(text.includes("# TYPE pontaj_sync_last_success_timestamp_seconds gauge\n"));
  assert.equal(m.get("pontaj_journal_oldest_pending_seconds"), "0");
  assert.equal(m.get('pontaj_sync_latency_seconds_bucket{le="+Inf"}'), "0");
});

Deno.test("metrics format special sample values the Prometheus way", () => {
  assert.equal(formatSampleValue(NaN), "NaN");
  assert.equal(formatSampleValue(Infinity), "+Inf");
  assert.equal(formatSampleValue(-Infinity), "-Inf");
  assert.equal(formatSampleValue(undefined), "NaN");
  assert.equal(formatSampleValue(true), "1");
  assert.equal(formatSampleValue(0.25), "0.25");
  assert.equal(formatSampleValue(1e21), "1e+21");
});
