/**
 * Kernel line events of a contact (exit button, passage sensor) for the
 * simulated GPIO chip.
 *
 * @module
 */

import {
  GPIO_V2_EVENT_FALLING,
  GPIO_V2_EVENT_RISING,
  GPIO_V2_LINE_EVENT_SIZE,
  writeLineEvent,
} from "../../../driver/wiegand/gpio_event.ts";

let seqno = 0;

/** A press (falling edge) then a release (rising edge) `ms` apart, as the kernel reports them. */
export function press(line: number, atMs: number, ms = 200): Uint8Array {
  const b = new Uint8Array(2 * GPIO_V2_LINE_EVENT_SIZE);
  const ns = (t: number) => BigInt(t) * 1_000_000n;
  writeLineEvent(b, 0, {
    timestampNs: ns(atMs),
    id: GPIO_V2_EVENT_FALLING,
    offset: line,
    seqno: ++seqno,
    lineSeqno: seqno,
  });
  writeLineEvent(b, GPIO_V2_LINE_EVENT_SIZE, {
    timestampNs: ns(atMs + ms),
    id: GPIO_V2_EVENT_RISING,
    offset: line,
    seqno: ++seqno,
    lineSeqno: seqno,
  });
  return b;
}
