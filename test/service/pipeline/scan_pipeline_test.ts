import assert from "node:assert/strict";
import { CardRead } from "../../../driver/card.ts";
import { BUILD_DATE_MS } from "../../../service/clock.ts";
import { exportJournal, Journal } from "../../../service/journal/mod.ts";
import { ScanPipeline } from "../../../service/pipeline/scan_pipeline.ts";

function ascii(bytes: number[]): CardRead {
  const r = new CardRead();
  r.data.set(bytes);
  r.byteLength = bytes.length;
  r.bitLength = bytes.length * 8;
  return r;
}

Deno.test("pipeline formats, debounces, stamps and journals scans; flags an unsynced clock", async () => {
  const dir = await Deno.makeTempDir();
  const journal = await Journal.open(dir);
  let now = Date.UTC(2027, 6, 1, 9, 0, 0); // 12:00:00 in Bucharest (EEST)
  const journaled: number[] = [];
  const p = new ScanPipeline({
    timezone: "Europe/Bucharest",
    debounceMs: 3000,
    bootId: "boot1",
    store: { submit: (scan) => journal.append(scan) },
    tagFormats: new Map([["in", "dec10"], ["out", "hex"]]),
    lastJournaledAtMs: journal.stats().newestEpochMs,
    now: () => now,
    onJournaled: (_scan, seq) => journaled.push(seq),
  });
  try {
    const card = ascii([0x67, 0x00, 0x3b, 0x51, 0xc6]);
    assert.equal(await p.handle("in", card), 1);
    now += 1000;
    assert.equal(await p.handle("in", card), null, "debounced");
    assert.equal(await p.handle("out", card), 2, "another reader is another scan");
    now -= 60_000; // the clock jumps back a minute
    assert.equal(await p.handle("in", ascii([0, 0, 0, 0, 7])), 3);
    now = BUILD_DATE_MS - 86_400_000; // before the build date
    assert.equal(await p.handle("in", ascii([0, 0, 0, 0, 8])), 4);
    await p.drain();
    assert.deepEqual(journaled, [1, 2, 3, 4]);
    assert.deepEqual(p.counters, {
      read: 5,
      journaled: 4,
      debounced: 1,
      clockUnsynced: 2,
      lost: 0,
      acceptedErrors: 0,
    });
    assert.deepEqual(p.reader("in").debounced, 1);
    const rows = [];
    for await (const r of exportJournal(dir)) rows.push(r);
    assert.deepEqual(rows.map((r) => [r.reader, r.rfidTag, r.date, r.time, r.utcOffsetMin]), [
      ["in", "0003887558", "2027-07-01", "12:00:00", 180],
      ["out", "67003B51C6", "2027-07-01", "12:00:01", 180],
      ["in", "0000000007", "2027-07-01", "11:59:01", 180],
      ["in", "0000000008", "2026-11-28", "02:00:00", 120],
    ]);
    assert.deepEqual(rows.map((r) => r.clockUnsynced), [false, false, true, true]);
    assert.match(rows[2]!.errorMsg, /went backwards/);
    assert.match(rows[3]!.errorMsg, /before the software build date/);
    assert.ok(rows.every((r) => r.bootId === "boot1"));
  } finally {
    await journal.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pipeline hands each accepted scan to onAccepted before journaling it; a throw is counted, the scan kept", async () => {
  const dir = await Deno.makeTempDir();
  const journal = await Journal.open(dir);
  const order: string[] = [];
  const p = new ScanPipeline({
    timezone: "Europe/Bucharest",
    debounceMs: 3000,
    bootId: "boot1",
    store: {
      submit: (scan) => {
        order.push(`submit ${scan.rfidTag}`);
        return journal.append(scan);
      },
    },
    tagFormats: new Map([["in", "dec10"]]),
    lastJournaledAtMs: null,
    now: () => Date.UTC(2027, 6, 1, 9, 0, 0),
    onAccepted: (scan) => {
      order.push(`accepted ${scan.rfidTag}`);
      if (scan.rfidTag.endsWith("8")) throw new Error("gate failed");
    },
  });
  try {
    assert.equal(await p.handle("in", ascii([0, 0, 0, 0, 7])), 1);
    assert.equal(await p.handle("in", ascii([0, 0, 0, 0, 7])), null, "debounced: not accepted");
    assert.equal(await p.handle("in", ascii([0, 0, 0, 0, 8])), 2);
    assert.deepEqual(order, [
      "accepted 0000000007",
      "submit 0000000007",
      "accepted 0000000008",
      "submit 0000000008",
    ]);
    assert.equal(p.counters.acceptedErrors, 1);
    assert.equal(p.counters.journaled, 2);
  } finally {
    await journal.close();
    await Deno.remove(dir, { recursive: true });
  }
});
