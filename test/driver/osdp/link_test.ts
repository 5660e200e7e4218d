// The CP link state machine on its own: a fake clock, frames handed over by hand.
import assert from "node:assert/strict";
import {
  buildFrame,
  type LinkSink,
  OsdpCmd,
  OsdpParser,
  OsdpReply,
  PdLink,
  resolveTiming,
} from "../../../driver/osdp/mod.ts";

const sink: LinkSink = { card() {}, keypad() {}, log() {} };
const timing = resolveTiming({
  replyTimeoutMs: 200,
  offlineAfterMs: 1000,
  reconnectMinMs: 100,
  reconnectMaxMs: 700,
});

function reply(p: OsdpParser, seq: number, code: number, data: number[] = []): OsdpParser {
  const f = buildFrame({ address: 1, reply: true, seq, code, data });
  p.feed(f, 0, f.length);
  assert.ok(p.ready);
  return p;
}

Deno.test("osdp link resends on timeout, goes offline, backs off up to the cap", () => {
  const link = new PdLink({ name: "x", address: 1, timing }, sink, 0);
  let now = 0;
  const first = link.nextFrame(now).slice();
  assert.equal(first[5], OsdpCmd.ID);
  assert.equal(first[4]! & 3, 0);
  // resends are byte-identical until offlineAfterMs passes
  for (now = 200; now < 1000; now += 200) {
    link.onTimeout(now);
    assert.equal(link.phase, "connecting");
    assert.deepEqual(link.nextFrame(now), first);
  }
  link.onTimeout(now);
  assert.equal(link.phase, "offline");
  const gaps: number[] = [];
  for (let i = 0; i < 6; i++) {
    const due = link.dueAt;
    gaps.push(due - now);
    now = due;
    const f = link.nextFrame(now);
    assert.deepEqual([f[5], f[4]! & 3], [OsdpCmd.ID, 0]); // first contact again
    now += 200;
    link.onTimeout(now);
  }
  assert.deepEqual(gaps, [100, 200, 400, 700, 700, 700]);
  assert.equal(link.counters.timeouts, 11);
  assert.equal(link.counters.resends, 4);
});

Deno.test("osdp link walks ID, CAP, LSTAT then polls with 1,2,3,1", () => {
  const link = new PdLink({ name: "x", address: 1, timing }, sink, 0);
  const p = new OsdpParser();
  const seen: [number, number][] = [];
  let now = 0;
  const answer = (code: number, data: number[] = []) => {
    const f = link.nextFrame(now);
    seen.push([f[5]!, f[4]! & 3]);
    assert.equal(link.onReply(reply(p, f[4]! & 3, code, data), now), true);
    now = Math.max(now + 1, link.dueAt);
  };
  answer(OsdpReply.PDID, [1, 2, 3, 4, 5, 6, 0, 0, 0, 1, 0, 0]);
  answer(OsdpReply.PDCAP, [8, 1, 0]);
  answer(OsdpReply.LSTATR, [0, 1]);
  assert.equal(link.online, true);
  assert.equal(link.reports.powerFailure, true);
  for (let i = 0; i < 5; i++) answer(OsdpReply.ACK);
  assert.deepEqual(seen, [
    [OsdpCmd.ID, 0],
    [OsdpCmd.CAP, 1],
    [OsdpCmd.LSTAT, 2],
    [OsdpCmd.POLL, 3],
    [OsdpCmd.POLL, 1],
    [OsdpCmd.POLL, 2],
    [OsdpCmd.POLL, 3],
    [OsdpCmd.POLL, 1],
  ]);
  // a reply with the wrong sequence is not taken
  const f = link.nextFrame(now);
  assert.equal(link.onReply(reply(p, ((f[4]! & 3) % 3) + 1, OsdpReply.ACK), now), false);
  assert.equal(link.counters.staleReplies, 1);
});

Deno.test("osdp link retries BUSY with the same bytes and skips connect steps the reader NAKs", () => {
  const link = new PdLink({ name: "x", address: 1, timing }, sink, 0);
  const p = new OsdpParser();
  const id = link.nextFrame(0).slice();
  assert.ok(link.onReply(reply(p, 0, OsdpReply.BUSY), 1));
  assert.equal(link.dueAt, 1 + timing.busyRetryMs);
  assert.deepEqual(link.nextFrame(link.dueAt), id);
  assert.ok(link.onReply(reply(p, 0, OsdpReply.NAK, [3]), 2)); // ID unknown: skip it
  const cap = link.nextFrame(3);
  assert.deepEqual([cap[5], cap[4]! & 3], [OsdpCmd.CAP, 1]);
  assert.equal(link.lastNak, 3);
});
