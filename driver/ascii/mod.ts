/**
 * 125 kHz ASCII serial readers (RDM6300, ID-12/ID-20 and copies) and
 * one-code-per-line readers: zero-allocation decoders, frame encoders and
 * simulators.
 *
 * @module
 */

export { allTags, decodeAsciiCapture, decodeLineCapture } from "./inspect.ts";
export { ASCII_ERRORS, AsciiFrameDecoder, encodeAsciiFrame } from "./frame.ts";
export { encodeLine, LINE_ERRORS, LineDecoder, type LineNumberBase } from "./line.ts";
export {
  AsciiReaderSimulator,
  type ByteSink,
  LineReaderSimulator,
  type NoiseSource,
  type TapOptions,
} from "./sim/simulator.ts";
