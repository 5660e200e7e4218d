import assert from "node:assert/strict";
import { CardRead, setIdFromNumber } from "../../driver/card.ts";
import { formatTag, isTagFormat } from "../../driver/tag.ts";

function read(bytes: number[], fc = -1, cn = -1): CardRead {
  const r = new CardRead();
  r.data.set(bytes);
  r.byteLength = bytes.length;
  r.bitLength = bytes.length * 8;
  r.facility = fc;
  r.card = cn;
  return r;
}

Deno.test("tag dec10 is the low 32 bits zero-padded to 10 digits", () => {
  assert.equal(formatTag(read([0x67, 0x00, 0x3b, 0x51, 0xc6]), "dec10"), "0003887558");
  assert.equal(formatTag(read([0xff, 0xff, 0xff, 0xff, 0xff]), "dec10"), "4294967295");
  assert.equal(formatTag(read([0x01]), "dec10"), "0000000001");
});

Deno.test("tag dec is the whole id in decimal, even beyond 2^53", () => {
  assert.equal(formatTag(read([0x67, 0x00, 0x3b, 0x51, 0xc6]), "dec"), "442385519046");
  assert.equal(
    formatTag(read([0x04, 0xa3, 0xc6, 0xca, 0xe2, 0x61, 0x80, 0x12, 0x34, 0x56]), "dec"),
    0x04a3c6cae26180123456n.toString(),
  );
  assert.equal(formatTag(read([0, 0, 0, 7]), "dec"), "7");
});

Deno.test("tag hex and hex-reversed keep the byte length", () => {
  const r = read([0x04, 0xa3, 0xc6, 0xca, 0xe2, 0x61, 0x80]);
  assert.equal(formatTag(r, "hex"), "04A3C6CAE26180");
  assert.equal(formatTag(r, "hex-reversed"), "8061E2CAC6A304");
  assert.equal(formatTag(read([0x00, 0x0a]), "hex"), "000A");
});

Deno.test("tag fc-cn uses the format's fields or bits 16-23 and 0-15", () => {
  assert.equal(formatTag(read([0x5a, 0x01, 0x44], 90, 324), "fc-cn"), "090,00324");
  assert.equal(formatTag(read([0x67, 0x00, 0x3b, 0x51, 0xc6]), "fc-cn"), "059,20934");
  assert.equal(formatTag(read([0, 0, 1], 65535, 1048575), "fc-cn"), "65535,1048575");
});

Deno.test("tag setIdFromNumber writes big-endian bytes of the bit length", () => {
  const r = new CardRead();
  setIdFromNumber(r, 0x5a0144, 24);
  assert.equal(formatTag(r, "hex"), "5A0144");
  assert.equal(r.bitLength, 24);
  setIdFromNumber(r, 2 ** 35 - 1, 35);
  assert.equal(formatTag(r, "hex"), "07FFFFFFFF");
  assert.equal(isTagFormat("hex"), true);
  assert.equal(isTagFormat("HEX"), false);
});
