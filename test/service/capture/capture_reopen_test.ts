import assert from "node:assert/strict";
import { AsciiReaderSimulator } from "../../../driver/ascii/sim/simulator.ts";
import { captureEvents, parseCapture } from "../../../driver/capture/format.ts";
import { MemoryOutput } from "../../../driver/capture/writer.ts";
import { replayAscii } from "../../../driver/capture/replay_serial.ts";
import { formatTag } from "../../../driver/tag.ts";
import type { ReaderConfig } from "../../../service/readers/kinds/mod.ts";
import { captureReader } from "../../../service/readers/capture.ts";
import { ReaderSupervisor } from "../../../service/readers/supervisor.ts";
import { createAsciiReader } from "../../../service/readers/serial_reader.ts";
import { eventually, PluggablePort } from "../agent/harness.ts";

Deno.test("capture a reader whose device is closed and reopened mid-capture: the new device is tapped, a meta record says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-capture-reopen-" });
  const port = new PluggablePort(`${dir}/ttyREADER`);
  const reads: string[] = [];
  const sup = new ReaderSupervisor({
    names: ["door"],
    create: () =>
      createAsciiReader({
        name: "door",
        port: port.path,
        baudRate: 9600,
        dataBits: 8,
        parity: "none",
        stopBits: 1,
        rs485: false,
      }),
    onCard: (_reader, read) => reads.push(formatTag(read, "hex")),
    policy: { baseMs: 20, capMs: 50 },
  });
  sup.start();
  try {
    await eventually(() => sup.state === "online", "reader online");
    const out = new MemoryOutput();
    const stop = new AbortController();
    const capture = captureReader({
      reader: { name: "door", kind: "ascii", port: port.path, tagFormat: "hex" } as ReaderConfig,
      driver: () => sup.driver,
      watchOpen: (fn) => sup.watchOpen(fn),
      seconds: 60,
      out,
      signal: stop.signal,
      intervalMs: 20,
    });
    // The tap is attached right after the header is written.
    await eventually(() => out.bytes().length > 0, "capture header written");
    await new Promise((r) => setTimeout(r, 50));
    await new AsciiReaderSimulator(port.pty.master).tap(0x0102030405n, { crlf: true });
    await eventually(() => reads.length === 1, "first card read");
    // Half a frame, then the device goes away and comes back behind the same path.
    await port.pty.master.write(Uint8Array.of(0x02, 0x30, 0x31, 0x32));
    await new Promise((r) => setTimeout(r, 50));
    await port.unplug();
    await eventually(() => sup.state !== "online", "reader offline");
    port.plug();
    await eventually(() => sup.state === "online" && sup.reconnects >= 1, "reader reopened");
    await new AsciiReaderSimulator(port.pty.master).tap(0x0a0b0c0d0en, { crlf: true });
    await eventually(() => reads.length === 2, "second card read");
    stop.abort();
    const summary = await capture;
    assert.equal(summary.dropped, 0);
    const cap = await parseCapture(out.bytes());
    assert.equal(cap.tear, null);
    assert.ok(cap.trailer, "trailer");
    const events = captureEvents(cap.records, cap.count);
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0]!.event.event, "reopened");
    assert.equal(events[0]!.event["tapped"], true);
    const report = replayAscii(cap);
    assert.deepEqual(reads, ["0102030405", "0A0B0C0D0E"]);
    assert.deepEqual(report.scans, reads, JSON.stringify(report.notes));
    const notes = report.notes.join("\n");
    assert.match(notes, /reopened at [\d.]+ s/);
    assert.match(notes, /4 bytes before the reopen were not a whole frame/);
  } finally {
    await sup.stop();
    await port.close();
    await Deno.remove(dir, { recursive: true });
  }
});
