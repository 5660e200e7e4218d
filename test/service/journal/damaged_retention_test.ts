import assert from "node:assert/strict";
import { denoFs, Journal } from "../../../service/journal/mod.ts";
import type { JournalFs } from "../../../service/journal/mod.ts";
import { expireDamaged } from "../../../service/journal/retention.ts";
import { testScan } from "./fixtures/build_journal.ts";
import { withDir } from "./fixtures/with_dir.ts";

const DAY = 86_400_000;

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("expireDamaged removes only .broken/.corrupt files set aside longer than the limit", () =>
  withDir(async (dir) => {
    const files = [
      "scan-00000000000000000001.log",
      "scan-00000000000000000001.log.broken",
      "scan-00000000000000000001.log.broken.2",
      "scan-00000000000000000005.log.corrupt",
      "outcome-00000000000000000001.log",
      "notes.txt",
    ];
    for (const f of files) await Deno.writeTextFile(`${dir}/${f}`, f);
    const now = Date.now();
    assert.deepEqual(await expireDamaged(denoFs, dir, 30, now + 29 * DAY), []);
    assert.deepEqual(names(dir), [...files].sort());
    const gone = await expireDamaged(denoFs, dir, 30, now + 31 * DAY);
    assert.deepEqual(gone.sort(), [
      "scan-00000000000000000001.log.broken",
      "scan-00000000000000000001.log.broken.2",
      "scan-00000000000000000005.log.corrupt",
    ]);
    assert.deepEqual(names(dir), [
      "notes.txt",
      "outcome-00000000000000000001.log",
      "scan-00000000000000000001.log",
    ]);
  }));

Deno.test("expireDamaged counts from when the file was set aside, not from its old mtime", () =>
  withDir(async (dir) => {
    // A .corrupt is a hard link to the old segment: its mtime is the segment's.
    await Deno.writeTextFile(`${dir}/seg.log`, "x");
    const old = new Date(Date.now() - 90 * DAY);
    await Deno.utime(`${dir}/seg.log`, old, old);
    await Deno.link(`${dir}/seg.log`, `${dir}/seg.log.corrupt`);
    assert.deepEqual(await expireDamaged(denoFs, dir, 30, Date.now()), []);
    assert.ok(names(dir).includes("seg.log.corrupt"));
  }));

Deno.test("journal open keeps a fresh .broken and removes one older than keepDamagedDays", () =>
  withDir(async (dir) => {
    let j = await Journal.open(dir);
    for (let i = 0; i < 3; i++) await j.append(testScan(i));
    await j.close();
    const seg = names(dir).find((n) => n.startsWith("scan-"))!;
    // A torn tail: recovery cuts it and keeps the bytes in <seg>.broken.
    await Deno.writeFile(`${dir}/${seg}`, new Uint8Array([7, 0, 0, 0, 1, 2]), { append: true });
    const logs: string[] = [];
    j = await Journal.open(dir, { logger: (_l, m) => logs.push(m) });
    assert.equal((await j.pending(10)).length, 3);
    await j.close();
    assert.ok(names(dir).includes(`${seg}.broken`), names(dir).join(","));
    // Seen 40 days later: the file system reports it set aside 40 days ago.
    const aged: JournalFs = {
      ...denoFs,
      stat: async (path) => {
        const s = await denoFs.stat(path);
        return { ...s, ctime: new Date(Date.now() - 40 * DAY) };
      },
    };
    j = await Journal.open(dir, { fs: aged, keepDamagedDays: 30, logger: (_l, m) => logs.push(m) });
    assert.equal((await j.pending(10)).length, 3);
    await j.close();
    assert.ok(!names(dir).includes(`${seg}.broken`), names(dir).join(","));
    assert.ok(logs.some((m) => m.includes(`removed ${seg}.broken`)), logs.join("\n"));
  }));
