// The emulated reader on its own: frames in, reply bytes out.
import assert from "node:assert/strict";
import {
  buildFrame,
  EmulatedPd,
  OsdpCmd,
  OsdpNak,
  OsdpParser,
  OsdpReply,
} from "../../../driver/osdp/mod.ts";

function ask(pd: EmulatedPd, frame: Uint8Array): { n: number; p: OsdpParser; bytes: Uint8Array } {
  const cmd = new OsdpParser();
  cmd.feed(frame, 0, frame.length);
  assert.ok(cmd.ready);
  const n = pd.handle(cmd);
  const bytes = pd.replyBuffer.slice(0, n);
  const p = new OsdpParser();
  if (n > 0) {
    p.feed(bytes, 0, n);
    assert.ok(p.ready);
  }
  return { n, p, bytes };
}

Deno.test("osdp emulator filters addresses, checks sequences and caches replies", () => {
  const pd = new EmulatedPd({ address: 4 });
  assert.equal(ask(pd, buildFrame({ address: 5, code: OsdpCmd.POLL })).n, 0);
  assert.equal(ask(pd, buildFrame({ address: 4, reply: true, code: OsdpReply.ACK })).n, 0);
  // before first contact only sequence 0 is accepted
  const early = ask(pd, buildFrame({ address: 4, seq: 1, code: OsdpCmd.POLL }));
  assert.deepEqual([early.p.code, early.p.buf[early.p.dataOffset]], [
    OsdpReply.NAK,
    OsdpNak.SEQUENCE,
  ]);
  const id = ask(pd, buildFrame({ address: 4, seq: 0, code: OsdpCmd.ID, data: [0] }));
  assert.deepEqual([id.p.code, id.p.address, id.p.reply, id.p.seq], [OsdpReply.PDID, 4, true, 0]);
  const poll = buildFrame({ address: 4, seq: 1, code: OsdpCmd.POLL });
  const a = ask(pd, poll);
  assert.equal(a.p.code, OsdpReply.ACK);
  pd.tapBits("1010"); // a resent command must not pick up the new card
  const again = ask(pd, poll);
  assert.deepEqual(again.bytes, a.bytes);
  assert.equal(pd.counters.cachedReplies, 1);
  const skip = ask(pd, buildFrame({ address: 4, seq: 3, code: OsdpCmd.POLL }));
  assert.deepEqual([skip.p.code, skip.p.buf[skip.p.dataOffset]], [OsdpReply.NAK, OsdpNak.SEQUENCE]);
  const card = ask(pd, buildFrame({ address: 0x7f, seq: 2, code: OsdpCmd.POLL })); // broadcast
  assert.deepEqual([card.p.code, card.p.address], [OsdpReply.RAW, 4]);
  assert.deepEqual(
    [...card.p.buf.slice(card.p.dataOffset, card.p.dataOffset + card.p.dataLength)],
    [
      0,
      1,
      4,
      0,
      0xa0,
    ],
  );
});

Deno.test("osdp emulator answers in the command's check mode and NAKs on demand", () => {
  const pd = new EmulatedPd({ address: 0 });
  const id = ask(pd, buildFrame({ address: 0, seq: 0, crc: false, code: OsdpCmd.ID, data: [0] }));
  assert.equal(id.p.crc, false);
  pd.nakNext(OsdpNak.UNKNOWN_COMMAND);
  const nak = ask(pd, buildFrame({ address: 0, seq: 1, code: OsdpCmd.POLL }));
  assert.deepEqual([nak.p.code, nak.p.buf[nak.p.dataOffset], nak.p.crc], [OsdpReply.NAK, 3, true]);
  pd.busyNext();
  assert.equal(
    ask(pd, buildFrame({ address: 0, seq: 2, code: OsdpCmd.POLL })).p.code,
    OsdpReply.BUSY,
  );
  // BUSY does not advance: the same sequence is processed afresh
  assert.equal(
    ask(pd, buildFrame({ address: 0, seq: 2, code: OsdpCmd.POLL })).p.code,
    OsdpReply.ACK,
  );
  const unknown = ask(pd, buildFrame({ address: 0, seq: 3, code: 0x7e }));
  assert.equal(unknown.p.buf[unknown.p.dataOffset], OsdpNak.UNKNOWN_COMMAND);
  const shortLed = ask(pd, buildFrame({ address: 0, seq: 1, code: OsdpCmd.LED, data: [1, 2] }));
  assert.equal(shortLed.p.buf[shortLed.p.dataOffset], OsdpNak.LENGTH);
  pd.silent = true;
  assert.equal(ask(pd, buildFrame({ address: 0, seq: 2, code: OsdpCmd.POLL })).n, 0);
  assert.deepEqual(pd.received.map((c) => c.code).slice(-2), [OsdpCmd.LED, OsdpCmd.POLL]);
});

Deno.test("osdp emulator checksum-only reader NAKs CRC commands", () => {
  const pd = new EmulatedPd({ address: 2, checksumOnly: true });
  const r = ask(pd, buildFrame({ address: 2, seq: 0, code: OsdpCmd.ID, data: [0] }));
  assert.deepEqual([r.p.code, r.p.buf[r.p.dataOffset], r.p.crc], [
    OsdpReply.NAK,
    OsdpNak.CHECK,
    false,
  ]);
  const cap = ask(pd, buildFrame({ address: 2, seq: 0, crc: false, code: OsdpCmd.CAP, data: [0] }));
  const caps = [...cap.p.buf.slice(cap.p.dataOffset, cap.p.dataOffset + cap.p.dataLength)];
  const i = caps.findIndex((v, k) => k % 3 === 0 && v === 8);
  assert.equal(caps[i + 1], 0, "PDCAP says checksum only");
});
