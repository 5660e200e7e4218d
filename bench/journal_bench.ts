/**
 * Journal benchmarks. Run: `deno bench -A bench/journal_bench.ts`
 *
 * - Appends with one fdatasync per append, against the raw baseline (the same
 *   frame bytes written with `write` + `fdatasync` from Deno), for Deno's async
 *   file calls (the default) and the blocking ones (`blockingFs`); the
 *   "x times slower than" line of each group is the journal/raw ratio.
 * - Group commit: one iteration = N concurrent appends (N = 1, 8, 64), against
 *   the raw write of N frames + one fdatasync, which the same N callers await
 *   (so waiting for N promises costs both sides alike); three interleaved runs.
 *   A third raw side (not a baseline) also encodes the N scans in each round as
 *   the journal does (payload, seq, CRC32C): the journal's distance from it is
 *   its bookkeeping (per-append promise, index, group-commit machinery).
 * - The journal writes a small batch with `writeSync` (a page-cache copy) and
 *   syncs with the async `fdatasync` (see `SYNC_WRITE_MAX` in
 *   service/journal/fs.ts). So every async group has two raw baselines: the
 *   plain async `write` + `fdatasync`, and the same call mix as the journal's
 *   (`writeSync` + async `fdatasync`). The second is the strict one: it
 *   measures only what the journal adds, not the choice of write call.
 * - CRC32C slice-by-8 vs bytewise.
 * - Recovery of a 1,000,000-record journal: `Journal.open` in this process,
 *   and once in a fresh child process that prints its time and peak RSS (VmHWM).
 *
 * @module
 */

import { blockingFs, crc32c, Journal } from "../service/journal/mod.ts";
import { crc32cBytewise } from "../service/journal/crc32c.ts";
import { FRAME_HEADER, frameSize, putFrame, stampFrame } from "../service/journal/frame.ts";
import { encodeScan, putScan, scanMaxBytes } from "../service/journal/scan_codec.ts";
import type { ScanInput } from "../service/journal/mod.ts";
import { buildJournal, testScan } from "../test/service/journal/fixtures/build_journal.ts";

