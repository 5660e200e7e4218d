import assert from "node:assert/strict";
import { bitsToString, encodeWiegand } from "../../../driver/wiegand/mod.ts";
import { OsdpLedColor } from "../../../driver/osdp/mod.ts";
import { until, withLine } from "./harness.ts";
import { Prng, testSeed } from "../../support/prng.ts";

Deno.test("osdp cp decodes card taps of 26, 35, 37 and 48 bits", async () => {
  await withLine(
    { pds: [{ address: 3 }], readers: [{ name: "door", address: 3, tagFormat: "fc-cn" }] },
    async (l) => {
      const pd = l.emu.reader(3);
      await until(() => l.bus.readerStatus(3)!.online, "online");
      pd.tapBits(bitsToString(encodeWiegand("h10301", 90, 324)));
      pd.tapBits(bitsToString(encodeWiegand("c1000-35", 1234, 567890)));
      pd.tapBits(bitsToString(encodeWiegand("h10304", 12345, 345678)));
      pd.tapBits(bitsToString(encodeWiegand("c1000-48", 3000000, 7654321)), 0);
      await until(() => l.cards.length === 4, "four cards");
      assert.deepEqual(
        l.cards.map((c) => [c.reader, c.format, c.facility, c.card, c.source]),
        [
          ["door", "h10301", 90, 324, "raw"],
          ["door", "c1000-35", 1234, 567890, "raw"],
          ["door", "h10304", 12345, 345678, "raw"],
          ["door", "c1000-48", 3000000, 7654321, "raw"],
        ],
      );
      assert.equal(l.cards[0]!.tag, "090,00324");
    },
  );
});

Deno.test("osdp cp reports unknown lengths as raw bits and drops bad parity", async () => {
  await withLine(
    { pds: [{ address: 3 }], readers: [{ name: "door", address: 3, tagFormat: "hex" }] },
    async (l) => {
      const pd = l.emu.reader(3);
      await until(() => l.bus.readerStatus(3)!.online, "online");
      const good = bitsToString(encodeWiegand("h10301", 1, 1));
      const bad = (good[0] === "0" ? "1" : "0") + good.slice(1); // leading parity bit flipped
      pd.tapBits(bad);
      pd.tapBits("1010101111001101"); // 16 bits, no format: raw
      pd.tapBits("111", 7); // format code 7: raw whatever the length
      await until(() => l.cards.length === 2, "two cards");
      assert.deepEqual(l.cards.map((c) => [c.format, c.tag, c.bits]), [
        ["raw", "ABCD", 16],
        ["raw", "07", 3],
      ]);
      await until(() => l.bus.readerStatus(3)!.counters.cardErrors === 1, "parity error counted");
    },
  );
});

Deno.test("osdp cp reads FMT card numbers and keypad input", async () => {
  await withLine(
    { pds: [{ address: 0 }], readers: [{ name: "desk", address: 0 }] },
    async (l) => {
      const pd = l.emu.reader(0);
      await until(() => l.bus.readerStatus(0)!.online, "online");
      pd.tapFormatted("3887558");
      pd.pressKeys("12*#9");
      await until(() => l.cards.length === 1 && l.keys.length === 1, "card and keys");
      assert.equal(l.cards[0]!.tag, "0003887558");
      assert.equal(l.cards[0]!.format, "osdp-fmt");
      assert.equal(l.cards[0]!.source, "fmt");
      assert.deepEqual([l.keys[0]!.reader, l.keys[0]!.keys], ["desk", "12*#9"]);
    },
  );
});

Deno.test("osdp cp polls two readers on one bus", async () => {
  await withLine(
    {
      pds: [{ address: 1 }, { address: 2, serial: 77 }],
      readers: [{ name: "in", address: 1 }, { name: "out", address: 2 }],
    },
    async (l) => {
      await until(() => l.bus.status().every((s) => s.online), "both online");
      const a = l.emu.reader(1), b = l.emu.reader(2);
      const na = a.received.length, nb = b.received.length;
      await until(() => a.received.length > na + 5 && b.received.length > nb + 5, "both polled");
      b.tapBits(bitsToString(encodeWiegand("h10301", 1, 2)));
      a.tapBits(bitsToString(encodeWiegand("h10301", 3, 4)));
      await until(() => l.cards.length === 2, "two cards");
      const got = l.cards.map((c) => [c.reader, c.address, c.card]).sort();
      assert.deepEqual(got, [["in", 1, 4], ["out", 2, 2]]);
      assert.deepEqual(l.bus.status().map((s) => [s.name, s.id?.serial]), [["in", 0x12345678], [
        "out",
        77,
      ]]);
    },
  );
});

Deno.test("osdp cp feedback lights the LED and beeps", async () => {
  await withLine(
    {
      pds: [{ address: 1 }],
      readers: [{ name: "gate", address: 1, feedback: { rejected: { color: "amber", beeps: 2 } } }],
    },
    async (l) => {
      const pd = l.emu.reader(1);
      assert.equal(l.bus.feedback(1, "ok"), false); // not online yet
      await until(() => l.bus.readerStatus(1)!.online, "online");
      assert.equal(l.bus.feedback(1, "ok"), true);
      await until(() => pd.buzzer !== null, "buzzer");
      const led = pd.leds.get(0)!;
      assert.equal(led.temporary.control, 2);
      assert.equal(led.temporary.onColor, OsdpLedColor.green);
      assert.equal(led.temporary.timer, 10);
      assert.deepEqual(pd.buzzer, { reader: 0, tone: 2, onTime: 1, offTime: 0, count: 1 });
      assert.equal(l.bus.feedback(1, "rejected"), true);
      await until(() => pd.buzzer?.count === 2, "rejected beeps");
      assert.equal(pd.leds.get(0)!.temporary.onColor, OsdpLedColor.amber);
      assert.equal(l.bus.feedback(42, "ok"), false);
    },
  );
});

Deno.test("osdp cp survives garbage and split replies", async () => {
  const rng = new Prng(testSeed(0x05d9));
  await withLine(
    {
      pds: [{ address: 1 }],
      readers: [{ name: "gate", address: 1 }],
      emulator: { chunk: 3, garbageBeforeReply: 5, noise: () => rng.nextU32() },
    },
    async (l) => {
      const pd = l.emu.reader(1);
      await until(() => l.bus.readerStatus(1)!.online, "online");
      pd.tapBits(bitsToString(encodeWiegand("h10301", 7, 4242)));
      await until(() => l.cards.length === 1, `card (seed ${rng.seed})`);
      assert.equal(l.cards[0]!.card, 4242);
      assert.ok(l.bus.counters.garbageBytes > 0);
    },
  );
});
