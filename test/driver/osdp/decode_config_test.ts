import assert from "node:assert/strict";
import { decodeOsdpHex, groupOsdpReaders } from "../../../driver/osdp/mod.ts";
import { OsdpReaderConfigSchema } from "../../../driver/osdp/config.ts";

Deno.test("osdp decodeOsdpHex names the issue's vectors", () => {
  const poll = decodeOsdpHex("53 65 08 00 04 60 60 90");
  assert.equal(poll.ok, true);
  assert.deepEqual(
    [poll.address, poll.direction, poll.sequence, poll.check, poll.name, poll.data],
    [0x65, "command", 0, "crc16", "osdp_POLL", ""],
  );
  const id = decodeOsdpHex("5365090004 6100D97A");
  assert.deepEqual([id.name, id.fields], ["osdp_ID", { replyType: 0 }]);
  const nak = decodeOsdpHex("53:E5:09:00:05:41:01:0E:8F");
  assert.deepEqual([nak.direction, nak.sequence, nak.name, nak.fields], [
    "reply",
    1,
    "osdp_NAK",
    { error: 1, reason: "message check character error" },
  ]);
  const ack = decodeOsdpHex("0x53 0xE5 0x07 0x00 0x01 0x40 0x80");
  assert.deepEqual([ack.name, ack.check], ["osdp_ACK", "checksum"]);
  // the result is plain JSON
  assert.deepEqual(JSON.parse(JSON.stringify(nak)), nak);
});

Deno.test("osdp decodeOsdpHex decodes RAW card data and reports bad input", () => {
  // RAW, reader 0, format 1, 26 bits: H10301 facility 1 card 1
  const raw = decodeOsdpHex(rawHex());
  assert.equal(raw.ok, true, raw.error);
  const f = raw.fields as {
    bitCount: number;
    card: { format: string; facility: number; card: number };
  };
  assert.equal(f.bitCount, 26);
  assert.deepEqual([f.card.format, f.card.facility, f.card.card], ["h10301", 1, 1]);
  const bad = decodeOsdpHex("53 65 08 00 04 60 60 91");
  assert.equal(bad.ok, false);
  assert.match(bad.error!, /check/);
  assert.equal(bad.expectedCheck, "60 90");
  assert.equal(decodeOsdpHex("zz").ok, false);
  assert.match(decodeOsdpHex("53 65 08").error!, /incomplete/);
  assert.match(decodeOsdpHex("01 02").error!, /no start/);
});

function rawHex(): string {
  // built by hand: SOM, addr 0x81 (reply from 1), len, ctrl CRC seq 1, RAW, data, CRC
  const body = [0x53, 0x81, 0, 0, 0x05, 0x50, 0x00, 0x01, 26, 0x00, 0x80, 0x80, 0x00, 0x80];
  const len = body.length + 2;
  body[2] = len;
  let crc = 0x1d0f;
  for (const b of body) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return [...body, crc & 0xff, crc >> 8].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

Deno.test("osdp reader config schema fills defaults and is strict", () => {
  const c = OsdpReaderConfigSchema.parse({ port: "/dev/ttyUSB0", address: 3 });
  assert.deepEqual(c, {
    port: "/dev/ttyUSB0",
    baudRate: 9600,
    rs485: false,
    address: 3,
    pollIntervalMs: 50,
    replyTimeoutMs: 200,
    offlineAfterMs: 8000,
    reconnectMaxMs: 30000,
    tagFormat: "dec10",
  });
  const sc = OsdpReaderConfigSchema.parse({
    port: "/dev/ttyUSB0",
    address: 0,
    secureChannel: { scbk: "00112233445566778899AABBCCDDEEFF" },
  });
  assert.deepEqual(sc.secureChannel, {
    scbk: "00112233445566778899AABBCCDDEEFF",
    required: false,
    install: false,
  });
  const fb = OsdpReaderConfigSchema.parse({
    port: "/dev/ttyUSB0",
    address: 1,
    feedback: { rejected: { color: "amber", beeps: 2 } },
  });
  assert.deepEqual(fb.feedback, { rejected: { color: "amber", beeps: 2 } });
  assert.equal(
    OsdpReaderConfigSchema.safeParse({ port: "p", address: 1, feedback: { ok: { color: "pink" } } })
      .success,
    false,
  );
  const bad = OsdpReaderConfigSchema.safeParse({
    port: "/dev/ttyUSB0",
    address: 127,
    secureChannel: { scbk: "secret-not-hex" },
    name: "x",
  });
  assert.equal(bad.success, false);
  const text = JSON.stringify(bad.error!.issues);
  assert.match(text, /126/);
  assert.match(text, /32 hex digits/);
  assert.match(text, /name/); // unknown key
  assert.ok(!text.includes("secret-not-hex"), "the key is not echoed");
});

Deno.test("osdp readers sharing a port are grouped into one line", () => {
  const base = {
    baudRate: 9600,
    rs485: false,
    pollIntervalMs: 50,
    replyTimeoutMs: 200,
    offlineAfterMs: 8000,
    reconnectMaxMs: 30000,
    tagFormat: "dec10" as const,
  };
  const lines = groupOsdpReaders([
    { ...base, name: "in", port: "/dev/ttyUSB0", address: 1 },
    { ...base, name: "out", port: "/dev/ttyUSB0", address: 2 },
    { ...base, name: "back", port: "/dev/ttyUSB1", address: 1 },
  ]);
  assert.deepEqual(lines.map((l) => [l.port, l.readers.map((r) => r.name)]), [
    ["/dev/ttyUSB0", ["in", "out"]],
    ["/dev/ttyUSB1", ["back"]],
  ]);
  assert.throws(
    () =>
      groupOsdpReaders([
        { ...base, name: "a", port: "/dev/ttyUSB0", address: 1 },
        { ...base, name: "b", port: "/dev/ttyUSB0", address: 1 },
      ]),
    /"a" and "b" both use address 1/,
  );
  assert.throws(
    () =>
      groupOsdpReaders([
        { ...base, name: "a", port: "/dev/ttyUSB0", address: 1 },
        { ...base, name: "b", port: "/dev/ttyUSB0", address: 2, baudRate: 115200 },
      ]),
    /differ in baudRate/,
  );
  assert.deepEqual(lines[0]!.timing, {
    replyTimeoutMs: 200,
    offlineAfterMs: 8000,
    reconnectMaxMs: 30000,
  });
  assert.throws(
    () =>
      groupOsdpReaders([
        { ...base, name: "a", port: "/dev/ttyUSB0", address: 1 },
        { ...base, name: "b", port: "/dev/ttyUSB0", address: 2, offlineAfterMs: 2000 },
      ]),
    /differ in replyTimeoutMs\/offlineAfterMs\/reconnectMaxMs/,
  );
});
