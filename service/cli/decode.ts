/**
 * `cli decode <kind> <frame>`: one captured frame → JSON, for every reader
 * kind, so an integrator can check what a reader sends before wiring it in.
 *
 * @module
 */

import { decodeAsciiCapture, decodeLineCapture } from "../../driver/ascii/mod.ts";
import { decodeWiegandText } from "../../driver/wiegand/mod.ts";
import { decodeOsdpHex } from "../../driver/osdp/mod.ts";
import { decodeRc522Uid } from "../../driver/rc522/mod.ts";
import { type Command, EXIT, out, parseCommandArgs, UsageError } from "./command.ts";

/** A decoder for one captured frame. */
export type CaptureDecoder = (input: string) => Record<string, unknown>;

/** Capture decoders by kind. */
export const CAPTURE_DECODERS: Record<string, { hint: string; decode: CaptureDecoder }> = {
  ascii: {
    hint: "raw bytes in hex starting with 02, or the 12 hex characters (67003B51C6CB)",
    decode: decodeAsciiCapture,
  },
  wiegand: {
    hint: "bits (00101101000000001010001000) or hex:N (0x2020002:26)",
    decode: (s) => decodeWiegandText(s) as unknown as Record<string, unknown>,
  },
  osdp: {
    hint: "packet bytes in hex (53 65 08 00 04 60 60 90)",
    decode: (s) => decodeOsdpHex(s) as unknown as Record<string, unknown>,
  },
  "rc522-uid": {
    hint: "a card UID in hex, 4, 7 or 10 bytes (04A3C6CAE26180)",
    decode: (s) => {
      try {
        return { ok: true, ...decodeRc522Uid(s) } as unknown as Record<string, unknown>;
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    },
  },
  line: {
    hint: "the printed line (3887558 or 04A3C6CAE26180)",
    decode: (s) => decodeLineCapture(s),
  },
};

/** The `decode` command. */
export const decodeCommand: Command = {
  name: "decode",
  summary: "decode one captured frame and print it as JSON",
  get usage() {
    const kinds = Object.entries(CAPTURE_DECODERS).map(([k, v]) => `  ${k.padEnd(10)} ${v.hint}`);
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
    const entry = CAPTURE_DECODERS[kind];
    if (!entry) {
      throw new UsageError(
        `unknown kind '${kind}'; expected one of ${Object.keys(CAPTURE_DECODERS).join(", ")}`,
      );
    }
    const result = entry.decode(rest.join(" "));
    out(JSON.stringify(result, (_k, v) => typeof v === "bigint" ? v.toString() : v, 2));
    return Promise.resolve(result.ok === false ? EXIT.failed : EXIT.ok);
  },
};
