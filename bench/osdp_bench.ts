/**
 * OSDP benchmarks: parser ns/byte, CRC-16 throughput, and polls/s of the
 * control panel against one emulated reader over a pty at 115200 baud.
 *
 * Run: `deno bench -A bench/osdp_bench.ts`
 *
 * Per-byte and per-MB figures: divide the time per iteration by the bytes in
 * the name. A pty does not pace bytes at the baud rate, so polls/s measures
 * the software round trip (CP → pty → emulator → pty → CP), not the line.
 */
import {
  buildFrame,
  FrameWriter,
  OsdpBus,
  osdpCrc16,
  OsdpEmulator,
  OsdpParser,
} from "../driver/osdp/mod.ts";
import { openPty, SerialPort } from "../driver/serial/mod.ts";

// A realistic mix: POLL/ACK pairs, a card report, an LED command, a secure poll.
const parts: number[] = [];
const w = new FrameWriter();
while (parts.length < 4096 - 64) {
  parts.push(...buildFrame({ address: 1, seq: 1, code: 0x60 }));
  parts.push(...buildFrame({ address: 1, reply: true, seq: 1, code: 0x40 }));
  parts.push(
    ...buildFrame({
      address: 1,
      reply: true,
      seq: 2,
      code: 0x50,
      data: [0, 1, 26, 0, 0x80, 0x80, 0, 0x80],
    }),
  );
  parts.push(...buildFrame({ address: 1, seq: 3, code: 0x69, data: new Array(14).fill(1) }));
  w.begin(1, 1, true, 0x15).u8(0x60);
  w.finish({ sign: (b, end) => b.set([1, 2, 3, 4], end) });
  parts.push(...w.copy());
}
const stream = Uint8Array.from(parts);
const parser = new OsdpParser();
let sink = 0;

Deno.bench({
  name: `osdp parse ${stream.length} bytes of mixed frames`,
  group: "osdp parser",
  fn() {
    for (let i = 0;;) {
      i = parser.feed(stream, i, stream.length);
      if (!parser.ready) break;
      sink += parser.code;
    }
  },
});

const block = new Uint8Array(65536);
for (let i = 0; i < block.length; i++) block[i] = (i * 131 + 7) & 0xff;

Deno.bench({
  name: "osdp crc16 over 65536 bytes",
  group: "osdp crc",
  fn() {
    sink += osdpCrc16(block, 0, block.length);
  },
});

const POLLS = 200;

Deno.bench({
  name: `osdp cp ${POLLS} polls, one emulated reader, pty at 115200 baud`,
  group: "osdp polls",
  n: 8,
  warmup: 1,
  async fn(b) {
    const pty = openPty();
    const emu = new OsdpEmulator(pty.master, { readers: [{ address: 1 }] });
    emu.start();
    const port = await SerialPort.open(pty.path, { baudRate: 115200 });
    const bus = new OsdpBus(port, {
      readers: [{ name: "bench", address: 1 }],
      timing: { pollIntervalMs: 0, replyTimeoutMs: 200 },
    });
    bus.start();
    const pd = emu.reader(1);
    while (!bus.readerStatus(1)!.online) await new Promise((r) => setTimeout(r, 1));
    const start = pd.counters.commands;
    b.start();
    while (pd.counters.commands < start + POLLS) await new Promise((r) => setTimeout(r, 0));
    b.end();
    await bus.close();
    await emu.close();
    await pty.close();
  },
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
