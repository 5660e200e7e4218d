/**
 * A gate's relay on a GPIO output line ({@link GateOutput}): requested at the
 * first `set` (the relay's release at start), reopened after a failure.
 *
 * @module
 */

import {
  type GpioOutputIoctl,
  type GpioOutputLine,
  openGpioOutput,
} from "../../driver/wiegand/gpio_output.ts";
import type { GateGpioOutput } from "./config.ts";
import type { GateOutput } from "./relay.ts";

/** A GPIO relay line. */
export class GpioGateOutput implements GateOutput {
  readonly #cfg: GateGpioOutput;
  readonly #io: GpioOutputIoctl | undefined;
  #line: GpioOutputLine | null = null;

  /** The line of `cfg`, through `io` (default: the kernel). */
  constructor(cfg: GateGpioOutput, io: GpioOutputIoctl | undefined) {
    this.#cfg = cfg;
    this.#io = io;
  }

  /** Drives the line (opening it first if needed); throws a `GpioError` on failure. */
  set(active: boolean): void {
    this.#line ??= openGpioOutput({
      chip: this.#cfg.chip,
      line: this.#cfg.line,
      activeLow: this.#cfg.activeLow,
      ioctl: this.#io,
    });
    try {
      this.#line.set(active);
    } catch (err) {
      this.#line.close();
      this.#line = null;
      throw err;
    }
  }

  /** Releases the line. */
  close(): void {
    this.#line?.close();
    this.#line = null;
  }
}
