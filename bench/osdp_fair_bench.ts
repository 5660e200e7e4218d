/**
 * OSDP fair bus: cards/s of a healthy reader polled at the default 50 ms with
 * a silent (unplugged) neighbour on the same line, against the same reader
 * alone, and against the neighbour polled without the slow schedule (every
 * timeout followed by a resend, as before issue #15). Real pty, emulated
 * readers, default timing (200 ms reply timeout).
 *
 * Run: `deno bench -A bench/osdp_fair_bench.ts`; cards/s = CARDS / time per op.
 */
import { OsdpBus, OsdpEmulator } from "../driver/osdp/mod.ts";
import { openPty, SerialPort } from "../driver/serial/mod.ts";
import { bitsToString, encodeWiegand } from "../driver/wiegand/mod.ts";

const CARDS = 200;
const BITS = Array.from(
  { length: CARDS },
  (_, i) => bitsToString(encodeWiegand("h10301", 1, 100 + i)),
);

async function run(b: Deno.BenchContext, neighbour: "none" | "silent" | "silent-no-slow-schedule") {
  const pty = openPty();
  const pds = neighbour === "none" ? [{ address: 1 }] : [{ address: 1 }, { address: 2 }];
  const emu = new OsdpEmulator(pty.master, { readers: pds });
  emu.start();
  const port = await SerialPort.open(pty.path, { baudRate: 115200 });
  let cards = 0;
  const readers = pds.map((p) => ({ name: `r${p.address}`, address: p.address }));
  const bus = new OsdpBus(port, {
    readers,
    timing: neighbour === "silent-no-slow-schedule" ? { silentAfterTimeouts: 1e9 } : {},
    onCard: () => cards++,
  });
  bus.start();
  const wait = async (cond: () => boolean) => {
    while (!cond()) await new Promise((r) => setTimeout(r, 2));
  };
  await wait(() => bus.status().every((s) => s.online));
  if (neighbour !== "none") {
    emu.reader(2).silent = true;
    if (neighbour === "silent") await wait(() => !bus.readerStatus(2)!.answering);
    else await wait(() => bus.readerStatus(2)!.counters.timeouts >= 3);
  }
  const pd = emu.reader(1);
  b.start();
  for (const bits of BITS) pd.tapBits(bits);
  await wait(() => cards === CARDS);
  b.end();
  const probes = neighbour === "none" ? 0 : emu.reader(2).counters.commands;
  console.error(`osdp fair ${neighbour}: ${CARDS} cards; neighbour commands ${probes}`);
  await bus.close();
  await emu.close();
  await pty.close();
}

Deno.bench({
  name: `osdp ${CARDS} cards of a healthy reader, alone on the line`,
  group: "osdp fair bus",
  baseline: true,
  n: 2,
  warmup: 0,
  async fn(b) {
    await run(b, "none");
  },
});

Deno.bench({
  name: `osdp ${CARDS} cards of a healthy reader, silent neighbour on the line`,
  group: "osdp fair bus",
  n: 2,
  warmup: 0,
  async fn(b) {
    await run(b, "silent");
  },
});

Deno.bench({
  name: `osdp ${CARDS} cards of a healthy reader, silent neighbour without the slow schedule`,
  group: "osdp fair bus",
  n: 2,
  warmup: 0,
  async fn(b) {
    await run(b, "silent-no-slow-schedule");
  },
});
