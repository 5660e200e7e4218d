/**
 * `osdp_OUT` (0x68): drive a reader's output (its lock relay). Each record
 * is 4 bytes: output number, control code, timer in 100 ms units (u16 LE).
 * A timed "on" (control code 5) falls back to the permanent state on the
 * reader itself when its timer runs out, so a lock opened this way closes
 * again even if the control panel dies mid-pulse.
 *
 * @module
 */

/** Byte length of one `osdp_OUT` record. */
export const OUTPUT_RECORD_LENGTH = 4;

/** `osdp_OUT` control codes (OSDP v2.2 §6.10). */
export const OsdpOutputControl = {
  /** Do nothing. */
  NOP: 0,
  /** Permanent state off, abort a timed operation. */
  PERMANENT_OFF_ABORT: 1,
  /** Permanent state on, abort a timed operation. */
  PERMANENT_ON_ABORT: 2,
  /** Permanent state off, let a timed operation finish. */
  PERMANENT_OFF: 3,
  /** Permanent state on, let a timed operation finish. */
  PERMANENT_ON: 4,
  /** Temporarily on for the timer, then back to the permanent state. */
  TEMPORARY_ON: 5,
  /** Temporarily off for the timer, then back to the permanent state. */
  TEMPORARY_OFF: 6,
} as const;

/** One `osdp_OUT` record. */
export interface OutputRecord {
  /** Output number on the reader (0 first). */
  output: number;
  /** Control code ({@link OsdpOutputControl}). */
  control: number;
  /** Timer, 100 ms units. */
  timer: number;
}

/**
 * The record that turns `output` on for `pulseMs` (rounded up to 100 ms,
 * at most 65535 units) or, with `on` false, off at once.
 */
export function outputCommand(output: number, on: boolean, pulseMs: number): Uint8Array {
  const timer = on ? Math.min(0xffff, Math.max(1, Math.ceil(pulseMs / 100))) : 0;
  return Uint8Array.of(
    output & 0xff,
    on ? OsdpOutputControl.TEMPORARY_ON : OsdpOutputControl.PERMANENT_OFF_ABORT,
    timer & 0xff,
    timer >> 8,
  );
}

/** Reads the record at `buf[at]`. */
export function readOutputRecord(buf: Uint8Array, at: number): OutputRecord {
  return { output: buf[at]!, control: buf[at + 1]!, timer: buf[at + 2]! | (buf[at + 3]! << 8) };
}
