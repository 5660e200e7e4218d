import assert from "node:assert/strict";
import { parseCapture } from "../../../driver/capture/format.ts";
import { readerKind } from "../../../service/readers/kinds/mod.ts";
import { expectedPath, expectedText } from "../../captures/make_expected.ts";
import { withSeed } from "../../support/prng.ts";

const DIR = new URL("../../captures/", import.meta.url).pathname;

Deno.test("capture regression: every test/captures/*.pjcap replays to its expected decode", async () => {
  const files = [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".pjcap"))
    .map((e) => `${DIR}${e.name}`).sort();
  assert.ok(files.length >= 5, `captures found: ${files.length}`);
  for (const file of files) {
    const want = await Deno.readTextFile(expectedPath(file)).catch(() => {
      throw new Error(`${file}: no expected file; run test/captures/make_expected.ts ${file}`);
    });
    assert.deepEqual(JSON.parse(await expectedText(file)), JSON.parse(want), file);
  }
});

Deno.test("capture torn anywhere replays up to the tear: the scans are a prefix of the whole", async () => {
  await withSeed(20, async (rng) => {
    for (const kind of ["ascii", "wiegand", "osdp", "rc522"]) {
      const bytes = await Deno.readFile(`${DIR}${kind}.pjcap`);
      const whole = readerKind(kind)!.replay(await parseCapture(bytes));
      assert.equal(whole.tear, null);
      // A cut inside the header (the first gzip member) leaves nothing to replay.
      let first = 20;
      while (await parseCapture(bytes.subarray(0, first)).then(() => false, () => true)) first++;
      let shorter = 0;
      for (let k = 0; k < 12; k++) {
        const cut = first + rng.int(bytes.length - first);
        const part = readerKind(kind)!.replay(await parseCapture(bytes.subarray(0, cut)));
        assert.ok(part.tear !== null, `${kind} cut at ${cut}: tear reported`);
        assert.deepEqual(
          part.scans,
          whole.scans.slice(0, part.scans.length),
          `${kind} cut at ${cut}`,
        );
        assert.ok(part.records <= whole.records);
        if (part.records < whole.records) shorter++;
      }
      assert.ok(shorter > 0, `${kind}: some cut lost records`);
    }
  });
});
