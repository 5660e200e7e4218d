import assert from "node:assert/strict";
import { startMemoryTrimmer } from "../../service/memory_trim.ts";

Deno.test("memory trim calls glibc's malloc_trim on demand and stops cleanly", () => {
  const heard: string[] = [];
  const t = startMemoryTrimmer(3_600_000, (why) => heard.push(why));
  try {
    assert.deepEqual(heard, [], "glibc is there on the controllers and here");
    assert.equal(t.count, 0, "nothing before the first tick");
    assert.equal(t.trim(), true);
    assert.equal(t.trim(), true);
    assert.equal(t.count, 2);
  } finally {
    t.stop();
  }
  assert.equal(t.trim(), false, "stopped: the library is closed");
  assert.equal(t.count, 2);
});

Deno.test("memory trim without glibc says why once and does nothing", () => {
  const heard: string[] = [];
  const t = startMemoryTrimmer(
    3_600_000,
    (why) => heard.push(why),
    "libc-that-does-not-exist.so.9",
  );
  try {
    assert.equal(heard.length, 1);
    assert.match(heard[0]!, /libc-that-does-not-exist/);
    assert.equal(t.trim(), false);
    assert.equal(t.count, 0);
  } finally {
    t.stop();
  }
});
