import assert from "node:assert/strict";
import { parseCapture } from "../../../driver/capture/format.ts";
import { replayRc522 } from "../../../driver/capture/replay_rc522.ts";
import { redactFile } from "../../../service/cli/capture_export.ts";

Deno.test("capture --redact rc522: the CLI's file rewrite keeps the recorded capture replayable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-redact-" });
  try {
    const path = `${dir}/rc522.pjcap`;
    await Deno.copyFile(new URL("../../captures/rc522.pjcap", import.meta.url), path);
    const before = replayRc522(await parseCapture(await Deno.readFile(path)));
    assert.deepEqual(await redactFile(path), []);
    const cap = await parseCapture(await Deno.readFile(path));
    assert.equal(cap.header.redacted, true);
    assert.equal(cap.tear, null);
    const after = replayRc522(cap);
    assert.deepEqual(after.notes, []);
    assert.equal(after.scans.length, 2);
    assert.equal(after.scans.length, before.scans.length);
    for (const [i, t] of before.scans.entries()) assert.notEqual(after.scans[i], t);
    assert.deepEqual(after.counters, before.counters);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
