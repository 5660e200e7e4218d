/**
 * `osdp` readers: every reader on one RS-485 port shares one control panel
 * bus ({@link OsdpBus}), so the agent supervises the port as one device
 * hosting several reader names. Journaled scans light the reader green and
 * beep (osdp_LED, osdp_BUZ).
 *
 * @module
 */

import { OsdpBus, type OsdpLineConfig } from "../../driver/osdp/mod.ts";
import { OsdpCmd } from "../../driver/osdp/constants.ts";
import { outputCommand } from "../../driver/osdp/output.ts";
import type { ReaderDriver, ReaderSink, ScanFeedback } from "./types.ts";

/** Log sink for bus events (keys are never logged by the bus). */
export type BusLogger = (
  level: "debug" | "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** One OSDP line (a serial port) with its readers. */
export class OsdpBusDriver implements ReaderDriver {
  readonly #line: OsdpLineConfig;
  readonly #log: BusLogger;
  #bus: OsdpBus | undefined;
  #closed = false;

  /** Drives `line`; bus events go to `log`. */
  constructor(line: OsdpLineConfig, log: BusLogger = () => {}) {
    this.#line = line;
    this.#log = log;
  }

  /** Opens the port and polls the readers until closed; rejects when the port fails. */
  async run(sink: ReaderSink): Promise<void> {
    if (this.#closed) return;
    const bus = await OsdpBus.open(this.#line.port, {
      baudRate: this.#line.baudRate,
      rs485: this.#line.rs485,
      readers: this.#line.readers,
      timing: this.#line.timing,
      reopen: false,
      onCard: (ev) => sink.onCard(ev.reader, ev.read),
      onKeypad: (ev) => sink.onPin?.(ev.reader, ev.keys),
      logger: (level, msg, fields) => this.#log(level, msg, fields),
    });
    this.#bus = bus;
    if (this.#closed) {
      await bus.close();
      return;
    }
    sink.onOpen();
    await bus.finished;
  }

  /** Stops polling and closes the port. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#bus?.close();
  }

  #status(reader: string) {
    const bus = this.#bus;
    const address = bus?.addressOf(reader);
    return bus && address !== undefined ? bus.readerStatus(address) : undefined;
  }

  /** Whether the reader itself answers polls (the port may be open while a reader is silent). */
  state(reader: string): "online" | "offline" | "connecting" {
    const s = this.#status(reader);
    if (!s) return "connecting";
    return s.online ? "online" : s.phase === "connecting" ? "connecting" : "offline";
  }

  /** Card data errors of the reader plus the line's check errors. */
  decodeErrors(reader: string): number {
    const s = this.#status(reader);
    return (s?.counters.cardErrors ?? 0) + (this.#bus?.counters.checkErrors ?? 0);
  }

  /** The reader's OSDP status: phase, Secure Channel, tamper, power, counters. */
  details(reader: string): Record<string, unknown> {
    const s = this.#status(reader);
    return s ? { port: this.#line.port, ...s } : { port: this.#line.port };
  }

  /** osdp_OUT to the reader: timed on for `pulseMs` (the reader ends it), or off now. */
  output(reader: string, output: number, on: boolean, pulseMs: number): boolean {
    const address = this.#bus?.addressOf(reader);
    if (address === undefined || this.state(reader) !== "online") return false;
    return this.#bus!.command(address, OsdpCmd.OUT, outputCommand(output, on, pulseMs));
  }

  /** Green LED and a short beep once a scan is journaled or a gate grants it (the rejected pattern otherwise). */
  feedback(reader: string, result: ScanFeedback): void {
    const address = this.#bus?.addressOf(reader);
    if (address !== undefined) {
      const ok = result === "journaled" || result === "granted";
      this.#bus!.feedback(address, ok ? "ok" : "rejected");
    }
  }
}
