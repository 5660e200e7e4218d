import assert from "node:assert/strict";
import { FakeGpio } from "./fake_gpio.ts";
import {
  GpioError,
  GpioLineFlag,
  openGpioLines,
  wiegandConfigDefaults,
  type WiegandEvent,
  WiegandPulseGenerator,
  WiegandReader,
} from "../../../driver/wiegand/mod.ts";

function expectGpioError(fn: () => unknown, code: string, ...includes: string[]): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof GpioError, `expected GpioError, got ${e}`);
    assert.deepEqual(e.code, code);
    for (const s of includes) assert.ok(e.message.includes(s), `"${e.message}" lacks "${s}"`);
    return;
  }
  assert.fail("no error thrown");
}

Deno.test("wiegand gpio errors: chip missing, permission, busy, invalid, each with a clear message", () => {
  const cases: [number, number, string, string[]][] = [
    [2, 0, "not-found", ["/dev/gpiochip7 not found", "ls /dev/gpiochip*"]],
    [13, 0, "permission", ["permission denied opening /dev/gpiochip7", "group"]],
    [0, 16, "busy", ["lines 17 (D0) and 18 (D1) on /dev/gpiochip7 are busy", "gpioinfo"]],
    [0, 22, "invalid", ["out of range"]],
    [0, 25, "invalid", ["kernel older than 5.10"]],
    [0, 5, "io", ["errno 5"]],
  ];
  for (const [openErrno, requestErrno, code, includes] of cases) {
    const fake = new FakeGpio();
    fake.openErrno = openErrno;
    fake.requestErrno = requestErrno;
    expectGpioError(
      () => openGpioLines({ chip: "/dev/gpiochip7", d0: 17, d1: 18, ioctl: fake }),
      code,
      ...includes,
    );
    // The chip fd is closed whether the request worked or not.
    assert.deepEqual(fake.chipCloses, openErrno ? 0 : 1);
  }
  expectGpioError(
    () => openGpioLines({ chip: "/dev/gpiochip0", d0: 3, d1: 3, ioctl: new FakeGpio() }),
    "invalid",
    "D0 and D1 are both line 3",
  );
});

Deno.test("wiegand reader over GPIO: request, events through a real fd, prompt close", async () => {
  const fake = new FakeGpio();
  const events: WiegandEvent[] = [];
  const gen = new WiegandPulseGenerator({ d0Offset: 17, d1Offset: 18, startNs: 5_000_000_000n });
  // The clock follows the simulated time: it stays at the start while the events are
  // written, then moves past the last one, so frame gaps are deterministic.
  let clockNs = gen.nowNs;
  const clock = (out: Int32Array) => {
    const sec = clockNs / 1_000_000_000n;
    out[0] = Number(sec);
    out[1] = Number(clockNs - sec * 1_000_000_000n);
  };
  let got: () => void = () => {};
  const reader = WiegandReader.open(
    wiegandConfigDefaults(17, 18, { chip: "/dev/gpiochip2" }),
    (e) => {
      events.push(e);
      got();
    },
    { ioctl: fake, clock },
  );
  try {
    assert.deepEqual(fake.opened, ["/dev/gpiochip2"]);
    const req = fake.requests[0]!;
    assert.deepEqual(req.offsets, [17, 18]);
    assert.deepEqual(req.consumer, "pontaj-wiegand");
    assert.deepEqual(
      req.flags,
      GpioLineFlag.input | GpioLineFlag.edgeRising | GpioLineFlag.edgeFalling |
        GpioLineFlag.biasPullUp,
    );
    const waitFor = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`only ${events.length} events; ${JSON.stringify(reader.stats())}`)),
          10_000,
        );
        got = () => {
          if (events.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        };
        got();
      });
    gen.card("h10301", 90, 324).keys("42#", 8);
    const bytes = gen.eventBytes();
    // Written in odd-sized pieces so records straddle reads.
    for (let i = 0; i < bytes.length; i += 1000) {
      await fake.writer!.write(bytes.subarray(i, i + 1000));
    }
    clockNs = gen.nowNs;
    await waitFor(5);
    assert.deepEqual(
      events.map((e) =>
        e.kind === "card" ? `${e.format} ${e.tag}` : e.kind === "pin" ? `pin ${e.pin}` : e.kind
      ),
      ["h10301 0005898564", "key", "key", "key", "pin 42"],
    );
    const s = reader.stats();
    assert.deepEqual([s.events, s.cards, s.keys, s.pins, s.lostEvents], [
      bytes.length / 48,
      1,
      3,
      1,
      0,
    ]);
  } finally {
    await reader.close(); // wakes the waiting poll at once
    await fake.dispose();
  }
  assert.deepEqual(reader.stats().lastError, "");
});

Deno.test("wiegand reader reports a failing line fd as an error event and stops", async () => {
  const fake = new FakeGpio();
  const events: WiegandEvent[] = [];
  const reader = WiegandReader.open(wiegandConfigDefaults(0, 1), (e) => events.push(e), {
    ioctl: fake,
    clock: (out) => {
      out[0] = 1;
      out[1] = 0;
    },
  });
  await fake.dispose(); // writer gone: the read end sees end-of-file
  await reader.done;
  await assert.rejects(reader.run(), GpioError);
  assert.deepEqual(events.length, 1);
  assert.deepEqual(events[0]!.kind, "error");
  assert.ok(events[0]!.kind === "error" && events[0]!.message.includes("reading GPIO events"));
  assert.deepEqual(reader.stats().lastError, "gpio");
  await reader.close();
});

Deno.test("wiegand reader run() rejects with the open error (chip missing)", async () => {
  const fake = new FakeGpio();
  fake.openErrno = 2;
  const reader = new WiegandReader(
    wiegandConfigDefaults(0, 1, { chip: "/dev/gpiochip9" }),
    () => {},
    {
      ioctl: fake,
    },
  );
  await assert.rejects(
    reader.run(),
    (e: unknown) => e instanceof GpioError && e.code === "not-found",
  );
  await reader.close();
});
