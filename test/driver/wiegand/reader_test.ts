import assert from "node:assert/strict";
import {
  encodeWiegand,
  keypadByte,
  wiegandConfigDefaults,
  type WiegandEvent,
  WiegandPulseGenerator,
  WiegandReader,
  type WiegandReaderConfig,
} from "../../../driver/wiegand/mod.ts";

/** A reader fed straight from the simulator; events collected as plain summaries. */
function harness(overrides: Partial<WiegandReaderConfig> = {}, gen = new WiegandPulseGenerator()) {
  const events: WiegandEvent[] = [];
  const summaries: string[] = [];
  const debug: string[] = [];
  const reader = new WiegandReader(
    wiegandConfigDefaults(0, 1, overrides),
    (e) => {
      events.push(e);
      switch (e.kind) {
        case "card":
          summaries.push(`card ${e.format} ${e.facility}/${e.card} ${e.tag}`);
          break;
        case "key":
          summaries.push(`key ${e.key}`);
          break;
        case "pin":
          summaries.push(`pin ${e.pin} ${e.reason}`);
          break;
        case "fault":
          summaries.push(`fault ${e.fault}`);
          break;
        case "error":
          summaries.push(`error ${e.message}`);
      }
    },
    { debug: (m) => debug.push(m) },
  );
  /** Feeds everything generated as GPIO event bytes, then ticks at the generator's clock. */
  const run = () => {
    reader.feedEvents(gen.eventBytes());
    const sec = gen.nowNs / 1_000_000_000n;
    reader.tick(Number(sec), Number(gen.nowNs - sec * 1_000_000_000n));
  };
  return { reader, gen, events, summaries, debug, run };
}

Deno.test("wiegand reader emits cards with the configured tag format", () => {
  const h = harness({ rawLengths: [32] });
  h.gen.card("h10301", 90, 324).card("h10306", 1, 1).card("c1000-48", 3, 9).frame(
    "10110011101000111100001011001010",
  );
  h.run();
  assert.deepEqual(h.summaries, [
    `card h10301 90/324 ${String(90 * 65536 + 324).padStart(10, "0")}`,
    "card h10306 1/1 0000065537",
    `card c1000-48 3/9 ${String(3 * 2 ** 23 + 9).padStart(10, "0")}`,
    `card raw -1/-1 ${String(0b10110011101000111100001011001010).padStart(10, "0")}`,
  ]);
  const first = h.events[0]!;
  assert.deepEqual(first.kind === "card" ? first.bits : 0, 26);
  const s = h.reader.stats();
  assert.deepEqual([s.frames, s.cards, s.parityErrors, s.events], [
    4,
    4,
    0,
    2 * (26 + 34 + 48 + 32),
  ]);
  const hex = harness({ tagFormat: "fc-cn" });
  hex.gen.card("h10301", 90, 324);
  hex.run();
  assert.deepEqual(hex.summaries, ["card h10301 90/324 090,00324"]);
});

Deno.test("wiegand reader counts parity errors and unknown lengths, never emits them", () => {
  const h = harness({ unknownLengths: "drop" });
  const bad = encodeWiegand("h10301", 5, 5);
  bad[12]! ^= 1;
  h.gen.frame(bad).frame("1".repeat(30)).card("h10301", 5, 5);
  h.run();
  assert.deepEqual(h.summaries, ["card h10301 5/5 0000327685"]);
  const s = h.reader.stats();
  assert.deepEqual([s.frames, s.cards, s.parityErrors, s.unknownLengths], [3, 1, 1, 1]);
  assert.deepEqual(s.lastError, "unknown-length");
  assert.deepEqual(h.debug.length, 2);
  assert.deepEqual(h.debug[0]!.includes("parity (h10301): 26 bits"), true);
});

Deno.test("wiegand reader per-length override picks h10302 for 37 bits", () => {
  const h = harness({ lengthFormats: { "37": "h10302" } });
  h.gen.card("h10302", 0, 123456789);
  h.run();
  assert.deepEqual(h.summaries, ["card h10302 -1/123456789 0123456789"]);
});