const root = Deno.makeTempDirSync({ prefix: "pontaj-journal-bench-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

const scan = testScan(1);
const payload = encodeScan(scan);
const FRAME = frameSize(payload.length);

function frames(n: number): Uint8Array {
  const b = new Uint8Array(FRAME * n);
  const dv = new DataView(b.buffer);
  let off = 0;
  for (let i = 0; i < n; i++) off = putFrame(b, dv, off, i + 1, payload);
  return b;
}
const one = frames(1);

const jAsync = await Journal.open(`${root}/async`);
const jBlocking = await Journal.open(`${root}/blocking`, { fs: blockingFs });
const jGroup = await Journal.open(`${root}/group`);
const raw = await Deno.open(`${root}/raw-async`, { write: true, create: true, append: true });
const rawSync = Deno.openSync(`${root}/raw-sync`, { write: true, create: true, append: true });
globalThis.addEventListener("unload", () => {
  raw.close();
  rawSync.close();
});

/**
 * Interleaved measurement (the journal and each raw variant take turns in
 * rounds), printed as appends/s (median round) and journal/raw per variant
 * (median of the rounds' own ratios): on a shared machine fsync latency
 * drifts, and interleaving keeps the ratio fair.
 */
async function interleaved(
  label: string,
  perRound: number,
  journalRound: () => Promise<void>,
  raws: [name: string, round: () => Promise<void> | void][],
  appendsPerCall: number,
): Promise<void> {
  const sides = [journalRound, ...raws.map((r) => r[1])];
  const times: number[][] = sides.map(() => []);
  for (let round = 0; round < 31; round++) {
    // Rotate who goes first so drift in fsync latency hits every side alike.
    for (let k = 0; k < sides.length; k++) {
      const side = (round + k) % sides.length;
      const t = performance.now();
      for (let i = 0; i < perRound; i++) await sides[side]!();
      times[side]!.push(performance.now() - t);
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  const rate = (a: number[]) => (perRound * appendsPerCall * 1000) / med(a);
  const jr = rate(times[0]!);
  const parts = raws.map(([name], k) => {
    const rr = rate(times[k + 1]!);
    // The ratio is the median of each round's own ratio: the two sides of a round ran
    // back to back, so a burst of disk load elsewhere hits both.
    const ratio = med(times[0]!.map((t, round) => times[k + 1]![round]! / t));
    return `raw (${name}) ${rr.toFixed(0).padStart(7)}/s, journal/raw ${ratio.toFixed(2)}`;
  });
  console.log(
    `${label.padEnd(44)} journal ${jr.toFixed(0).padStart(7)} appends/s   ${parts.join("   ")}`,
  );
}

await interleaved("one sync per append, async I/O", 40, async () => {
  await jAsync.append(scan);
}, [
  ["async write + fdatasync", async () => {
    await raw.write(one);
    await raw.syncData();
  }],
  ["writeSync + async fdatasync", async () => {
    raw.writeSync(one);
    await raw.syncData();
  }],
], 1);
await interleaved("one sync per append, blocking I/O (blockingFs)", 40, async () => {
  await jBlocking.append(scan);
}, [["writeSync + fdatasyncSync", () => {
  rawSync.writeSync(one);
  rawSync.syncDataSync();
}]], 1);
/** Frames of `scans` encoded into `buf` as the journal does (payload, seq, CRC); their length. */
function encodeFrames(scans: ScanInput[], buf: Uint8Array, dv: DataView, seq: number): number {
  let at = 0;
  for (const s of scans) {
    scanMaxBytes(s);
    const end = putScan(buf, dv, at + FRAME_HEADER, s);
    dv.setUint32(at, end - at - FRAME_HEADER, true);
    at = stampFrame(buf, dv, at, seq++);
  }
  return at;
}

for (const n of [1, 8, 64]) {
  const many = frames(n);
  const scans = Array.from({ length: n }, (_, i) => testScan(i));
  const scratch = new Uint8Array(64 * 1024);
  const scratchView = new DataView(scratch.buffer);
  // The raw sides are awaited by the same n callers as the journal's appends, so
  // the harness's Promise.all over n promises weighs on every side alike.
  const byAll = (once: () => Promise<void>) => async () => {
    const shared = once();
    await Promise.all(scans.map(() => shared));
  };
  // Three runs of the interleaved rounds: the report shows their range.
  for (let run = 0; run < 3; run++) {
    await interleaved(`group commit, ${n} concurrent appenders`, 20, async () => {
      await Promise.all(scans.map((s) => jGroup.append(s)));
    }, [
      [
        "async write + fdatasync",
        byAll(async () => {
          await raw.write(many);
          await raw.syncData();
        }),
      ],
      [
        "writeSync + async fdatasync",
        byAll(async () => {
          raw.writeSync(many);
          await raw.syncData();
        }),
      ],
      [
        // Not a baseline: the strict raw side plus the journal's own encoding of the
        // same scans (payload, seq, CRC32C); what it leaves is the journal's bookkeeping.
        "the same + the scans encoded in the round",
        byAll(async () => {
          raw.writeSync(scratch.subarray(0, encodeFrames(scans, scratch, scratchView, 1)));
          await raw.syncData();
        }),
      ],
    ], n);
  }
}

Deno.bench({
  name: `raw write+fdatasync (async), ${FRAME} B`,
  group: "one sync per append (async I/O)",
  baseline: true,
  n: 400,
  async fn() {
    await raw.write(one);
    await raw.syncData();
  },
});
Deno.bench({
  name: `raw writeSync+async fdatasync, ${FRAME} B`,
  group: "one sync per append (async I/O)",
  n: 400,
  async fn() {
    raw.writeSync(one);
    await raw.syncData();
  },
});
Deno.bench({
  name: "journal.append (async I/O)",
  group: "one sync per append (async I/O)",
  n: 400,
  async fn() {
    await jAsync.append(scan);
  },
});
Deno.bench({
  name: `raw writeSync+fdatasyncSync, ${FRAME} B`,
  group: "one sync per append (blocking I/O)",
  baseline: true,
  n: 400,
  fn() {
    rawSync.writeSync(one);
    rawSync.syncDataSync();
  },
});
Deno.bench({
  name: "journal.append (blockingFs)",
  group: "one sync per append (blocking I/O)",
  n: 400,
  async fn() {
    await jBlocking.append(scan);
  },
});

for (const n of [1, 8, 64]) {
  const many = frames(n);
  const scans = Array.from({ length: n }, (_, i) => testScan(i));
  Deno.bench({
    name: `raw ${n} frames, one write + one fdatasync`,
    group: `group commit x${n}`,
    baseline: true,
    n: 200,
    async fn() {
      const shared = (async () => {
        await raw.write(many);
        await raw.syncData();
      })();
      await Promise.all(scans.map(() => shared));
    },
  });
  Deno.bench({
    name: `raw ${n} frames, one writeSync + one async fdatasync`,
    group: `group commit x${n}`,
    n: 200,
    async fn() {
      const shared = (async () => {
        raw.writeSync(many);
        await raw.syncData();
      })();
      await Promise.all(scans.map(() => shared));
    },
  });
  Deno.bench({
    name: `journal ${n} concurrent appends`,
    group: `group commit x${n}`,
    n: 200,
    async fn() {
      await Promise.all(scans.map((s) => jGroup.append(s)));
    },
  });
}

// The write call alone (page cache, no fsync): why small batches use writeSync.
const page = frames(64);
const plain = await Deno.open(`${root}/write-call`, { write: true, create: true });
globalThis.addEventListener("unload", () => plain.close());
Deno.bench({
  name: `async write of ${page.length} B (no fsync)`,
  group: "write call",
  baseline: true,
  async fn() {
    await plain.write(page);
    plain.seekSync(0, Deno.SeekMode.Start);
  },
});
Deno.bench({
  name: `writeSync of ${page.length} B (no fsync)`,
  group: "write call",
  fn() {
    plain.writeSync(page);
    plain.seekSync(0, Deno.SeekMode.Start);
  },
});

const big = new Uint8Array(64 * 1024).map((_, i) => (i * 2654435761) >>> 24);
Deno.bench({
  name: "crc32c slice-by-8, 64 KiB",
  group: "crc32c 64 KiB",
  baseline: true,
  fn: () => void crc32c(big),
});
Deno.bench({
  name: "crc32c bytewise, 64 KiB",
  group: "crc32c 64 KiB",
  fn: () => void crc32cBytewise(big),
});
Deno.bench({
  name: `crc32c slice-by-8, one frame (${FRAME - 8} B)`,
  group: "crc32c frame",
  baseline: true,
  fn: () => void crc32c(one, 8, FRAME),
});
Deno.bench({
  name: `crc32c bytewise, one frame (${FRAME - 8} B)`,
  group: "crc32c frame",
  fn: () => void crc32cBytewise(one, 8, FRAME),
});

// 1,000,000 records (half accepted: the outcome log is replayed too).
const bigDir = `${root}/big`;
await Deno.mkdir(bigDir);
const bytes = await buildJournal(bigDir, 1_000_000, { accepted: 500_000 });
// Retention would delete the fully accepted segments on the first open; keep them
// by making every segment hold a pending record: accept only odd seqs instead.
await Deno.remove(`${bigDir}/outcome-00000000000000000001.log`);
{
  const j = await Journal.open(bigDir);
  const list = [];
  for (let s = 1; s <= 1_000_000; s += 2) {
    list.push({ seq: s, outcome: { kind: "accepted" as const } });
  }
  for (let i = 0; i < list.length; i += 50_000) await j.recordOutcomes(list.slice(i, i + 50_000));
  await j.close();
}
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    "--config",
    new URL("../deno.json", import.meta.url).pathname,
    new URL("../test/service/journal/fixtures/big_child.ts", import.meta.url).pathname,
    bigDir,
    "recover",
  ],
  stdout: "piped",
}).outputSync();
const rec = JSON.parse(new TextDecoder().decode(child.stdout));
console.log(
  `recovery of 1,000,000 records (${
    (bytes / 1048576).toFixed(1)
  } MiB, 500,000 pending) in a fresh process: ` +
    `${rec.ms.toFixed(0)} ms, peak RSS ${(rec.hwmKiB / 1024).toFixed(1)} MiB ` +
    `(process start ${
      (rec.startKiB / 1024).toFixed(1)
    } MiB); total=${rec.total} pending=${rec.pending}`,
);

Deno.bench({
  name: "Journal.open (recovery) of 1,000,000 records",
  group: "recovery",
  n: 5,
  warmup: 1,
  async fn() {
    const j = await Journal.open(bigDir);
    await j.close();
  },
});
