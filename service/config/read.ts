/**
 * Reading a config file up to parsed JSONC, and the error every config
 * problem is: no schema here (and so no zod), so a command that needs one
 * key of the config (`cli export`: the journal directory) reads it without
 * loading the validation code.
 *
 * @module
 */

import { parseJsonc } from "./jsonc.ts";

/** A config that cannot be used; `problems` has one line per problem. */
export class ConfigError extends Error {
  /** `FILE: key.path: what is expected`, one per problem. */
  readonly problems: string[];

  /** Creates an error listing `problems`. */
  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Largest config file read, bytes: a hand-written config is a few KiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** What a config nested past the parser's depth limit is told. */
export const TOO_DEEP = "nested too deeply (a config is a few levels deep)";

/** Reads at most {@link MAX_CONFIG_BYTES} of a regular file; a ConfigError otherwise. */
async function readConfigText(path: string): Promise<string> {
  let file: Deno.FsFile | undefined;
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) throw new ConfigError([`${path}: not a regular file`]);
    if (info.size > MAX_CONFIG_BYTES) throw new ConfigError([`${path}: ${tooBig(info.size)}`]);
    file = await Deno.open(path, { read: true });
    // The size may change under us: read one byte past what stat said to know; when the
    // file grew, read again up to one byte past the cap.
    let buf = new Uint8Array(info.size + 1);
    let n = await readUpTo(file, buf);
    if (n === buf.length && n <= MAX_CONFIG_BYTES) {
      const more = new Uint8Array(MAX_CONFIG_BYTES + 1);
      more.set(buf);
      buf = more;
      n += await readUpTo(file, buf.subarray(n));
    }
    if (n > MAX_CONFIG_BYTES) throw new ConfigError([`${path}: ${tooBig(n)}`]);
    return new TextDecoder().decode(buf.subarray(0, n));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const why = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : err instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : String(err);
    throw new ConfigError([`${path}: cannot read the config file (${why})`]);
  } finally {
    file?.close();
  }
}

/** Reads from `file` until `buf` is full or the file ends; the bytes read. */
async function readUpTo(file: Deno.FsFile, buf: Uint8Array): Promise<number> {
  let n = 0;
  for (let r: number | null; n < buf.length && (r = await file.read(buf.subarray(n))) !== null;) {
    n += r;
  }
  return n;
}

function tooBig(bytes: number): string {
  return `too large (${
    bytes > MAX_CONFIG_BYTES + 1 ? `${bytes} bytes` : "over 1 MiB"
  }); a config file may have at most ${MAX_CONFIG_BYTES} bytes`;
}

/** Reads and parses the JSONC file at `path` (not validated); a ConfigError when it cannot. */
export async function readConfigFile(path: string): Promise<unknown> {
  const text = await readConfigText(path);
  try {
    return parseJsonc(text);
  } catch (err) {
    if (err instanceof RangeError) throw new ConfigError([`${path}: ${TOO_DEEP}`]);
    throw new ConfigError([`${path}: ${(err as Error).message}`]);
  }
}
