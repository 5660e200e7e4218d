/**
 * The one shape every capture decoder answers with (`cli decode <kind> <frame>`):
 * `ok`, and when not ok an `error` saying what was wrong. Each kind extends it
 * with its own JSON-able fields.
 *
 * @module
 */

/** What a capture decoder says of one captured frame. */
export interface CaptureResult {
  /** True when the frame decoded; the CLI exits 1 otherwise. */
  ok: boolean;
  /** What was wrong, when not ok. */
  error?: string;
}

/** Decodes one captured frame, typed or pasted by a person. Never throws. */
export type CaptureDecoder = (input: string) => CaptureResult;
