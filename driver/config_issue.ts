/**
 * How a reader kind reports a problem in its options that spans several keys
 * (the agent adds the reader's place in the config file to the path).
 *
 * @module
 */

import { z } from "zod";

/** One problem in a reader's options: the key path within the reader entry, and what is expected. */
export interface ReaderConfigIssue {
  /** Key path relative to the reader entry (`["keypad", "hash"]`). */
  path: (string | number)[];
  /** What is wrong or expected. */
  message: string;
}

/** A problem among several readers of one kind (e.g. two on one bus with one address). */
export interface ReaderGroupIssue extends ReaderConfigIssue {
  /** Index, in the list checked, of the reader the problem is reported at. */
  reader: number;
}

/**
 * `schema` with a kind's cross-key checks applied, for validating one reader's
 * options on their own (the agent applies the same checks to each entry).
 */
export function withConfigIssues<S extends z.ZodType>(
  schema: S,
  issues: (config: z.output<S>) => ReaderConfigIssue[],
): S {
  return schema.superRefine((config, ctx) => {
    for (const i of issues(config)) {
      ctx.addIssue({ code: "custom", path: i.path, message: i.message });
    }
  });
}

/**
 * `true` when `A` and `B` are the same type: the compile-time check that a
 * schema's output is exactly its hand-written interface
 * (`const _same: Same<z.output<typeof S>, I> = true;`).
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
