import assert from "node:assert/strict";
import {
  formatAgo,
  formatBytes,
  formatDuration,
  formatStatusText,
} from "../../../service/status/mod.ts";
import { degradedSnapshot, healthySnapshot } from "./fixture.ts";

Deno.test("status text summarises a healthy agent", () => {
  assert.equal(
    formatStatusText(healthySnapshot()),
    [
      "pontaj 0.1.0 · healthy · up 2 h 3 min · boot 5f1c9a20",
      "",
      "Readers",
      "  NAME    KIND   STATE    SCANS  DEBOUNCED  DECODE ERR  RECONNECTS  LAST SCAN",
      "  gate-1  ascii  online      12          2           1           0  3 s ago",
      "  gate-2  osdp   offline      8          1           0           4  2 min 5 s ago",
      "    last error: port /dev/ttyUSB1 disconnected",
      "    tamper=false power=ok",
      "",
      "Pipeline  read 20 · journaled 17 · debounced 3 · clock unsynced 0",
      "Journal   pending 3 · rejected 1 · synced 13 · total 17 · gate events 2 · held 1",
      "          oldest pending 42 s · 12.3 KiB in 2 segments",
      "Sync      idle · last success 4 s ago · retries 2",
      "          batches ok 5 · transient 2",
      "          records accepted 12 · duplicate 1 · rejected 1",
      "          latency avg 0.38 s over 14",
      "",
    ].join("\n"),
  );
});

Deno.test("status text leads with alarms and degraded reasons", () => {
  const lines = formatStatusText(degradedSnapshot()).split("\n");
  assert.deepEqual(lines.slice(0, 4), [
    "pontaj 0.1.0 · DEGRADED · up 2 h 3 min · boot 5f1c9a20",
    "ALARM     iFlow rejected the device token",
    "DEGRADED  journal: disk full",
    "Last error: ENOSPC writing segment 000002",
  ]);
  assert.ok(
    lines.includes("          queued 5 · dropped 0 · corruption 1 (last: bad CRC at 000001:4096)"),
  );
  assert.ok(lines.includes("          degraded: disk full"));
  assert.ok(lines.includes("Sync      auth-failed · last success 4 s ago · retries 2"));
  assert.ok(lines.includes("          last error: 401 Unauthorized"));
});

Deno.test("status text strips terminal control characters from values", () => {
  const s = healthySnapshot();
  s.readers[0]!.name = "gate\u001b[31m-1\nX";
  s.readers = [s.readers[0]!];
  s.sync.lastError = "bad\r\nreply";
  const text = formatStatusText(s);
  assert.equal(text.includes("\u001b"), false);
  assert.ok(text.includes("  gate [31m-1 X  ascii"));
  assert.ok(text.includes("last error: bad reply\n"));
});

Deno.test("status text handles no readers, no history and an empty journal", () => {
  const s = healthySnapshot();
  s.readers = [];
  s.journal = { ...s.journal, pending: 0, oldestPendingAgeMs: null, segments: 1, bytes: 0 };
  s.sync = {
    ...s.sync,
    lastSuccessAt: null,
    batches: {},
    latency: { bounds: [1], counts: [0], sum: 0, count: 0 },
  };
  const text = formatStatusText(s);
  assert.ok(text.includes("Readers\n  (none configured)\n"));
  assert.ok(text.includes("oldest pending none · 0 B in 1 segment\n"));
  assert.ok(text.includes("last success never"));
  assert.ok(text.includes("batches none\n"));
  assert.equal(text.includes("latency"), false);
});

Deno.test("status units format durations, ages and sizes", () => {
  assert.deepEqual(
    [0, 999, 1000, 59_999, 60_000, 125_000, 3_600_000, 7_380_000, 90_000_000, 86_400_000].map(
      formatDuration,
    ),
    ["0 ms", "999 ms", "1 s", "59 s", "1 min", "2 min 5 s", "1 h", "2 h 3 min", "1 d 1 h", "1 d"],
  );
  assert.equal(formatDuration(-5), "0 ms");
  assert.equal(formatDuration(NaN), "?");
  assert.equal(formatAgo(null, 5000), "never");
  assert.equal(formatAgo(4500, 5000), "just now");
  assert.equal(formatAgo(1000, 13_000), "12 s ago");
  assert.deepEqual(
    [0, 1023, 1024, 12_595, 5 * 1024 ** 2, 3 * 1024 ** 4, 2048 * 1024 ** 4].map(formatBytes),
    ["0 B", "1023 B", "1.0 KiB", "12.3 KiB", "5.0 MiB", "3.0 TiB", "2048.0 TiB"],
  );
});

Deno.test("status text shows an OSDP reader's secure channel, warnings and its own headline reason", () => {
  const s = healthySnapshot();
  s.healthy = false;
  s.degraded = ["reader gate-2 refused: key mismatch: the reader's cryptogram did not verify"];
  s.warnings = ["reader gate-3 not answering (700 ms without a reply)"];
  s.readers[1]!.state = "refused";
  s.readers[1]!.details = { secureChannel: "failed", keySource: null };
  s.readers.push({
    ...s.readers[1]!,
    name: "gate-3",
    state: "not-answering",
    lastError: null,
    details: { secureChannel: "active", keySource: "installed" },
  });
  const lines = formatStatusText(s).split("\n");
  assert.deepEqual(lines.slice(1, 3), [
    "DEGRADED  reader gate-2 refused: key mismatch: the reader's cryptogram did not verify",
    "WARNING   reader gate-3 not answering (700 ms without a reply)",
  ]);
  assert.ok(lines.includes("    secure channel: failed · key: none"), lines.join("\n"));
  assert.ok(lines.includes("    secure channel: active · key: installed"), lines.join("\n"));
  assert.ok(lines.some((l) => /gate-3 +osdp +not-answering/.test(l)), lines.join("\n"));
});
