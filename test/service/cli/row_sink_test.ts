import assert from "node:assert/strict";
import { RowSink } from "../../../service/cli/row_sink.ts";
import { seededRandom } from "../../../driver/random.ts";

/**
 * A consumer that takes one chunk at a time and lets it go only when the
 * test says so: what a pipe read slowly looks like to the writer.
 */
function slowConsumer() {
  const got: Uint8Array[] = [];
  let release: (() => void) | null = null;
  let inFlight = 0;
  let maxInFlight = 0;
  let takenBytes = 0;
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      got.push(chunk.slice()); // the sink reuses its buffer: keep a copy, as a pipe does
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<void>((r) =>
        release = () => {
          inFlight--;
          takenBytes += chunk.length;
          r();
        }
      );
    },
  }, { highWaterMark: 1 });
  return {
    stream,
    got,
    maxInFlight: () => maxInFlight,
    takenBytes: () => takenBytes,
    /** Lets the chunk being written go; false when none waits. */
    take(): boolean {
      const r = release;
      release = null;
      r?.();
      return r !== null;
    },
  };
}

Deno.test("row sink holds at most one buffer of rows while the consumer is slow, and loses none", async () => {
  const seed = 19;
  const rand = seededRandom(seed);
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const n = Math.floor(rand() * 200);
    lines.push(`{"seq":${i},"pad":"${"ă".repeat(n % 40)}${"x".repeat(n)}"}`);
  }
  lines.push("y".repeat(70_000)); // longer than the buffer: written alone
  const c = slowConsumer();
  const sink = new RowSink(c.stream.getWriter(), 64 * 1024);
  let maxBuffered = 0;
  let submitted = 0; // bytes handed to the sink
  let maxAhead = 0; // most bytes handed over but not yet taken by the consumer
  const enc = new TextEncoder();
  const writing = (async () => {
    for (const l of lines) {
      submitted += enc.encode(l).length + 1;
      await sink.line(l);
      maxBuffered = Math.max(maxBuffered, sink.buffered);
      maxAhead = Math.max(maxAhead, submitted - c.takenBytes());
    }
    await sink.close();
  })();
  let done = false;
  writing.then(() => done = true);
  let steps = 0;
  while (!done) {
    await new Promise((r) => setTimeout(r, 0));
    c.take();
    steps++;
  }
  await writing;
  const expected = new TextEncoder().encode(lines.map((l) => l + "\n").join(""));
  const total = c.got.reduce((n, b) => n + b.length, 0);
  assert.equal(total, expected.length, `seed ${seed}`);
  assert.equal(sink.written, expected.length);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const b of c.got) {
    joined.set(b, at);
    at += b.length;
  }
  assert.deepEqual(joined, expected, `seed ${seed}: the bytes as written`);
  assert.ok(maxBuffered <= 64 * 1024, `buffered ${maxBuffered}`);
  assert.equal(c.maxInFlight(), 1, "one chunk handed over at a time");
  // What the writer got ahead of the consumer: the buffer plus the chunk being taken.
  assert.ok(maxAhead <= 64 * 1024 + 70_001, `ahead ${maxAhead} bytes`);
  assert.ok(c.got.every((b) => b.length <= 70_001), "no chunk grew past the buffer or one line");
  assert.ok(steps >= c.got.length, "the writer waited for every chunk");
});

Deno.test("row sink writes a file in place: partial writes and a descriptor that would block lose nothing", async () => {
  const seed = 1919;
  const rand = seededRandom(seed);
  const path = await Deno.makeTempFile({ prefix: "pontaj-row-sink-" });
  const file = await Deno.open(path, { write: true });
  let syncCalls = 0;
  let blocked = 0;
  let asyncCalls = 0;
  // The real file, taking at most a random part of each write; now and then as a
  // non-blocking pipe does when full (EAGAIN), which sends the rest the async way.
  const target = {
    writeSync(p: Uint8Array): number {
      syncCalls++;
      if (rand() < 0.2) {
        blocked++;
        throw new Deno.errors.WouldBlock("Resource temporarily unavailable");
      }
      return file.writeSync(p.subarray(0, 1 + Math.floor(rand() * p.length)));
    },
    write(p: Uint8Array): Promise<number> {
      asyncCalls++;
      return file.write(p.subarray(0, 1 + Math.floor(rand() * p.length)));
    },
  };
  try {
    const sink = new RowSink(target, 4096);
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      lines.push(`${i},gate-1,${"ț".repeat(i % 7)}${"9".repeat(i % 50)}`);
    }
    lines.push("z".repeat(10_000)); // longer than the buffer
    for (const l of lines) await sink.line(l);
    await sink.close();
    file.close();
    const want = new TextEncoder().encode(lines.map((l) => l + "\n").join(""));
    assert.deepEqual(await Deno.readFile(path), want, `seed ${seed}`);
    assert.equal(sink.written, want.length, `seed ${seed}`);
    assert.ok(
      blocked > 0 && asyncCalls >= blocked,
      `seed ${seed}: ${blocked} blocked, ${asyncCalls} async`,
    );
    assert.ok(syncCalls > blocked, `seed ${seed}: ${syncCalls} sync calls`);
  } finally {
    await Deno.remove(path);
  }
});
