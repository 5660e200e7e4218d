/**
 * ASCII reader benchmarks: decoder ns/byte and frames/s, and the pty round
 * trip (frame written into the master → id delivered by the port + decoder).
 *
 * Run: `deno bench -A bench/ascii_bench.ts`
 */
import { AsciiFrameDecoder, encodeAsciiFrame } from "../driver/ascii/mod.ts";
import { openPty, SerialPort } from "../driver/serial/mod.ts";
import { SeededRandom } from "../driver/random.ts";

const FRAMES = 1000;
const parts: number[] = [];
// Random 40-bit ids (seeded): every hex digit varies, as with real cards.
const rng = new SeededRandom(18);
for (let i = 0; i < FRAMES; i++) parts.push(...encodeAsciiFrame(rng.bytes(new Uint8Array(5))));
const stream = Uint8Array.from(parts);
const decoder = new AsciiFrameDecoder();
let sink = 0;

Deno.bench({
  name: `ascii decode ${FRAMES} frames (${stream.length} bytes)`,
  group: "ascii decoder",
  fn() {
    for (let i = 0; i < stream.length; i++) if (decoder.push(stream[i]!)) sink++;
  },
});

const pty = openPty();
const port = await SerialPort.open(pty.path, { baudRate: 9600 });
const rt = new AsciiFrameDecoder();
const buf = new Uint8Array(256);
const frame = encodeAsciiFrame(0x67003b51c6n);

Deno.bench({
  name: "ascii pty round trip (frame written -> id delivered)",
  group: "ascii pty",
  async fn() {
    await pty.master.write(frame);
    for (;;) {
      const n = await port.read(buf);
      let done = false;
      for (let i = 0; i < n; i++) if (rt.push(buf[i]!)) done = true;
      if (done) break;
    }
  },
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
