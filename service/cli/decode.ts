/**
 * `cli decode <kind> <frame>`: one captured frame → JSON, for every reader
 * kind, so an integrator can check what a reader sends before wiring it in.
 *
 * @module
 */

import type { CaptureResult } from "../../driver/capture.ts";
import type { CaptureSpec } from "../readers/kind.ts";
import { READER_KINDS } from "../readers/kinds/mod.ts";
import { type Command, EXIT, out, parseCommandArgs, UsageError } from "./command.ts";

/** The capture decoders of every reader kind, by the name `decode` takes. */
export const CAPTURE_DECODERS: ReadonlyMap<string, CaptureSpec> = new Map(
  READER_KINDS.map((k) => [k.capture.name, k.capture]),
);

/** Decodes `frame` as the capture of `kind`; undefined when no kind has that name. */
export function decodeCapture(kind: string, frame: string): CaptureResult | undefined {
  return CAPTURE_DECODERS.get(kind)?.decode(frame);
}

/** The `decode` command. */
export const decodeCommand: Command = {
  name: "decode",
  summary: "decode one captured frame and print it as JSON",
  get usage() {
    const kinds = [...CAPTURE_DECODERS.values()].map((c) => `  ${c.name.padEnd(10)} ${c.hint}`);
    return [
      "Usage: deno task cli decode <kind> <frame>",
      "",
      "Decodes one captured frame and prints its fields and the rfidTag each",
      "tagFormat would send to iFlow. Exit code 1 when the frame is invalid.",
      "",
      "Kinds:",
      ...kinds,
    ].join("\n");
  },
  run(args) {
    const { positionals } = parseCommandArgs(args, {}, true);
    const [kind, ...rest] = positionals;
    if (!kind || rest.length === 0) throw new UsageError("decode needs a kind and a frame");
    const result = decodeCapture(kind, rest.join(" "));
    if (!result) {
      throw new UsageError(
        `unknown kind '${kind}'; expected one of ${[...CAPTURE_DECODERS.keys()].join(", ")}`,
      );
    }
    out(JSON.stringify(result, (_k, v) => typeof v === "bigint" ? v.toString() : v, 2));
    return Promise.resolve(result.ok === false ? EXIT.failed : EXIT.ok);
  },
};
