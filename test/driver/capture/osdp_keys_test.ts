import assert from "node:assert/strict";
import { sessionEvent, sessionFromEvent } from "../../../driver/capture/osdp_keys.ts";
import { OsdpCmd, OsdpReply, OsdpScs } from "../../../driver/osdp/constants.ts";
import { OsdpParser } from "../../../driver/osdp/parser.ts";
import { loadAes, SecureSession } from "../../../driver/osdp/secure.ts";
import { FrameWriter } from "../../../driver/osdp/writer.ts";
import { seededRandom } from "../../../driver/random.ts";

await loadAes();

const SEED = 2020;

/** A CP and a PD with one session up under a random SCBK (seeded). */
function pair(rand: () => number) {
  const scbk = Uint8Array.from({ length: 16 }, () => Math.floor(rand() * 256));
  const cp = new SecureSession();
  const pd = new SecureSession();
  for (let i = 0; i < 8; i++) cp.rndA[i] = pd.rndA[i] = Math.floor(rand() * 256);
  for (let i = 0; i < 8; i++) cp.rndB[i] = pd.rndB[i] = Math.floor(rand() * 256);
  cp.deriveKeys(scbk);
  pd.deriveKeys(scbk);
  const rmac = pd.initialRmac(pd.serverCryptogram());
  cp.activate(rmac);
  pd.activate(rmac);
  return { cp, pd, scbk };
}

/** One secured frame (S15/S16 or, with data, S17/S18) signed by `by`, parsed. */
function frame(by: SecureSession, command: boolean, data: Uint8Array | null): OsdpParser {
  const w = new FrameWriter(256);
  const scs = command ? (data ? OsdpScs.S17 : OsdpScs.S15) : (data ? OsdpScs.S18 : OsdpScs.S16);
  w.begin(command ? 1 : 0x81, 1, true, scs).u8(command ? OsdpCmd.POLL : OsdpReply.RAW);
  if (data) w.bytes(by.encrypt(data, command));
  const n = w.finish(by.signer(command));
  const p = new OsdpParser();
  p.feed(w.buf, 0, n);
  assert.ok(p.ready, "frame parses");
  return p;
}

Deno.test("osdp session keys: an observer built from a mid-session snapshot verifies and decrypts what follows, in both directions (seeded)", () => {
  const rand = seededRandom(SEED);
  for (const at of ["before a command", "between a command and its reply"]) {
    const { cp, pd, scbk } = pair(rand);
    let observer: SecureSession | null = null;
    for (let round = 0; round < 6; round++) {
      if (round === 3 && at === "before a command") {
        observer = sessionFromEvent(JSON.parse(sessionEvent(1, cp.exportKeys())))!.session;
      }
      const cmd = frame(cp, true, null);
      assert.ok(pd.verify(cmd.buf, cmd.macOffset, true), `seed ${SEED}: PD verifies`);
      if (round === 3 && at !== "before a command") {
        observer = sessionFromEvent(JSON.parse(sessionEvent(1, cp.exportKeys())))!.session;
      } else if (observer) {
        assert.ok(observer.verify(cmd.buf, cmd.macOffset, true), `seed ${SEED}: ${at} cmd`);
      }
      const card = Uint8Array.of(1, 0, 26, 0, round, 0x5a, 0xa5, 0xc0);
      const reply = frame(pd, false, card);
      assert.ok(cp.verify(reply.buf, reply.macOffset, false), `seed ${SEED}: CP verifies`);
      if (observer) {
        assert.ok(observer.verify(reply.buf, reply.macOffset, false), `seed ${SEED}: ${at}`);
        const enc = reply.buf.slice(reply.dataOffset, reply.dataOffset + reply.dataLength);
        assert.deepEqual(observer.decrypt(enc, false), card, `seed ${SEED}: ${at} decrypts`);
      }
    }
    assert.ok(observer, at);
    // The event holds session keys only: never the SCBK.
    const text = sessionEvent(1, cp.exportKeys());
    const scbkHex = [...scbk].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.ok(!text.toLowerCase().includes(scbkHex));
  }
});

Deno.test("osdp session event: a broken or foreign event gives no session, never a throw", () => {
  const good = JSON.parse(sessionEvent(5, pair(seededRandom(SEED + 1)).cp.exportKeys()));
  assert.equal(sessionFromEvent(good)!.address, 5);
  for (
    const bad of [
      { ...good, event: "reopened" },
      { ...good, address: 300 },
      { ...good, sEnc: "zz" },
      { ...good, rMac: undefined },
      { event: "osdp-session", address: 1, keys: "removed by --redact" },
    ]
  ) {
    assert.equal(sessionFromEvent(bad), null, JSON.stringify(bad).slice(0, 80));
  }
});