Deno.test("wiegand reader custom format from config", () => {
  const h = harness({
    customFormats: [{
      name: "acme30",
      bits: 30,
      facility: [2, 11],
      card: [12, 29],
      parity: [{ bit: 1, type: "even", over: [[2, 15]] }, {
        bit: 30,
        type: "odd",
        over: [[16, 29]],
      }],
    }],
  });
  h.gen.card(h.reader.formats.formats.get("acme30")!, 1000, 262143);
  h.run();
  assert.deepEqual(h.summaries, [
    `card acme30 1000/262143 ${String(1000 * 262144 + 262143).padStart(10, "0")}`,
  ]);
});

Deno.test("wiegand reader keypad: 4-bit and 8-bit keys, PIN ended by #", () => {
  const h = harness();
  h.gen.keys("12", 4).keys("34#", 8);
  h.run();
  assert.deepEqual(h.summaries, ["key 1", "key 2", "key 3", "key 4", "key #", "pin 1234 enter"]);
  const s = h.reader.stats();
  assert.deepEqual([s.keys, s.pins, s.cards], [5, 1, 0]);
});

Deno.test("wiegand reader keypad: 0xA5 is key 5; a bad complement nibble is counted", () => {
  const h = harness({ keypad: { ...wiegandConfigDefaults(0, 1).keypad, emitKeys: true } });
  assert.deepEqual(keypadByte(5), 0xa5);
  h.gen.frame("10100101").frame("10110101");
  h.run();
  assert.deepEqual(h.summaries, ["key 5"]);
  assert.deepEqual(h.reader.stats().keypadErrors, 1);
  assert.deepEqual(h.reader.stats().lastError, "keypad-check");
});

Deno.test("wiegand reader PIN: * clears, timeout submits or discards, custom codes", () => {
  const h = harness({ keypad: { ...wiegandConfigDefaults(0, 1).keypad, emitKeys: false } });
  h.gen.keys("9*56").idle(4900);
  h.run();
  assert.deepEqual(h.summaries, []);
  h.gen.idle(200);
  h.run();
  assert.deepEqual(h.summaries, ["pin 56 timeout"]);
  h.gen.idle(10_000);
  h.run();
  assert.deepEqual(h.summaries, ["pin 56 timeout"]);

  const d = harness({
    keypad: {
      ...wiegandConfigDefaults(0, 1).keypad,
      emitKeys: false,
      onTimeout: "discard",
      star: 14,
      hash: 15,
    },
  });
  d.gen.keys("77").idle(6000).keys("8").key(15);
  d.run();
  assert.deepEqual(d.summaries, ["pin 8 enter"]);
  d.gen.key(11).key(10).key(15); // 11 and 10 are not digits here; # with nothing entered does nothing
  d.run();
  assert.deepEqual(d.summaries, ["pin 8 enter"]);
});

Deno.test("wiegand reader keypad disabled: 4/8-bit frames go to the formats (raw when listed)", () => {
  const keypad = { ...wiegandConfigDefaults(0, 1).keypad, enabled: false };
  const h = harness({ keypad, rawLengths: [8] });
  h.gen.key(5, 8);
  h.run();
  assert.deepEqual(h.summaries, ["card raw -1/-1 0000000165"]);
  const d = harness({ keypad });
  d.gen.key(5, 8);
  d.run();
  assert.deepEqual(d.summaries, []);
  assert.deepEqual(d.reader.stats().unknownLengths, 1);
});

Deno.test("wiegand reader reports faults as events", () => {
  const h = harness();
  h.gen.bothLow(300).card("h10301", 1, 2);
  h.run();
  assert.deepEqual(h.summaries, ["fault both-low", "fault none", "card h10301 1/2 0000065538"]);
  assert.deepEqual(h.reader.stats().faults, 1);
  assert.deepEqual(h.reader.stats().fault, "none");
});

Deno.test("wiegand reader with glitches and jitter still reads every card", () => {
  const h = harness({}, new WiegandPulseGenerator({ glitchRate: 0.3, jitterUs: 30, seed: 11 }));
  const want: string[] = [];
  for (let i = 0; i < 40; i++) {
    h.gen.card("c1000-35", i, i * 1000 + 1);
    want.push(
      `card c1000-35 ${i}/${i * 1000 + 1} ${String(i * 2 ** 20 + i * 1000 + 1).padStart(10, "0")}`,
    );
  }
  h.run();
  assert.deepEqual(h.summaries, want);
  assert.deepEqual(h.reader.stats().glitches > 0, true);
});
