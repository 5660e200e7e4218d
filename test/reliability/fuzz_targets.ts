/**
 * Every fuzz target of the suite in one table: each decoder of reader bytes,
 * edges or register replies (`fuzz_decoders.ts`), and each parser of outside
 * input: the config file, iFlow's replies, the CLI's captured frames
 * (`fuzz_inputs.ts`). A target makes one input per call from a seeded PRNG
 * and feeds it; it may throw only its documented error type (`allowed`), and
 * checks what it gets back (a violated check throws and counts as a
 * failure). `deno task test` runs 10^5 inputs per target, the soak 10^7
 * (`fixtures/fuzz_child.ts` runs them and measures memory).
 *
 * @module
 */

import { DECODER_TARGETS } from "./fuzz_decoders.ts";
import { INPUT_TARGETS } from "./fuzz_inputs.ts";
import type { FuzzTarget } from "./fuzz_support.ts";

export { FuzzCheckError, type FuzzTarget } from "./fuzz_support.ts";

/** Every fuzz target: decoders first, then parsers of outside input. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [...DECODER_TARGETS, ...INPUT_TARGETS];
