/**
 * Why the hot loops that stay above 1.25× of C stay there: what `perf
 * annotate` of V8's optimised code showed (Deno 2.9.6, V8 15.0, on the AMD
 * EPYC these runs use). Analyses, not figures of the run: the report prints
 * this text beside its "TS vs C" table.
 *
 * @module
 */

/** Markdown bullets for the report. */
export const NATIVE_GAP_NOTES =
  `Why the loops above 1.25× stay there (from \`perf annotate\` of V8's
optimised code on this machine; these are analyses, not figures of this run):

- **Every typed-array load is bounds-checked**, data bytes and table entries alike: V8 keeps the
  check (\`cmp; jae\` to a trap) even where it has proved the index below 256, and does not remove it
  for a loop index compared with \`data.length\`. CRC_A: 89 instructions per 7-byte frame against 53
  in C, 14 compare-and-jump pairs of them checks; CRC32C: about 90 instructions per 8-byte step
  against 40, 16 of them check pairs. The TS loops are bound by instruction throughput where the C
  ones are bound by the CRC's dependency chain.
- **Each loop iteration has V8's interrupt check** (a load, a compare and a branch at the loop
  head). In the ASCII loop, V8's instructions rebuilt in inline assembly without that check alone cut the
  time per byte by about 20% (TS/C near 1.47 without it); the check sits in the caller's loop, which
  the public byte-at-a-time \`push\` cannot avoid.
- **Field stores and reloads**: the OSDP parser stores its 17 public fields per frame (each tagged,
  one with a write-barrier check) and the caller reloads them after \`feed\`; removing ten of those
  stores alone brought OSDP to 1.31. The Wiegand edge assembler keeps the loop index in memory
  across its frame-end call, which V8's inlining budget (920 bytecodes, 1,025 needed) leaves out of
  line, and its time as second/nanosecond pairs.
- **What did not pay** (measured, then dropped): DataView word loads (slower than byte loads: the
  view lookup costs more than it saves), \`>>> 0\` or masked indices (more instructions, the checks
  stay), 16-byte CRC32C steps, wider unrolling that stops a function from being inlined.`;
