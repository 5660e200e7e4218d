import assert from "node:assert/strict";
import { encodeHeader, parseCapture, type ParsedCapture } from "../../../driver/capture/format.ts";
import { OsdpPlayback, recordedPd } from "../../../driver/capture/osdp_playback.ts";
import { replayOsdp } from "../../../driver/capture/replay_osdp.ts";
import { CaptureTap } from "../../../driver/capture/tap.ts";
import { openPty } from "../../../driver/serial/pty.ts";
import { formatTag, type TagFormat } from "../../../driver/tag.ts";
import { OsdpBusDriver } from "../../../service/readers/osdp_bus.ts";
import { ReaderSupervisor } from "../../../service/readers/supervisor.ts";
import { FAST, until } from "../../driver/osdp/harness.ts";
import { securedLine } from "./osdp_line.ts";

/**
 * Plays `cap` as the reader on a pty and runs the agent's OSDP driver under a
 * reader supervisor against it, at `address` and in clear; returns the tags read.
 */
async function playToAgent(cap: ParsedCapture, address: number): Promise<{
  tags: string[];
  playback: OsdpPlayback;
}> {
  const report = replayOsdp(cap);
  const tagFormat = report.tagFormat as TagFormat;
  const pty = openPty();
  const playback = new OsdpPlayback(pty.master, recordedPd(cap));
  const tags: string[] = [];
  const sup = new ReaderSupervisor({
    names: ["door"],
    create: () =>
      new OsdpBusDriver({
        port: pty.path,
        baudRate: 115200,
        rs485: false,
        readers: [{ name: "door", address } as never],
        timing: FAST,
      }),
    onCard: (_r, read) => tags.push(formatTag(read, tagFormat)),
    policy: { baseMs: 20, capMs: 50 },
  });
  playback.start();
  sup.start();
  try {
    await until(() => tags.length === report.scans.length, "every recorded card read", 20_000);
    assert.equal(playback.pending, 0);
  } finally {
    await sup.stop();
    await playback.close();
  }
  return { tags, playback };
}

Deno.test("replay --as-reader osdp answers the agent's own polls: the reader supervisor at another address reads the captured cards", async () => {
  const cap = await parseCapture(
    await Deno.readFile(new URL("../../captures/osdp.pjcap", import.meta.url)),
  );
  const want = replayOsdp(cap).scans;
  assert.equal(want.length, 2);
  const { tags, playback } = await playToAgent(cap, 9);
  assert.deepEqual(tags, want);
  assert.equal(playback.counters.delivered, 2);
  assert.ok(playback.counters.commands > 4, JSON.stringify(playback.counters));
});

Deno.test("replay --as-reader osdp delivers card reads recorded under a reader's own Secure Channel key, in clear", async () => {
  const tap = new CaptureTap(16384);
  const line = await securedLine((drv) => drv.setTap("r", tap));
  try {
    await line.tapCards();
  } finally {
    line.drv.setTap("r", null);
    await line.close();
  }
  const h = encodeHeader({
    kind: "osdp",
    reader: { name: "r", kind: "osdp", address: 1, tagFormat: "dec10" },
    pontajVersion: "test",
    startedAt: "2026-01-01T00:00:00Z",
    counters: {},
  });
  const recs = tap.drain();
  const bytes = new Uint8Array(h.length + recs.length);
  bytes.set(h);
  bytes.set(recs, h.length);
  const cap = await parseCapture(bytes);
  const pd = recordedPd(cap);
  assert.equal(pd.address, 1);
  assert.equal(pd.reads.length, 2);
  const { tags, playback } = await playToAgent(cap, 3);
  assert.deepEqual(tags, line.tags);
  assert.equal(playback.counters.refused, 0, "the agent ran in clear");
});
