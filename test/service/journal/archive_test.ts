import assert from "node:assert/strict";
import { gunzipSync } from "fflate";
import { seededRandom } from "../../../driver/random.ts";
import { denoFs } from "../../../service/journal/fs.ts";
import { ARCHIVE_CHUNK, archiveSegment } from "../../../service/journal/retention.ts";

// The archiver streams a segment through the native gzip in ARCHIVE_CHUNK steps
// (issue #19): the file must stay an ordinary gzip member, readable by fflate
// and by gzip(1), carrying the segment's name as before.

const SEED = 0x19d;

/** A segment-like body: compressible text runs and random bytes, several chunks long. */
function body(bytes: number, rnd: () => number): Uint8Array {
  const b = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    b[i] = (i >> 9) % 2 === 0 ? 0x61 + (i % 26) : Math.floor(rnd() * 256);
  }
  return b;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pontaj-archive-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const size of [0, 1, ARCHIVE_CHUNK - 1, ARCHIVE_CHUNK, 3 * ARCHIVE_CHUNK + 17]) {
  Deno.test(`archiveSegment: a ${size}-byte segment gunzips to the same bytes and names itself`, () =>
    withDir(async (dir) => {
      const name = "scan-0000000000000042.log";
      const original = body(size, seededRandom(SEED + size));
      await Deno.writeFile(`${dir}/${name}`, original);
      const path = await archiveSegment(denoFs, dir, name);
      assert.equal(path, `${dir}/archive/${name}.gz`, `seed ${SEED + size}`);
      const gz = await Deno.readFile(path);
      assert.deepEqual(gunzipSync(gz), original, `seed ${SEED + size}`);
      // RFC 1952 header: magic, deflate, FLG.FNAME, then the name and a zero after 10 bytes
      assert.deepEqual([...gz.subarray(0, 3)], [0x1f, 0x8b, 8]);
      assert.equal(gz[3]! & 0x08, 0x08);
      const nameEnd = gz.indexOf(0, 10);
      assert.equal(new TextDecoder().decode(gz.subarray(10, nameEnd)), name);
      // gzip(1) reads it too, and sees the name
      const t = await new Deno.Command("gzip", { args: ["-tv", path], stderr: "piped" }).output();
      assert.ok(t.success, new TextDecoder().decode(t.stderr));
      const l = await new Deno.Command("gzip", { args: ["-lN", path], stdout: "piped" }).output();
      assert.match(
        new TextDecoder().decode(l.stdout),
        new RegExp(`${dir}/archive/${name}\\s*$`, "m"),
      );
      assert.deepEqual([...Deno.readDirSync(`${dir}/archive`)].map((e) => e.name), [`${name}.gz`]);
    }));
}

Deno.test("archiveSegment: a missing segment fails and leaves no temp file", () =>
  withDir(async (dir) => {
    await assert.rejects(
      archiveSegment(denoFs, dir, "scan-0000000000000001.log"),
      Deno.errors.NotFound,
    );
    assert.deepEqual([...Deno.readDirSync(`${dir}/archive`)], []);
  }));
