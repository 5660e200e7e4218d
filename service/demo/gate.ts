/**
 * The demo's turnstile: a gate on one simulated reader, its relay and
 * passage sensor on a simulated GPIO chip (no gpiochip here), and a way to
 * make someone walk through.
 *
 * @module
 */

import type { SimulatedGpio } from "../../driver/wiegand/sim/gpio.ts";
import type { GateEvent } from "../gates/gate.ts";

const CHIP = "/dev/gpiochip8";
const RELAY_LINE = 5;
const PASSAGE_LINE = 6;

/** A demo gate. */
export interface DemoGate {
  /** The `gates` entry. */
  config: Record<string, unknown>;
  /** Simulated chips by `chip` / `chip:line` (for `DeviceOverrides.gateGpio`). */
  gpio: Map<string, SimulatedGpio>;
  /** Someone walks through: the passage sensor trips once. */
  pass(): Promise<void>;
  /** True while the relay is energised. */
  open(): boolean;
}

/** A gate named `name` on reader `reader`, policy `known`, passage timeout `timeoutMs`. */
export async function demoGate(name: string, reader: string, timeoutMs: number): Promise<DemoGate> {
  const { SimulatedGpio } = await import("../../driver/wiegand/sim/gpio.ts");
  const { GPIO_V2_EVENT_FALLING, GPIO_V2_EVENT_RISING, GPIO_V2_LINE_EVENT_SIZE, writeLineEvent } =
    await import("../../driver/wiegand/gpio_event.ts");
  const relay = new SimulatedGpio();
  const sensor = new SimulatedGpio();
  let seqno = 0;
  let atMs = 1000;
  return {
    config: {
      name,
      readers: [reader],
      output: { kind: "gpio", chip: CHIP, line: RELAY_LINE, activeLow: true, pulseMs: 1000 },
      policy: "known",
      offline: "known",
      passage: { chip: CHIP, line: PASSAGE_LINE, timeoutMs },
    },
    gpio: new Map([[CHIP, relay], [`${CHIP}:${PASSAGE_LINE}`, sensor]]),
    pass: async () => {
      const b = new Uint8Array(2 * GPIO_V2_LINE_EVENT_SIZE);
      for (const [k, id] of [[0, GPIO_V2_EVENT_FALLING], [1, GPIO_V2_EVENT_RISING]]) {
        seqno++;
        atMs += 300;
        writeLineEvent(b, k! * GPIO_V2_LINE_EVENT_SIZE, {
          timestampNs: BigInt(atMs) * 1_000_000n,
          id: id!,
          offset: PASSAGE_LINE,
          seqno,
          lineSeqno: seqno,
        });
      }
      await sensor.send(b);
    },
    open: () => relay.outputActive(RELAY_LINE) === true,
  };
}

/** One line for the demo's log of a decision. */
export function describeDecision(ev: GateEvent): string {
  const what = ev.granted
    ? "OPENS (relay energised, green, short beep)"
    : "stays shut (red, beeps)";
  return `  gate ${ev.gate}: ${what}, reason ${ev.reason}`;
}
