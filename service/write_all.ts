/**
 * Writing a whole buffer to a connection or file whose `write` may take only
 * part of it.
 *
 * @module
 */

/** Anything with Deno's `write` (a `Deno.Conn`, a `Deno.FsFile`). */
export interface PartialWriter {
  /** Writes some of `p`; resolves with how many bytes it took. */
  write(p: Uint8Array): Promise<number>;
}

/** Writes all of `bytes` to `w`, as many `write` calls as it takes. */
export async function writeAll(w: PartialWriter, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await w.write(bytes.subarray(off));
}
