import assert from "node:assert/strict";
import { AllowFile, parseAllowList } from "../../../service/gates/allow_file.ts";

Deno.test("allow file parses tags, !denials, comments and blank lines", () => {
  const l = parseAllowList(
    "# staff\n0003887558\n  !0001234567   # lost card\n\n059,20934\r\nbad tag here\n0003887558 # again\n!059,20934\n",
  );
  assert.deepEqual([...l.entries], [
    ["0003887558", true],
    ["0001234567", false],
    ["059,20934", false], // the later line wins
  ]);
  assert.equal(l.badCount, 1);
  assert.deepEqual(l.bad, [
    'line 6: expected one tag of 1-64 printable characters, got "bad tag here"',
  ]);
});

Deno.test("allow file bad lines are clipped in messages and counted beyond the first five", () => {
  const l = parseAllowList(`${"x y\n".repeat(7)}${"z".repeat(500)} q\n`);
  assert.equal(l.badCount, 8);
  assert.equal(l.bad.length, 5);
  const long = parseAllowList(`${"z".repeat(500)} q\n`).bad[0]!;
  assert.ok(long.length < 120, long);
  assert.throws(() => parseAllowList("a\nb\nc\n", 2), /more than 2 tags \(line 3\)/);
});

Deno.test("allow file is re-read when it changes, kept when too big, emptied when removed", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/allow.txt`;
  const warnings: string[] = [];
  try {
    await Deno.writeTextFile(path, "0001\n!0002\n");
    const f = new AllowFile(path, (m) => warnings.push(m), 64);
    assert.equal(f.verdict("0001"), null); // nothing read yet
    assert.equal(await f.refresh(), true);
    assert.equal(f.verdict("0001"), "allow");
    assert.equal(f.verdict("0002"), "deny");
    assert.equal(f.verdict("0003"), null);
    assert.equal(await f.refresh(), false, "unchanged file is not re-read");
    assert.equal(f.stats().loads, 1);

    // an edit (same size, new content) is picked up: the mtime or inode changes
    await Deno.writeTextFile(`${path}.new`, "0003\n!0001\n");
    await Deno.rename(`${path}.new`, path);
    assert.equal(await f.refresh(), true);
    assert.equal(f.verdict("0003"), "allow");
    assert.equal(f.verdict("0001"), "deny");
    assert.equal(f.verdict("0002"), null);
    assert.deepEqual(
      [f.stats().allowed, f.stats().denied, f.stats().loads, f.stats().errors],
      [1, 1, 2, 0],
    );

    // too big: refused, the list read before stays in force
    await Deno.writeTextFile(path, "0004\n".repeat(20));
    assert.equal(await f.refresh(), false);
    assert.equal(f.verdict("0003"), "allow");
    assert.equal(f.verdict("0004"), null);
    assert.equal(f.stats().errors, 1);
    assert.match(f.stats().lastError!, /refused \(100 bytes, more than 64\)/);

    // removed: no tag listed
    await Deno.remove(path);
    assert.equal(await f.refresh(), false);
    assert.equal(f.verdict("0003"), null);
    assert.match(f.stats().lastError!, /not found/);
    assert.equal(warnings.length, 2, warnings.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
