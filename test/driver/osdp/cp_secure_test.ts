import assert from "node:assert/strict";
import { bitsToString, encodeWiegand } from "../../../driver/wiegand/mod.ts";
import { OsdpLedColor, OsdpScs } from "../../../driver/osdp/mod.ts";
import { until, withLine } from "./harness.ts";

const KEY = "00112233445566778899aabbccddeeff";
const OTHER = "ffeeddccbbaa99887766554433221100";

Deno.test("osdp cp secure channel handshake and encrypted traffic", async () => {
  await withLine(
    {
      pds: [{ address: 5, scbk: KEY, requireSecureChannel: true }],
      readers: [{ name: "vault", address: 5, secureChannel: { scbk: KEY, required: true } }],
    },
    async (l) => {
      const pd = l.emu.reader(5);
      await until(() => l.bus.readerStatus(5)!.online, "online");
      const st = l.bus.readerStatus(5)!;
      assert.equal(st.secureChannel, "active");
      assert.equal(pd.secureChannelActive, true);
      assert.equal(pd.counters.handshakes, 1);
      pd.tapBits(bitsToString(encodeWiegand("h10301", 12, 3456)));
      await until(() => l.cards.length === 1, "card");
      assert.equal(l.cards[0]!.card, 3456);
      assert.ok(l.bus.feedback(5, "ok"));
      await until(() => pd.buzzer !== null, "buzzer");
      assert.equal(pd.leds.get(0)!.temporary.onColor, OsdpLedColor.green);
      const types = new Set(pd.received.map((c) => c.scbType));
      assert.ok(types.has(OsdpScs.S11) && types.has(OsdpScs.S13), "handshake blocks");
      assert.ok(types.has(OsdpScs.S15), "MAC-only polls");
      assert.ok(types.has(OsdpScs.S17), "encrypted LED/BUZ");
      const afterHandshake = pd.received.slice(
        pd.received.findIndex((c) => c.scbType === OsdpScs.S13) + 1,
      );
      assert.ok(
        afterHandshake.every((c) => c.scbType === OsdpScs.S15 || c.scbType === OsdpScs.S17),
      );
      assert.equal(pd.counters.macErrors, 0);
      assert.equal(st.counters.macErrors, 0);
      const logged = JSON.stringify(l.logs);
      assert.ok(!logged.includes(KEY) && !logged.includes("0011223344"), "key not logged");
    },
  );
});

Deno.test("osdp cp secure channel without a key runs on SCBK-D and shows default-key", async () => {
  await withLine(
    { pds: [{ address: 1 }], readers: [{ name: "new", address: 1, secureChannel: {} }] },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.online, "online");
      assert.equal(l.bus.readerStatus(1)!.secureChannel, "default-key");
      assert.equal(l.bus.readerStatus(1)!.keySource, "default");
      l.emu.reader(1).pressKeys("42#");
      await until(() => l.keys.length === 1, "keys over secure channel");
      assert.equal(l.keys[0]!.keys, "42#");
    },
  );
});

Deno.test("osdp cp reports a wrong key and continues in clear when not required", async () => {
  await withLine(
    {
      pds: [{ address: 1, scbk: OTHER }],
      readers: [{ name: "gate", address: 1, secureChannel: { scbk: KEY } }],
    },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.online, "online");
      const st = l.bus.readerStatus(1)!;
      assert.equal(st.secureChannel, "failed");
      assert.match(st.secureChannelError!, /key mismatch/);
      assert.equal(st.counters.scFailures, 1);
      assert.ok(l.logs.some((x) => x.msg === "osdp secure channel handshake failed"));
    },
  );
});

Deno.test("osdp cp refuses a reader with a wrong key when secure channel is required", async () => {
  await withLine(
    {
      pds: [{ address: 1, scbk: OTHER }],
      readers: [{ name: "gate", address: 1, secureChannel: { scbk: KEY, required: true } }],
    },
    async (l) => {
      const pd = l.emu.reader(1);
      await until(() => l.bus.readerStatus(1)!.counters.scFailures >= 2, "two failed handshakes");
      pd.tapBits(bitsToString(encodeWiegand("h10301", 1, 1)));
      const st = l.bus.readerStatus(1)!;
      assert.equal(st.online, false);
      assert.equal(st.phase, "refused");
      assert.match(st.secureChannelError!, /key mismatch/);
      assert.equal(l.cards.length, 0);
      assert.ok(pd.pendingEvents >= 1, "the card was never polled");
    },
  );
});

Deno.test("osdp cp refuses a reader without secure channel when required", async () => {
  await withLine(
    {
      pds: [{ address: 1, secureChannel: false }],
      readers: [{ name: "gate", address: 1, secureChannel: { required: true } }],
    },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.phase === "refused", "refused");
      const st = l.bus.readerStatus(1)!;
      assert.equal(st.secureChannel, "unsupported");
      assert.equal(st.online, false);
    },
  );
});

Deno.test("osdp cp reports NAK 6 from a reader that requires secure channel", async () => {
  await withLine(
    { pds: [{ address: 1, requireSecureChannel: true }], readers: [{ name: "gate", address: 1 }] },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.phase === "refused", "refused");
      const st = l.bus.readerStatus(1)!;
      assert.equal(st.lastNak, 6);
      assert.match(st.secureChannelError!, /encrypted communication required/);
    },
  );
});

Deno.test("osdp cp re-establishes the secure channel after the reader drops it", async () => {
  await withLine(
    {
      pds: [{ address: 1, scbk: KEY }],
      readers: [{ name: "gate", address: 1, secureChannel: { scbk: KEY } }],
    },
    async (l) => {
      const pd = l.emu.reader(1);
      await until(() => l.bus.readerStatus(1)!.online, "online");
      pd.reboot(); // session and sequence forgotten
      await until(() => pd.counters.handshakes >= 2, "second handshake");
      await until(() => l.bus.readerStatus(1)!.online, "online again");
      assert.equal(l.bus.readerStatus(1)!.secureChannel, "active");
      assert.ok(l.bus.readerStatus(1)!.counters.restarts >= 1);
    },
  );
});
