/**
 * Feedback on a Wiegand reader through its LED and beeper wires, driven as
 * GPIO outputs on the reader's chip (`led` / `beep` in its config): a good
 * scan lights the LED (green on most readers) for a second with one short
 * beep; a refused one gives three short beeps and leaves the LED alone (red
 * on most readers). Each output is a pulsed {@link Relay}, so nothing stays on.
 *
 * @module
 */

import type { WiegandReaderConfig } from "../../driver/wiegand/config_types.ts";
import type { GpioIoctl } from "../../driver/wiegand/gpio_ffi.ts";
import { type GpioOutputIoctl, kernelGpioOutputIoctl } from "../../driver/wiegand/gpio_output.ts";
import { GpioGateOutput } from "../gates/outputs.ts";
import { realTimers, Relay, type Timers } from "../gates/relay.ts";

/** LED on-time of a good scan (ms). */
export const LED_OK_MS = 1000;
/** One beep (ms); beeps of a refusal are this far apart again. */
export const BEEP_MS = 100;

/** The LED and beeper of one Wiegand reader. */
export class WiegandFeedback {
  readonly #led: Relay | null;
  readonly #beep: Relay | null;
  readonly #timers: Timers;
  readonly #pending = new Set<unknown>();

  /** Outputs for `cfg.led` / `cfg.beep` on `cfg.chip` (through `gpio`, else the kernel). */
  constructor(
    cfg: WiegandReaderConfig,
    gpio: GpioIoctl | undefined,
    onError: (msg: string) => void,
    timers: Timers = realTimers,
  ) {
    const io: GpioOutputIoctl | undefined = gpio && "setValues" in gpio
      ? gpio as GpioOutputIoctl
      : gpio
      ? undefined
      : kernelGpioOutputIoctl;
    const relay = (l: WiegandReaderConfig["led"]) =>
      l && io
        ? new Relay(
          new GpioGateOutput({
            kind: "gpio",
            chip: cfg.chip,
            line: l.line,
            activeLow: l.activeLow,
            pulseMs: 0,
          }, io),
          timers,
          onError,
        )
        : null;
    this.#led = relay(cfg.led);
    this.#beep = relay(cfg.beep);
    this.#timers = timers;
  }

  /** True when the reader has an LED or beeper wired. */
  get wired(): boolean {
    return this.#led !== null || this.#beep !== null;
  }

  /** Releases both outputs. */
  start(): void {
    this.#led?.start();
    this.#beep?.start();
  }

  /** Shows a good (`ok`) or refused scan. */
  show(ok: boolean): void {
    if (ok) {
      this.#led?.open(LED_OK_MS);
      this.#beep?.open(BEEP_MS);
      return;
    }
    const beep = this.#beep;
    if (!beep) return;
    beep.open(BEEP_MS);
    for (const at of [2 * BEEP_MS, 4 * BEEP_MS]) {
      const id: unknown = this.#timers.set(() => {
        this.#pending.delete(id);
        beep.open(BEEP_MS);
      }, at);
      this.#pending.add(id);
    }
  }

  /** Releases the outputs and gives the lines back. */
  stop(): void {
    for (const id of this.#pending) this.#timers.clear(id);
    this.#pending.clear();
    this.#led?.stop();
    this.#beep?.stop();
  }
}
