import assert from "node:assert/strict";
import {
  captureEvents,
  encodeHeader,
  inflateTolerant,
  parseCapture,
} from "../../../driver/capture/format.ts";
import { KeyedHash, redactCapture, redactedBytes } from "../../../driver/capture/redact.ts";
import { replayOsdp } from "../../../driver/capture/replay_osdp.ts";
import { CaptureTap } from "../../../driver/capture/tap.ts";
import { scrubKeysets } from "../../../driver/capture/osdp_keys.ts";
import { MemoryOutput } from "../../../driver/capture/writer.ts";
import { hexString } from "../../../driver/hex.ts";
import type { ReaderConfig } from "../../../service/readers/kinds/mod.ts";
import { captureReader } from "../../../service/readers/capture.ts";
import { until } from "../../driver/osdp/harness.ts";
import { KEY, securedLine } from "./osdp_line.ts";

const entry = { name: "r", kind: "osdp", port: "x", address: 1, tagFormat: "dec10" };

Deno.test("capture osdp with Secure Channel opened under a reader's own key before the capture began: replay reads the same cards; --redact leaves none readable", async () => {
  const line = await securedLine();
  const out = new MemoryOutput();
  const stop = new AbortController();
  try {
    const capture = captureReader({
      reader: entry as unknown as ReaderConfig,
      driver: () => line.drv,
      seconds: 60,
      out,
      signal: stop.signal,
      intervalMs: 20,
    });
    await until(() => out.bytes().length > 0, "capture header");
    await new Promise((r) => setTimeout(r, 50)); // attached right after the header
    await line.tapCards();
    stop.abort();
    await capture;
  } finally {
    await line.close();
  }
  assert.deepEqual(line.tags, ["0003887558", "0012345678"]);
  const file = out.bytes();
  const cap = await parseCapture(file);
  const r = replayOsdp(cap);
  assert.deepEqual(r.scans, line.tags, JSON.stringify(r.frames.filter((f) => f.error)));
  assert.equal(r.counters["unreadable"], 0);
  assert.equal(r.counters["sessionsFromKeys"], 1);
  assert.ok(!r.frames.some((f) => f.what === "osdp_CHLNG"), "the handshake was before the capture");
  // The SCBK itself is nowhere in the file.
  const raw = hexString((await inflateTolerant(file)).bytes).replaceAll(" ", "").toLowerCase();
  assert.ok(!raw.includes(KEY), "SCBK in the capture");
  // Redacted: keys removed, encrypted payloads blanked, the replay says so and reads no card.
  const red = await redactCapture(cap, new KeyedHash(new Uint8Array(32).fill(7)));
  assert.ok(red.notes.some((n) => /session keys removed/.test(n)), red.notes.join("; "));
  const rcap = await parseCapture(redactedBytes(red));
  assert.equal(rcap.tear, null);
  const rr = replayOsdp(rcap);
  assert.deepEqual(rr.scans, []);
  assert.ok(rr.frames.some((f) => f.error?.includes("removed by --redact")));
  const sEnc = String(captureEvents(cap.records, cap.count)[0]!.event["sEnc"]).toLowerCase();
  assert.match(sEnc, /^[0-9a-f]{32}$/);
  const redHex = hexString(rcap.records).replaceAll(" ", "").toLowerCase();
  assert.ok(!redHex.includes(sEnc), "session key kept");
});

Deno.test("capture osdp tapped before the handshake under a reader's own key: the session keys are recorded when it opens, the replay reads the cards", async () => {
  const tap = new CaptureTap(16384);
  const line = await securedLine((drv) => drv.setTap("r", tap));
  try {
    await line.tapCards();
  } finally {
    line.drv.setTap("r", null);
    await line.close();
  }
  const { encodeHeader } = await import("../../../driver/capture/format.ts");
  const h = encodeHeader({
    kind: "osdp",
    reader: entry,
    pontajVersion: "test",
    startedAt: "2026-01-01T00:00:00Z",
    counters: {},
  });
  const recs = tap.drain();
  const bytes = new Uint8Array(h.length + recs.length);
  bytes.set(h);
  bytes.set(recs, h.length);
  const r = replayOsdp(await parseCapture(bytes));
  assert.ok(r.frames.some((f) => f.what === "osdp_CHLNG"), "handshake recorded");
  assert.deepEqual(r.scans, line.tags);
  assert.equal(r.scans.length, 2);
  assert.equal(r.counters["unreadable"], 0);
});

Deno.test("capture osdp through a key install: the KEYSET's key is blanked as the ring drains, the new session's keys are recorded, the replay reads the cards", async () => {
  const tap = new CaptureTap(16384);
  const line = await securedLine((drv) => drv.setTap("r", tap), { install: true });
  try {
    await line.tapCards();
  } finally {
    line.drv.setTap("r", null);
    await line.close();
  }
  const recs = tap.drain();
  const n = recs.length / 64;
  assert.equal(scrubKeysets(recs, n), 1, "one KEYSET blanked");
  const bytes = withHeader(recs);
  const cap = await parseCapture(bytes);
  assert.equal(cap.tear, null, "records sealed again after the scrub");
  const r = replayOsdp(cap);
  const keyset = r.frames.find((f) => f.what === "osdp_KEYSET");
  assert.ok(keyset, "KEYSET recorded");
  assert.match(keyset.error ?? "", /ended with osdp_KEYSET/);
  // Its 32 encrypted data bytes (after SOM, address, length, control, SCB, code) are zeros.
  assert.equal(keyset.raw.split(" ").slice(8, 40).join(""), "00".repeat(32), keyset.raw);
  assert.deepEqual(r.scans, line.tags);
  assert.equal(r.counters["sessionsFromKeys"], 2, "SCBK-D session, then the installed key's");
  // The installed key is nowhere in the file.
  assert.ok(!hexString(bytes).replaceAll(" ", "").toLowerCase().includes(KEY));
});

function withHeader(recs: Uint8Array): Uint8Array {
  const h = encodeHeader({
    kind: "osdp",
    reader: entry,
    pontajVersion: "test",
    startedAt: "2026-01-01T00:00:00Z",
    counters: {},
  });
  const bytes = new Uint8Array(h.length + recs.length);
  bytes.set(h);
  bytes.set(recs, h.length);
  return bytes;
}
