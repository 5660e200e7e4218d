import assert from "node:assert/strict";
import {
  formatStatusText,
  renderMetrics,
  type StatusSnapshot,
  statusView,
} from "../../../service/status/mod.ts";
import { healthySnapshot } from "./fixture.ts";

/** The healthy fixture plus a noisy Wiegand reader with a hint in force. */
function noisySnapshot(): StatusSnapshot {
  const s = healthySnapshot();
  s.readers.push({
    name: "door-w",
    kind: "wiegand",
    state: "online",
    lastError: null,
    scans: 4,
    debounced: 0,
    decodeErrors: 19,
    reconnects: 0,
    lastScanAt: s.now - 60_000,
    drops: { "unknown-length": 12, parity: 0, glitch: 7, "both-low": 0 },
    unknownLengths: { "1": 9, "2": 2, "32": 1 },
    lastUnknownLengths: [1, 32, 2, 1, 1],
    hints: [{
      code: "noise",
      message: "electrical noise on the Wiegand lines <check ground>",
      count: 19,
      lastMsAgo: 1200,
    }],
  });
  return s;
}

Deno.test("metrics: dropped frames are one counter family with reader and reason labels", () => {
  const m = renderMetrics(noisySnapshot());
  const family = m.split("\n").filter((l) => l.startsWith("pontaj_reader_dropped_total"));
  assert.deepEqual(family, [
    'pontaj_reader_dropped_total{reader="door-w",reason="unknown-length"} 12',
    'pontaj_reader_dropped_total{reader="door-w",reason="parity"} 0',
    'pontaj_reader_dropped_total{reader="door-w",reason="glitch"} 7',
    'pontaj_reader_dropped_total{reader="door-w",reason="both-low"} 0',
  ]);
  assert.match(m, /^# TYPE pontaj_reader_dropped_total counter$/m);
  assert.equal(m.match(/^# TYPE pontaj_reader_dropped_total /gm)?.length, 1);
  assert.match(m, /^pontaj_reader_unknown_length_total\{reader="door-w",bits="32"\} 1$/m);
  assert.match(m, /^pontaj_reader_hint_active\{reader="door-w",hint="noise"\} 1$/m);
  // Readers that report no drops add no samples, and a healthy snapshot has none at all.
  assert.doesNotMatch(renderMetrics(healthySnapshot()), /^pontaj_reader_dropped_total\{/m);
});

Deno.test("cli status: hints as warnings on top, drops per reader with the last unknown lengths", () => {
  const text = formatStatusText(noisySnapshot());
  const lines = text.split("\n");
  assert.equal(
    lines[1],
    "WARNING   reader door-w: electrical noise on the Wiegand lines <check ground>",
  );
  assert.ok(
    lines.includes("    dropped: unknown-length 12 (last 1, 32, 2, 1, 1 bits) · glitch 7"),
    text,
  );
  assert.doesNotMatch(formatStatusText(healthySnapshot()), /WARNING|dropped:/);
});

Deno.test("status page: hints as warning boxes, drops under the reader, all escaped", () => {
  const html = statusView(noisySnapshot(), { live: true, note: "" });
  assert.match(
    html,
    /<div class="box warn hint" data-hint="noise">⚠ reader door-w: electrical noise on the Wiegand lines &#60;check ground&#62;<\/div>/,
  );
  assert.match(
    html,
    /<div class="small drops">dropped: unknown-length 12 \(last 1, 32, 2, 1, 1 bits\) · glitch 7<\/div>/,
  );
  // Junk where the page expects records never throws.
  const junk = noisySnapshot() as unknown as { readers: Record<string, unknown>[] };
  junk.readers[2]!.drops = "x";
  junk.readers[2]!.hints = 5;
  assert.doesNotThrow(() =>
    statusView(junk as unknown as StatusSnapshot, { live: false, note: "" })
  );
  assert.doesNotThrow(() => renderMetrics(junk as unknown as StatusSnapshot));
  assert.doesNotThrow(() => formatStatusText(junk as unknown as StatusSnapshot));
});
