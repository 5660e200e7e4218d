/**
 * What the fuzz targets share: the target shape, the check error, and the
 * seeded input makers (noise with special bytes, mutations of valid input).
 *
 * @module
 */

import type { Prng } from "../support/prng.ts";

/** One fuzz target. */
export interface FuzzTarget {
  /** Short name (`area: what`). */
  name: string;
  /** The documented error type it may throw ("none" for decoders). */
  documented: string;
  /** True for errors of the documented type. */
  allowed?: (err: unknown) => boolean;
  /** Sets the target up; returns a function that makes and feeds input number `i`. */
  make(rng: Prng): (i: number) => void;
}

/** Thrown by a target's own checks on what a decoder or parser returned. */
export class FuzzCheckError extends Error {
  /** Always "FuzzCheckError". */
  override name = "FuzzCheckError";
}

/** Throws a {@link FuzzCheckError} naming `what` unless `ok`. */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new FuzzCheckError(what);
}

/** Fills `buf[0..n)` with random bytes, each one of `special` with probability 1/`odds`. */
export function noisy(
  rng: Prng,
  buf: Uint8Array,
  n: number,
  special: readonly number[],
  odds = 4,
): void {
  for (let i = 0; i < n; i++) {
    buf[i] = rng.int(odds) === 0 ? special[rng.int(special.length)]! : rng.nextU32() & 0xff;
  }
}

/** Copies `src` into `buf` with a few random mutations (flip, drop, duplicate); returns the length. */
export function mutate(rng: Prng, src: Uint8Array, buf: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < src.length && n < buf.length; i++) {
    const r = rng.int(40);
    if (r === 0) continue; // drop
    buf[n++] = r === 1 ? rng.nextU32() & 0xff : src[i]!;
    if (r === 2 && n < buf.length) buf[n++] = src[i]!; // duplicate
  }
  return n;
}

/** Applies a few random edits (delete, insert, overwrite) with characters from `alphabet`. */
export function mutateText(rng: Prng, s: string, alphabet: string): string {
  let out = s;
  const edits = rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(out.length + 1);
    const r = rng.int(3);
    const piece = Array.from({ length: 1 + rng.int(6) }, () => alphabet[rng.int(alphabet.length)])
      .join("");
    if (r === 0) out = out.slice(0, at) + out.slice(at + 1 + rng.int(8));
    else if (r === 1) out = out.slice(0, at) + piece + out.slice(at);
    else out = out.slice(0, at) + piece + out.slice(at + piece.length);
  }
  return out;
}
