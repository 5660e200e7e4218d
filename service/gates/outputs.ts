/**
 * A gate's relay ({@link GateOutput}): a GPIO output line, requested at the
 * first `set` (the relay's release at start) and reopened after a failure; or
 * an OSDP reader's own output through `osdp_OUT`, timed by the reader.
 *
 * @module
 */

import {
  type GpioOutputIoctl,
  type GpioOutputLine,
  openGpioOutput,
} from "../../driver/wiegand/gpio_output.ts";
import type { GateGpioOutput, GateOsdpOutput } from "./config.ts";
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

/** Drives a reader's output: `(reader, output, on, pulseMs)`, false when it cannot now. */
export type ReaderOutput = (
  reader: string,
  output: number,
  on: boolean,
  pulseMs: number,
) => boolean;

/** An OSDP reader's output (osdp_OUT: timed on, or off). */
export class OsdpGateOutput implements GateOutput {
  readonly #cfg: GateOsdpOutput;
  readonly #send: ReaderOutput;

  /** The output of `cfg`, driven through `send`. */
  constructor(cfg: GateOsdpOutput, send: ReaderOutput) {
    this.#cfg = cfg;
    this.#send = send;
  }

  /** Queues osdp_OUT; throws when the reader is not online. */
  set(active: boolean, pulseMs: number): void {
    if (!this.#send(this.#cfg.reader, this.#cfg.output, active, pulseMs)) {
      throw new Error(`osdp reader '${this.#cfg.reader}' is not online`);
    }
  }

  /** Nothing to release (the reader keeps its own timer). */
  close(): void {}
}
