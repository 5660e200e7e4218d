/**
 * `osdp` readers: every reader on one RS-485 port shares one control panel
 * bus ({@link OsdpBus}), so the agent supervises the port as one device
 * hosting several reader names. Journaled scans light the reader green and
 * beep (osdp_LED, osdp_BUZ).
 *
 * @module
 */

import type { CaptureTap } from "../../driver/capture/tap.ts";
import { sessionEvent } from "../../driver/capture/osdp_keys.ts";
import { SerialPort } from "../../driver/serial/port.ts";
import { OsdpBus } from "../../driver/osdp/bus.ts";
import type { OsdpLineConfig } from "../../driver/osdp/config.ts";
import type { OsdpReaderStatus } from "../../driver/osdp/status.ts";
import type { ReaderDriver, ReaderHealth, ReaderSink, ScanFeedback } from "./types.ts";
import { OsdpKeyFile } from "./osdp_keys.ts";
import { OsdpCmd } from "../../driver/osdp/constants.ts";
import { outputCommand } from "../../driver/osdp/output.ts";

/**
 * What status says about one OSDP reader: degraded when refused, offline or
 * running in clear after its key failed; a warning when not answering or on
 * the public default key.
 */
export function osdpReaderHealth(s: OsdpReaderStatus): ReaderHealth {
  const err = s.lastError ?? undefined;
  if (s.phase === "refused") {
    return { degraded: `refused: ${s.refusal ?? err ?? "?"}`, lastError: err };
  }
  if (s.phase === "offline") return { degraded: `offline: ${err ?? "no reply"}`, lastError: err };
  if (s.online && s.secureChannel === "failed") {
    return {
      degraded: `secure channel failed: ${shortReason(s.secureChannelError)}; running unencrypted`,
      lastError: err,
    };
  }
  if (!s.answering) {
    return {
      warning: `not answering (${Math.round(s.lastReplyAgoMs)} ms without a reply)`,
      lastError: err,
    };
  }
  if (s.online && s.secureChannel === "default-key") {
    return { warning: "secure channel on the public default key SCBK-D", lastError: err };
  }
  return { lastError: err };
}

function shortReason(e: string | null): string {
  if (!e) return "?";
  return e.startsWith("key mismatch") || /NAK 5/.test(e) ? "key mismatch" : e;
}

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
  #port: SerialPort | undefined;
  #closed = false;

  /** Drives `line`; bus events go to `log`. */
  readonly #keyDir: string | undefined;

  /** Drives `line`; bus events go to `log`; installed keys live in `keyDir/osdp-keys.json`. */
  constructor(line: OsdpLineConfig, log: BusLogger = () => {}, keyDir?: string) {
    this.#line = line;
    this.#log = log;
    this.#keyDir = keyDir;
  }

  /** The port's readers report "online" themselves, once each answers. */
  readonly reportsOnline = true;

  /** Opens the port and polls the readers until closed; rejects when the port fails. */
  async run(sink: ReaderSink): Promise<void> {
    if (this.#closed) return;
    const keys = this.#keyDir === undefined
      ? undefined
      : (await OsdpKeyFile.open(this.#keyDir, this.#log)).forPort(this.#line.port);
    // The port is opened here (not by OsdpBus.open) so a capture can tap it.
    const port = await SerialPort.open(this.#line.port, {
      baudRate: this.#line.baudRate,
      rs485: this.#line.rs485,
      onWarning: (m) => this.#log("warn", m, { port: this.#line.port }),
    });
    this.#port = port;
    const bus = new OsdpBus(port, {
      keyStore: keys,
      readers: this.#line.readers,
      timing: this.#line.timing,
      onCard: (ev) => sink.onCard(ev.reader, ev.read),
      onKeypad: (ev) => sink.onPin?.(ev.reader, ev.keys),
      onReaderOnline: (reader) => sink.onReaderOnline?.(reader),
      logger: (level, msg, fields) => this.#log(level, msg, fields),
    });
    this.#bus = bus;
    bus.start();
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

  /**
   * Copies every chunk read and written on the line into `tap` (null: stops),
   * with the keys of each Secure Channel session on the line, running now or
   * opened while tapped (meta events; never an SCBK), so a replay can read it.
   */
  setTap(_reader: string, tap: CaptureTap | null): boolean {
    if (!this.#port || this.#port.closed) return false;
    const bus = this.#bus;
    if (bus) {
      if (tap) {
        for (const s of bus.sessionKeys()) tap.meta(sessionEvent(s.address, s.keys));
        bus.onSessionKeys = (address, keys) => tap.meta(sessionEvent(address, keys));
      } else bus.onSessionKeys = null;
    }
    this.#port.tap = tap;
    return true;
  }

  #status(reader: string) {
    const bus = this.#bus;
    const address = bus?.addressOf(reader);
    return bus && address !== undefined ? bus.readerStatus(address) : undefined;
  }

  /** Whether the reader itself answers polls (the port may be open while a reader is silent). */
  state(reader: string): "online" | "offline" | "connecting" | "refused" | "not-answering" {
    const s = this.#status(reader);
    if (!s) return "connecting";
    if (s.phase === "offline" || s.phase === "refused") return s.phase;
    if (!s.answering) return "not-answering";
    return s.online ? "online" : "connecting";
  }

  /** Degraded reasons and warnings of the reader (not of its port). */
  health(reader: string): ReaderHealth {
    const s = this.#status(reader);
    return s ? osdpReaderHealth(s) : {};
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
