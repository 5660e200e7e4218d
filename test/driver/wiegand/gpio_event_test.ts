import assert from "node:assert/strict";
import {
  buildLineRequest,
  type EdgeTarget,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_EVENT_SIZE,
  GPIO_V2_LINE_REQUEST_SIZE,
  GpioEventParser,
  GpioLineFlag,
  parseLineRequest,
  ParserCounter,
  readLineEvent,
  WiegandPulseGenerator,
  writeLineEvent,
} from "../../../driver/wiegand/mod.ts";

class EdgeLog implements EdgeTarget {
  edges: string[] = [];
  edge(line: number, rising: boolean, sec: number, nsec: number): void {
    this.edges.push(`${line}${rising ? "r" : "f"}@${sec}.${String(nsec).padStart(9, "0")}`);
  }
}

Deno.test("wiegand gpio ioctl number encodes _IOWR(0xB4, 7, 592 bytes)", () => {
  assert.deepEqual(
    GPIO_V2_GET_LINE_IOCTL,
    (3 << 30 | GPIO_V2_LINE_REQUEST_SIZE << 16 | 0xb4 << 8 | 7) >>> 0,
  );
});

Deno.test("wiegand gpio line request bytes: offsets, consumer, flags, sizes, fd", () => {
  const req = buildLineRequest({ offsets: [17, 18], consumer: "pontaj-wiegand" });
  assert.deepEqual(req.length, 592);
  const v = new DataView(req.buffer);
  assert.deepEqual([v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true)], [17, 18, 0]);
  assert.deepEqual(new TextDecoder().decode(req.subarray(256, 256 + 14)), "pontaj-wiegand");
  assert.deepEqual(req[256 + 14], 0);
  // input | edge rising | edge falling | pull-up; monotonic clock (no realtime bit), no attributes
  assert.deepEqual(v.getUint32(288, true), 0x134);
  assert.deepEqual(v.getUint32(292, true), 0);
  assert.deepEqual(v.getUint32(296, true), 0);
  assert.deepEqual([v.getUint32(560, true), v.getUint32(564, true), v.getInt32(588, true)], [
    2,
    256,
    -1,
  ]);
  const parsed = parseLineRequest(req);
  assert.deepEqual(parsed.offsets, [17, 18]);
  assert.deepEqual(parsed.consumer, "pontaj-wiegand");
  assert.deepEqual(parsed.flags & GpioLineFlag.eventClockRealtime, 0);
  const none = parseLineRequest(
    buildLineRequest({ offsets: [1, 2], consumer: "x".repeat(40), bias: "none" }),
  );
  assert.deepEqual(none.flags, 0x434);
  assert.deepEqual(none.consumer, "x".repeat(31));
  assert.throws(
    () => buildLineRequest({ offsets: [], consumer: "x" }),
    (e: unknown) => e instanceof RangeError && e.message.includes("1..64"),
  );
});

Deno.test("wiegand gpio event record layout round-trips", () => {
  const buf = new Uint8Array(96);
  const ev = { timestampNs: 0x0123_4567_89ab_cdefn, id: 2, offset: 18, seqno: 7, lineSeqno: 3 };
  writeLineEvent(buf, 48, ev);
  assert.deepEqual(readLineEvent(buf, 48), ev);
  assert.deepEqual([...buf.subarray(48, 56)], [0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]);
  assert.deepEqual([buf[56], buf[60], buf[64], buf[68]], [2, 18, 7, 3]);
  assert.deepEqual([...buf.subarray(72, 96)].every((b) => b === 0), true);
});

Deno.test("wiegand gpio parser splits timestamps exactly, even past 2^53 ns", () => {
  const log = new EdgeLog();
  const p = new GpioEventParser(log, 17, 18);
  const buf = new Uint8Array(3 * GPIO_V2_LINE_EVENT_SIZE);
  const t1 = (1n << 60n) + 123_456_789n; // about 36 years of uptime
  writeLineEvent(buf, 0, { timestampNs: t1, id: 2, offset: 18, seqno: 1, lineSeqno: 1 });
  writeLineEvent(buf, 48, { timestampNs: 999_999_999n, id: 1, offset: 17, seqno: 2, lineSeqno: 1 });
  writeLineEvent(buf, 96, {
    timestampNs: 17_280_000_000_000_001n,
    id: 1,
    offset: 18,
    seqno: 3,
    lineSeqno: 2,
  });
  p.push(buf, buf.length);
  const s1 = t1 / 1_000_000_000n;
  assert.deepEqual(log.edges, [
    `1f@${s1}.${String(t1 - s1 * 1_000_000_000n).padStart(9, "0")}`,
    "0r@0.999999999",
    "1r@17280000.000000001",
  ]);
});

Deno.test("wiegand gpio parser: records split anywhere give the same edges", () => {
  const gen = new WiegandPulseGenerator({ d0Offset: 4, d1Offset: 5, seed: 3, jitterUs: 10 });
  gen.card("c1000-35", 4000, 1_000_000).card("h10301", 255, 65535);
  const bytes = gen.eventBytes();
  const whole = new EdgeLog();
  new GpioEventParser(whole, 4, 5).push(bytes, bytes.length);
  assert.deepEqual(whole.edges.length, 2 * (35 + 26));
  for (const chunk of [1, 7, 47, 49, 100]) {
    const log = new EdgeLog();
    const p = new GpioEventParser(log, 4, 5);
    for (let i = 0; i < bytes.length; i += chunk) {
      const part = bytes.slice(i, i + chunk);
      p.push(part, part.length);
    }
    assert.deepEqual(log.edges, whole.edges, `chunk ${chunk}`);
  }
});

Deno.test("wiegand gpio parser counts other lines, bad ids and lost events", () => {
  const log = new EdgeLog();
  const p = new GpioEventParser(log, 0, 1);
  const buf = new Uint8Array(4 * 48);
  writeLineEvent(buf, 0, { timestampNs: 1n, id: 2, offset: 0, seqno: 1, lineSeqno: 1 });
  writeLineEvent(buf, 48, { timestampNs: 2n, id: 2, offset: 9, seqno: 2, lineSeqno: 1 });
  writeLineEvent(buf, 96, { timestampNs: 3n, id: 3, offset: 1, seqno: 3, lineSeqno: 1 });
  writeLineEvent(buf, 144, { timestampNs: 4n, id: 1, offset: 0, seqno: 7, lineSeqno: 2 });
  p.push(buf, buf.length);
  assert.deepEqual(log.edges, ["0f@0.000000001", "0r@0.000000004"]);
  const c = p.counters;
  assert.deepEqual(
    [
      c[ParserCounter.events],
      c[ParserCounter.unknownLines],
      c[ParserCounter.badIds],
      c[ParserCounter.lostEvents],
    ],
    [2, 1, 1, 3],
  );
});
