import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  FrameWriter,
  loadAes,
  OsdpParser,
  parseKeyHex,
  SCBK_D,
  SecureSession,
} from "../../../driver/osdp/mod.ts";

await loadAes();

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function pair(): { cp: SecureSession; pd: SecureSession } {
  const cp = new SecureSession();
  const pd = new SecureSession();
  for (let i = 0; i < 8; i++) {
    cp.rndA[i] = pd.rndA[i] = 0xb0 + i;
    cp.rndB[i] = pd.rndB[i] = 0xa0 + i;
  }
  cp.deriveKeys(SCBK_D);
  pd.deriveKeys(SCBK_D);
  return { cp, pd };
}

Deno.test("osdp secure channel known-answer test (Annex E)", () => {
  const { cp, pd } = pair();
  const server = cp.serverCryptogram();
  assert.equal(hex(server), "26d3356e07762d262801fc8e6665a891");
  assert.equal(hex(pd.clientCryptogram()), hex(cp.clientCryptogram()));
  assert.equal(hex(pd.initialRmac(server)), "b2a30057eb98ba2229ec1f875662b524");
  assert.equal(hex(SCBK_D), "303132333435363738393a3b3c3d3e3f");
});

Deno.test("osdp secure channel MACs chain and data round-trips", () => {
  const { cp, pd } = pair();
  const rmac = pd.initialRmac(pd.serverCryptogram());
  pd.activate(rmac);
  cp.activate(rmac);
  const w = new FrameWriter();
  const p = new OsdpParser();
  for (let round = 0; round < 5; round++) {
    // command: 17 bytes of data (two blocks after padding), encrypted, MACed
    const data = Uint8Array.from({ length: 14 + round }, (_, i) => i * 7 + round);
    w.begin(0x01, 1 + (round % 3), true, 0x17).u8(0x69).bytes(cp.encrypt(data, true));
    const n = w.finish(cp.signer(true));
    assert.equal(p.feed(w.buf, 0, n), n);
    assert.ok(p.ready);
    assert.equal(pd.verify(p.buf, p.macOffset, true), true);
    const plain = pd.decrypt(p.buf.slice(p.dataOffset, p.dataOffset + p.dataLength), true);
    assert.deepEqual(plain, data);
    // reply: no data, MAC only, chained to the command's MAC
    w.begin(0x81, 1 + (round % 3), true, 0x16).u8(0x40);
    const m = w.finish(pd.signer(false));
    p.feed(w.buf, 0, m);
    assert.ok(p.ready);
    assert.equal(cp.verify(p.buf, p.macOffset, false), true);
  }
  // once the CP sends its next command, a replayed old reply no longer verifies
  const old = p.buf.slice(0, p.length);
  w.begin(0x01, 3, true, 0x15).u8(0x60);
  w.finish(cp.signer(true));
  p.feed(old, 0, old.length);
  assert.ok(p.ready);
  assert.equal(cp.verify(p.buf, p.macOffset, false), false);
});

Deno.test("osdp secure channel rejects a tampered frame and bad padding", () => {
  const { cp, pd } = pair();
  const rmac = pd.initialRmac(pd.serverCryptogram());
  pd.activate(rmac);
  cp.activate(rmac);
  const w = new FrameWriter();
  w.begin(0x01, 1, true, 0x15).u8(0x60);
  const n = w.finish(cp.signer(true));
  const mac = w.buf.slice(n - 6, n - 2);
  // same MAC on a different code, CRC recomputed: only the MAC can catch it
  const forged = new FrameWriter();
  forged.begin(0x01, 1, true, 0x15).u8(0x64);
  forged.finish({ sign: (b, end) => b.set(mac, end) });
  const p = new OsdpParser();
  p.feed(forged.buf, 0, forged.length);
  assert.ok(p.ready);
  assert.equal(pd.verify(p.buf, p.macOffset, true), false);
  assert.equal(pd.decrypt(new Uint8Array(15), true), null);
  assert.equal(pd.decrypt(new Uint8Array(16), true), null); // decrypts to noise: no 80 marker
});

Deno.test("osdp secure session never shows its keys", () => {
  const s = new SecureSession();
  s.deriveKeys(parseKeyHex("00112233445566778899AABBCCDDEEFF"));
  const shown = inspect(s) + Deno.inspect(s) + JSON.stringify({ s });
  assert.ok(!/[0-9a-f]{16}/i.test(shown), shown);
  assert.throws(() => parseKeyHex("0011"), (e: Error) => !e.message.includes("0011"));
});

Deno.test("osdp secure channel verifies a MAC where the frame lies in a larger buffer", () => {
  const { cp, pd } = pair();
  const rmac = pd.initialRmac(pd.serverCryptogram());
  pd.activate(rmac);
  cp.activate(rmac);
  const w = new FrameWriter();
  w.begin(0x01, 1, true, 0x15).u8(0x60);
  const n = w.finish(cp.signer(true));
  const src = new Uint8Array(7 + n);
  src.fill(0x11, 0, 7);
  src.set(w.buf.subarray(0, n), 7);
  const p = new OsdpParser();
  p.feed(src, 0, src.length);
  assert.ok(p.ready);
  assert.deepEqual([p.frame === src, p.frameStart], [true, 7]);
  assert.equal(pd.verify(p.frame, p.macOffset, true, p.frameStart), true);
  src[7 + 5]! ^= 1; // the MAC covers the frame from its SOM
  assert.equal(pd.verify(p.frame, p.macOffset, true, p.frameStart), false);
});
