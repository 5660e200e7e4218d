import assert from "node:assert/strict";
import { buildJournal } from "./fixtures/build_journal.ts";

const CHILD = new URL("./fixtures/big_child.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

Deno.test("export of a 1,000,000-record journal streams under 64 MiB RSS", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-export-" });
  try {
    await buildJournal(dir, 1_000_000, { accepted: 400_000 });
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", CONFIG, CHILD, dir, "export"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.deepEqual(
      [r.rows, r.pending, r.synced, r.ordered, r.tagsOk],
      [1_000_000, 600_000, 400_000, true, true],
    );
    assert.ok(r.hwmKiB < 64 * 1024, `peak RSS ${r.hwmKiB} KiB`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
