/**
 * `rc522` readers: the MFRC522 over SPI (spidev) or its UART, polled by the
 * driver's {@link Rc522Reader}. A card left on the reader is one scan; its
 * next tap after removal counts again. When the bus keeps failing (the UART
 * adapter unplugged, the chip unpowered), `run` rejects so the supervisor
 * reopens and re-initialises the chip.
 *
 * @module
 */

import { Rc522Reader } from "../../driver/rc522/reader.ts";
import type { Rc522ReaderConfig } from "../../driver/rc522/config.ts";
import type { SpiIoctl } from "../../driver/rc522/spi.ts";
import type { CaptureTap } from "../../driver/capture/tap.ts";
import type { BusLogger } from "./osdp_bus.ts";
import type { ReaderDriver, ReaderSink } from "./types.ts";

/** An `rc522` reader for the agent. */
export class Rc522ReaderDriver implements ReaderDriver {
  readonly #name: string;
  readonly #config: Rc522ReaderConfig;
  readonly #spi: SpiIoctl | undefined;
  readonly #log: BusLogger;
  #reader: Rc522Reader | undefined;
  #closed = false;
  #fail: ((err: Error) => void) | undefined;
  #stop: (() => void) | undefined;

  /** `spi` replaces the spidev ioctl layer (the demo's simulated chip). */
  constructor(name: string, config: Rc522ReaderConfig, log: BusLogger = () => {}, spi?: SpiIoctl) {
    this.#name = name;
    this.#config = config;
    this.#log = log;
    this.#spi = spi;
  }

  /** Opens the bus, initialises the chip and polls until closed; rejects when the bus fails. */
  async run(sink: ReaderSink): Promise<void> {
    if (this.#closed) return;
    const done = new Promise<void>((resolve, reject) => {
      this.#stop = resolve;
      this.#fail = reject;
    });
    const reader = await Rc522Reader.open(this.#config, {
      onCard: (e) => sink.onCard(this.#name, e.read),
      onError: (err) => {
        this.#log("warn", err.message, { reader: this.#name });
        if (/bus failing/.test(err.message)) this.#fail?.(err);
      },
      log: (level, message) => this.#log(level, message, { reader: this.#name }),
      spiIoctl: this.#spi,
    });
    this.#reader = reader;
    try {
      if (this.#closed) return;
      reader.start();
      sink.onOpen();
      await done;
    } finally {
      await reader.close();
    }
  }

  /** Stops polling, switches the field off and closes the bus. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop?.();
    await this.#reader?.close();
  }

  /** Copies every polling batch into `tap`, from the next tick on (null: stops). */
  setTap(_reader: string, tap: CaptureTap | null): boolean {
    if (!this.#reader) return false;
    this.#reader.captureTap = tap;
    return true;
  }

  /** Frame errors the scanner counted (CRC, BCC, ATQA, protocol). */
  decodeErrors(): number {
    const c = this.#reader?.counters;
    return c ? c.crcErrors + c.bccErrors + c.atqaErrors + c.protocolErrors : 0;
  }

  /** Chip version, bus and counters. */
  details(): Record<string, unknown> {
    const r = this.#reader;
    if (!r) return {};
    return {
      bus: r.transport.description,
      chip: r.chip,
      cardsPresent: r.cardsPresent,
      ...r.counters,
    };
  }
}
