import assert from "node:assert/strict";
import { withDir } from "./fixtures/with_dir.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

/** Every path under `dir` with its permission bits and kind. */
function walk(dir: string, out: { path: string; mode: number; dir: boolean }[] = []) {
  for (const e of Deno.readDirSync(dir)) {
    const path = `${dir}/${e.name}`;
    const st = Deno.lstatSync(path);
    out.push({ path, mode: st.mode! & 0o777, dir: e.isDirectory });
    if (e.isDirectory) walk(path, out);
  }
  return out;
}

async function run(cmd: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

for (const umask of ["000", "077"]) {
  for (const fs of ["async", "blocking"]) {
    Deno.test(`journal files are 0640 and directories 0750 under umask ${umask} (${fs} fs)`, () =>
      withDir(async (root) => {
        const r = await run([
          "sh",
          "-c",
          `umask ${umask}; exec "$0" run -A "$1" "$2" "$3"`,
          Deno.execPath(),
          `${FIXTURES}modes_child.ts`,
          root,
          fs,
        ]);
        assert.equal(r.code, 0, r.out);
        const entries = walk(`${root}/state`);
        const names = entries.map((e) => e.path.slice(root.length + 1));
        for (
          const want of [
            /^state\/journal$/,
            /^state\/journal\/LOCK$/,
            /^state\/journal\/scan-\d+\.log$/,
            /^state\/journal\/scan-\d+\.log\.broken$/,
            /^state\/journal\/outcome-\d+\.log$/,
            /^state\/journal\/archive$/,
            /^state\/journal\/archive\/scan-\d+\.log\.gz$/,
          ]
        ) assert.ok(names.some((n) => want.test(n)), `${want} in ${names.join(", ")}`);
        const wrong = entries.filter((e) => e.mode !== (e.dir ? 0o750 : 0o640))
          .map((e) => `${e.path.slice(root.length + 1)} ${e.mode.toString(8)}`);
        assert.deepEqual(wrong, []);
        assert.equal(Deno.statSync(`${root}/state`).mode! & 0o777, 0o750, "a created parent");
      }));
  }
}

Deno.test("journal leaves the mode of an existing journal directory alone", () =>
  withDir(async (root) => {
    await Deno.mkdir(`${root}/state/journal`, { recursive: true });
    await Deno.chmod(`${root}/state/journal`, 0o770);
    const r = await run([Deno.execPath(), "run", "-A", `${FIXTURES}modes_child.ts`, root, "async"]);
    assert.equal(r.code, 0, r.out);
    assert.equal(Deno.statSync(`${root}/state/journal`).mode! & 0o777, 0o770);
    assert.equal(Deno.statSync(`${root}/state/journal/LOCK`).mode! & 0o777, 0o640);
  }));

/**
 * The command prefix that runs a child without the power to override file
 * modes: nothing when we are not root; as root, `setpriv` dropping every
 * capability (CAP_DAC_OVERRIDE among them); null when that is not possible.
 */
async function unprivileged(): Promise<string[] | null> {
  if (Deno.uid() !== 0) return [];
  try {
    const probe = await run(["setpriv", "--bounding-set=-all", "--inh-caps=-all", "true"]);
    return probe.code === 0 ? ["setpriv", "--bounding-set=-all", "--inh-caps=-all"] : null;
  } catch {
    return null;
  }
}

const prefix = await unprivileged();

Deno.test({
  name: "journal in a directory the service user cannot write reports permission denied: DIR",
  ignore: prefix === null,
  fn: () =>
    withDir(async (root) => {
      await Deno.mkdir(`${root}/ro`, { mode: 0o755 });
      await Deno.chmod(`${root}/ro`, 0o555);
      await Deno.mkdir(`${root}/rw`);
      try {
        const r = await run([
          ...prefix!,
          Deno.execPath(),
          "run",
          "-A",
          `${FIXTURES}permission_child.ts`,
          root,
        ]);
        assert.equal(r.code, 0, r.out);
        const lines = r.out.trimEnd().split("\n");
        assert.equal(lines.length, 3, r.out);
        assert.match(
          lines[0]!,
          new RegExp(`^existing permission journal: permission denied: ${root}/ro \\(`),
        );
        assert.doesNotMatch(lines[0]!, /read-only|No such file/);
        assert.match(
          lines[1]!,
          new RegExp(`^missing permission journal: permission denied: ${root}/ro/journal \\(`),
        );
        assert.match(
          lines[2]!,
          new RegExp(`^runtime permission permission denied: ${root}/rw \\(`),
        );
      } finally {
        await Deno.chmod(`${root}/ro`, 0o755);
        await Deno.chmod(`${root}/rw`, 0o755);
      }
    }),
});
