import assert from "node:assert/strict";
import { Debouncer } from "../../../service/pipeline/debounce.ts";

Deno.test("debounce drops the same tag on the same reader within the window", () => {
  const d = new Debouncer(3000);
  assert.equal(d.accept("gate-1", "0001", 0), true);
  assert.equal(d.accept("gate-1", "0001", 2999), false);
  assert.equal(d.accept("gate-2", "0001", 3000), true, "another reader is another scan");
  assert.equal(d.accept("gate-1", "0002", 3000), true, "another tag is another scan");
  // The window slides from the last sighting: held at 2999, counts again at 5999.
  assert.equal(d.accept("gate-1", "0001", 5998), false);
  assert.equal(d.accept("gate-1", "0001", 8998), true);
  assert.equal(d.dropped, 2);
});

Deno.test("debounce window 0 keeps everything", () => {
  const d = new Debouncer(0);
  assert.equal(d.accept("r", "t", 1), true);
  assert.equal(d.accept("r", "t", 1), true);
  assert.equal(d.dropped, 0);
});
