/**
 * `wiegand` readers: D0/D1 on two GPIO lines, through the driver's
 * {@link WiegandReader}. PIN entries from a keypad are reported to the sink
 * (status), not journaled as scans. Dropped frames are counted by reason and
 * repeating faults raise plain hints (both shown in status).
 *
 * @module
 */

import type { CaptureTap } from "../../driver/capture/tap.ts";
import type { GpioIoctl, MonotonicClock } from "../../driver/wiegand/gpio_ffi.ts";
import { WiegandReader } from "../../driver/wiegand/reader.ts";
import type { WiegandReaderConfig } from "../../driver/wiegand/config_types.ts";
import type { ReaderDriver, ReaderLineReport, ReaderSink, ScanFeedback } from "./types.ts";
import { WiegandFeedback } from "./wiegand_feedback.ts";
import { type Logger, logsAt } from "../log.ts";
import type { BusLogger } from "./osdp_bus.ts";

/** A `wiegand` reader for the agent. */
export class WiegandReaderDriver implements ReaderDriver {
  readonly #name: string;
  readonly #config: WiegandReaderConfig;
  readonly #gpio: GpioIoctl | undefined;
  readonly #clock: MonotonicClock | undefined;
  readonly #log: BusLogger;
  #reader: WiegandReader | undefined;
  #feedback: WiegandFeedback | undefined;
  #closed = false;

  /**
   * `gpio` replaces the kernel layer (the demo's simulated chip), `clock` the
   * monotonic clock; each dropped frame's bits go to `log` at debug level.
   */
  constructor(
    name: string,
    config: WiegandReaderConfig,
    gpio?: GpioIoctl,
    clock?: MonotonicClock,
    log: BusLogger = () => {},
  ) {
    this.#name = name;
    this.#config = config;
    this.#gpio = gpio;
    this.#clock = clock;
    this.#log = log;
  }

  /** Requests the lines and reads edges until closed; rejects with a GpioError on failure. */
  async run(sink: ReaderSink): Promise<void> {
    if (this.#closed) return;
    const name = this.#name;
    const reader = new WiegandReader(this.#config, (e) => {
      if (e.kind === "card") sink.onCard(name, e.read);
      else if (e.kind === "pin") sink.onPin?.(name, e.pin);
      else if (e.kind === "hint") {
        this.#log("warn", "wiegand line fault repeats", {
          reader: name,
          hint: e.code,
          what: e.message,
        });
      }
    }, { ioctl: this.#gpio, clock: this.#clock, debug: this.#debugLog(name) });
    this.#reader = reader;
    if (this.#config.led || this.#config.beep) {
      this.#feedback?.stop();
      this.#feedback = new WiegandFeedback(
        this.#config,
        this.#gpio,
        (msg) => this.#log("warn", `wiegand feedback: ${msg}`, { reader: name }),
      );
      this.#feedback.start();
    }
    reader.start();
    sink.onOpen();
    await reader.run();
  }

  /** A debug sink for dropped frames, only when the log writes debug lines. */
  #debugLog(reader: string): ((message: string) => void) | undefined {
    const log = this.#log;
    if (!logsAt(log as Logger, "debug")) return undefined;
    return (message) => log("debug", message, { reader });
  }

  /** LED (green, 1 s) and one beep for a good scan; three beeps for a refused one (when wired). */
  feedback(_reader: string, result: ScanFeedback): void {
    this.#feedback?.show(result === "journaled" || result === "granted");
  }

  /** Releases the lines. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#feedback?.stop();
    this.#feedback = undefined;
    await this.#reader?.close();
  }

  /** Copies every edge into `tap` (null: stops). */
  setTap(_reader: string, tap: CaptureTap | null): boolean {
    if (!this.#reader) return false;
    this.#reader.tap = tap;
    return true;
  }

  /** Parity errors, unknown lengths, keypad errors and discarded frames. */
  decodeErrors(): number {
    const s = this.#reader?.stats();
    return s ? s.parityErrors + s.unknownLengths + s.keypadErrors + s.discarded : 0;
  }

  /** The reader's counters and line fault. */
  details(): Record<string, unknown> {
    return {
      chip: this.#config.chip,
      d0: this.#config.d0,
      d1: this.#config.d1,
      ...this.#reader?.stats(),
    };
  }

  /** Drops by reason, unknown bit counts and the hints in force. */
  lineReport(): ReaderLineReport | undefined {
    return this.#reader?.lineReport();
  }
}
