/**
 * A Wiegand reader: GPIO edges → frames → card formats or keypad keys →
 * events for the agent (`card`, `key`, `pin`, `fault`, `error`), with
 * counters. Everything up to the decoded `CardRead` allocates nothing; each
 * emitted event is one small object (and the tag string).
 *
 * @example
 * ```ts
 * const config = WiegandReaderConfigSchema.parse({ chip: "/dev/gpiochip0", d0: 17, d1: 18 });
 * const reader = WiegandReader.open(config, (ev) => {
 *   if (ev.kind === "card") console.log(ev.tag, ev.format);
 * });
 * // … later
 * await reader.close();
 * ```
 *
 * @module
 */

import { CardRead } from "../card.ts";
import type { CaptureTap } from "../capture/tap.ts";
import type { WiegandEvent, WiegandLineReport, WiegandReaderStats } from "./events.ts";
import { formatTag, type TagFormat } from "../tag.ts";
import { AssemblerCounter, WIEGAND_FAULT_NAMES, WiegandAssembler } from "./assembler.ts";
import { formatSetFromConfig, type WiegandReaderConfig } from "./config_types.ts";
import {
  DECODE_STATUS_NAMES,
  DecodeStatus,
  decodeWiegandBits,
  type WiegandFormatSet,
} from "./decode.ts";
import { bitsToString } from "./encode.ts";
import { GPIO_V2_LINE_EVENT_SIZE, GpioEventParser, ParserCounter } from "./gpio_event.ts";
import { type GpioIoctl, type MonotonicClock, monotonicClock } from "./gpio_ffi.ts";
import { type GpioLines, openGpioLines } from "./gpio_lines.ts";
import { decodeKeypadBurst, keyLabel, KEYPAD_BAD_CHECK, PinEntry, PinStep } from "./keypad.ts";
import { WIEGAND_DROP_REASONS, WiegandDrop } from "./drops.ts";
import { MAX_WIEGAND_BITS } from "./formats.ts";
import {
  type LineHintOptions,
  WIEGAND_HINT_CODES,
  wiegandHintMessage,
  WiegandLineHints,
} from "./line_hints.ts";

/** Injected pieces (tests, simulators). */
export interface WiegandReaderDeps {
  /** Kernel GPIO layer (default: the real one). */
  ioctl?: GpioIoctl;
  /** Monotonic clock (default: `clock_gettime`). */
  clock?: MonotonicClock;
  /** Debug log for rejected frames (with the bits). */
  debug?: (message: string) => void;
  /** When line hints are raised and cleared (times on `clock`). */
  hints?: LineHintOptions;
}

/** How many of the last unknown bit counts {@link WiegandReader.stats} lists. */
export const LAST_UNKNOWN_LENGTHS = 5;

const FAULT_MESSAGES = [
  "Wiegand lines back to normal",
  "D0 and D1 low together: reader faulty, unpowered or miswired",
  "a Wiegand line is held low: reader disconnected, shorted or dead",
];

const C_CARDS = 0;
const C_PARITY = 1;
const C_UNKNOWN = 2;
const C_KEYS = 3;
const C_KEYPAD_ERR = 4;
const C_PINS = 5;

/** One Wiegand reader: feed it edges (or GPIO event bytes), get events. */
export class WiegandReader {
  /** The reused card read. */
  readonly read: CardRead = new CardRead();
  /**
   * The frame assembler (its counters are part of {@link stats}).
   * @internal
   */
  readonly assembler: WiegandAssembler;
  /**
   * The GPIO event parser.
   * @internal
   */
  readonly parser: GpioEventParser;
  /**
   * Capture hook: when set, every edge (with its kernel timestamp) is copied into it.
   * @internal
   */
  tap: CaptureTap | null = null;
  /** The formats frames are decoded with. */
  readonly formats: WiegandFormatSet;
  /**
   * Hints about a faulty line, fed by every drop (see {@link lineReport}).
   * @internal
   */
  readonly hints: WiegandLineHints;
  /** Drops by {@link WiegandDrop} reason (the assembler's array; decode reasons added here). */
  readonly drops: Float64Array;
  /** Frames of a bit count without a format, by bit count. */
  readonly unknownByLength: Float64Array = new Float64Array(MAX_WIEGAND_BITS + 1);
  readonly #lastUnknown = new Uint8Array(LAST_UNKNOWN_LENGTHS);
  #unknownSeen = 0;
  readonly #statsNow = new Int32Array(2);
  readonly #counters = new Float64Array(6);
  readonly #onEvent: (e: WiegandEvent) => void;
  readonly #tagFormat: TagFormat;
  readonly #keypad: WiegandReaderConfig["keypad"];
  readonly #pin: PinEntry;
  readonly #now = new Int32Array(2);
  readonly #clock: MonotonicClock;
  readonly #debug: ((m: string) => void) | undefined;
  readonly #config: WiegandReaderConfig;
  readonly #ioctl: GpioIoctl | undefined;
  #lastError = "";
  #lines: GpioLines | undefined;
  #loop: Promise<void> | undefined;
  #closing = false;
  #failure: unknown = undefined;

  /** A reader over `config` (parsed by `WiegandReaderConfigSchema`); call {@link start} or feed it. */
  constructor(
    config: WiegandReaderConfig,
    onEvent: (e: WiegandEvent) => void,
    deps: WiegandReaderDeps = {},
  ) {
    this.#onEvent = onEvent;
    this.#tagFormat = config.tagFormat;
    this.#keypad = config.keypad;
    this.#pin = new PinEntry(config.keypad);
    this.#clock = deps.clock ?? monotonicClock;
    this.#debug = deps.debug;
    this.formats = formatSetFromConfig(config);
    this.hints = new WiegandLineHints(deps.hints);
    this.assembler = new WiegandAssembler({
      frame: (bits, count) => this.#frame(bits, count),
      fault: (code) => this.#fault(code),
      dropped: (reason, bits, sec, nsec) => this.#hint(this.hints.drop(reason, bits, sec, nsec)),
    }, {
      pulseMinUs: config.pulseMinUs,
      pulseMaxUs: config.pulseMaxUs,
      spacingMinUs: config.spacingMinUs,
      spacingMaxUs: config.spacingMaxMs * 1000,
      frameGapUs: config.frameGapMs * 1000,
    });
    this.drops = this.assembler.drops;
    this.parser = new GpioEventParser(this, config.d0, config.d1);
    this.#config = config;
    this.#ioctl = deps.ioctl;
  }

  /**
   * Opens the GPIO lines and starts reading them (throws `GpioError` when the
   * chip or lines cannot be had).
   */
  static open(
    config: WiegandReaderConfig,
    onEvent: (e: WiegandEvent) => void,
    deps: WiegandReaderDeps = {},
  ): WiegandReader {
    const r = new WiegandReader(config, onEvent, deps);
    r.start();
    return r;
  }

  /** Requests the lines and starts the read loop (throws `GpioError`). */
  start(): void {
    if (this.#lines) return;
    this.#lines = openGpioLines({
      chip: this.#config.chip,
      d0: this.#config.d0,
      d1: this.#config.d1,
      bias: this.#config.bias,
      ioctl: this.#ioctl,
    });
    this.#loop = this.#run(this.#lines);
  }

  /** Resolves when the read loop has ended (after {@link close}, or after an `error` event). */
  get done(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  /**
   * Opens the lines and reads until {@link close} (resolves) or until the
   * lines fail (rejects with the `GpioError`, also emitted as an `error`
   * event) — the shape a supervisor that reopens failed devices wants.
   */
  async run(): Promise<void> {
    this.start();
    await this.#loop;
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #run(lines: GpioLines): Promise<void> {
    const buf = new Uint8Array(GPIO_V2_LINE_EVENT_SIZE * 64);
    const now = this.#now;
    try {
      while (!this.#closing) {
        const wait = this.assembler.needsTick || this.#pin.pending ? 5 : 500;
        // The clock is read before the read: when the read drains the queue, every edge
        // up to that time has been seen, so a tick at that time cannot cut a frame short
        // even if this process was stalled while edges queued up.
        this.#clock(now);
        const n = await lines.read(buf, wait);
        if (this.#closing) break;
        if (n > 0) this.parser.push(buf, n);
        if (n < buf.length) this.tick(now[0]!, now[1]!);
      }
    } catch (e) {
      if (!this.#closing) {
        this.#failure = e;
        this.#lastError = "gpio";
        this.#onEvent({ kind: "error", message: e instanceof Error ? e.message : String(e) });
      }
      await lines.close(); // release the lines now; close() later is a no-op for them
    }
  }

  /** Feeds GPIO event bytes (`gpio_v2_line_event` records). */
  feedEvents(bytes: Uint8Array, length: number = bytes.length): void {
    this.parser.push(bytes, length);
  }

  /** Feeds one edge (line 0 = D0, 1 = D1) at `sec` + `nsec`. */
  edge(line: number, rising: boolean, sec: number, nsec: number): void {
    const tap = this.tap;
    if (tap !== null) tap.edge(line, rising, sec, nsec);
    this.assembler.edge(line, rising, sec, nsec);
  }

  /** The clock moved to `sec` + `nsec`: ends frames and PINs whose time is up. */
  tick(sec: number, nsec: number): void {
    this.assembler.tick(sec, nsec);
    const step = this.#pin.tick(sec, nsec);
    if (step === PinStep.timedOut) this.#emitPin("timeout");
  }

  #frame(bits: Uint8Array, count: number): void {
    if ((count === 4 || count === 8) && this.#keypad.enabled) {
      this.#key(decodeKeypadBurst(bits, count), bits, count);
      return;
    }
    const read = this.read;
    const st = decodeWiegandBits(bits, count, read, this.formats);
    if (st === DecodeStatus.ok) {
      this.#counters[C_CARDS]!++;
      this.#onEvent({
        kind: "card",
        tag: formatTag(read, this.#tagFormat),
        read,
        format: read.format,
        facility: read.facility,
        card: read.card,
        bits: count,
      });
      return;
    }
    if (st === DecodeStatus.parity) {
      this.#counters[C_PARITY]!++;
      this.#lastError = "parity";
      this.#drop(WiegandDrop.parity, count);
    } else {
      this.#counters[C_UNKNOWN]!++;
      this.#lastError = "unknown-length";
      this.unknownByLength[count]!++;
      this.#lastUnknown[this.#unknownSeen % LAST_UNKNOWN_LENGTHS] = count;
      this.#unknownSeen++;
      this.#drop(WiegandDrop.unknownLength, count);
    }
    if (this.#debug) {
      this.#debug(
        `wiegand ${DECODE_STATUS_NAMES[st]} (${read.format || "no format"}): ${count} bits ${
          bitsToString(bits, count)
        }`,
      );
    }
  }

  #key(code: number, bits: Uint8Array, count: number): void {
    if (code === KEYPAD_BAD_CHECK) {
      this.#counters[C_KEYPAD_ERR]!++;
      this.#drop(WiegandDrop.keypadCheck, count);
      this.#lastError = "keypad-check";
      this.#debug?.(`wiegand keypad burst with a bad check nibble: ${bitsToString(bits, count)}`);
      return;
    }
    this.#counters[C_KEYS]!++;
    const end = this.assembler.frameEnd; // when the burst's last bit ended
    if (this.#keypad.emitKeys) {
      this.#onEvent({ kind: "key", key: keyLabel(code, this.#keypad), code });
    }
    // A PIN left idle past its timeout ends before this key joins a new one.
    if (this.#pin.tick(end[0]!, end[1]!) === PinStep.timedOut) this.#emitPin("timeout");
    const step = this.#pin.key(code, end[0]!, end[1]!);
    if (step === PinStep.entered) this.#emitPin("enter");
  }

  /** Counts a decode-level drop and tells the hints, at the frame's end. */
  #drop(reason: number, bits: number): void {
    this.drops[reason]!++;
    const end = this.assembler.frameEnd;
    this.#hint(this.hints.drop(reason, bits, end[0]!, end[1]!));
  }

  /** Emits a `hint` event when a drop raised one (`hint` ≥ 0). */
  #hint(hint: number): void {
    if (hint < 0) return;
    const bits = this.hints.bitsOf(hint);
    this.#onEvent({
      kind: "hint",
      code: WIEGAND_HINT_CODES[hint]!,
      message: wiegandHintMessage(hint, bits),
    });
  }

  #emitPin(reason: "enter" | "timeout"): void {
    this.#counters[C_PINS]!++;
    this.#onEvent({ kind: "pin", pin: this.#pin.take(), reason });
  }

  #fault(code: number): void {
    this.#onEvent({
      kind: "fault",
      fault: WIEGAND_FAULT_NAMES[code] ?? "none",
      message: FAULT_MESSAGES[code] ?? "",
    });
  }

  /** A snapshot of the counters. */
  stats(): WiegandReaderStats {
    const a = this.assembler.counters;
    const p = this.parser.counters;
    const c = this.#counters;
    return {
      frames: a[AssemblerCounter.frames]!,
      cards: c[C_CARDS]!,
      parityErrors: c[C_PARITY]!,
      unknownLengths: c[C_UNKNOWN]!,
      glitches: a[AssemblerCounter.glitches]!,
      faults: a[AssemblerCounter.faults]!,
      timingErrors: a[AssemblerCounter.timingErrors]!,
      overflows: a[AssemblerCounter.overflows]!,
      discarded: a[AssemblerCounter.discarded]!,
      keys: c[C_KEYS]!,
      keypadErrors: c[C_KEYPAD_ERR]!,
      pins: c[C_PINS]!,
      events: p[ParserCounter.events]!,
      unknownLines: p[ParserCounter.unknownLines]!,
      lostEvents: p[ParserCounter.lostEvents]!,
      lastError: this.#lastError,
      fault: WIEGAND_FAULT_NAMES[this.assembler.fault] ?? "none",
    };
  }

  /**
   * Drops by reason, unknown bit counts and the hints in force now (on the
   * reader's clock): what status shows about the line.
   */
  lineReport(): WiegandLineReport {
    const drops: Record<string, number> = {};
    WIEGAND_DROP_REASONS.forEach((name, i) => drops[name] = this.drops[i]!);
    const unknownLengths: Record<string, number> = {};
    this.unknownByLength.forEach((n, bits) => {
      if (n > 0) unknownLengths[String(bits)] = n;
    });
    const last: number[] = [];
    const seen = this.#unknownSeen;
    for (let i = 1; i <= LAST_UNKNOWN_LENGTHS && i <= seen; i++) {
      last.push(this.#lastUnknown[(seen - i) % LAST_UNKNOWN_LENGTHS]!);
    }
    const now = this.#statsNow;
    this.#clock(now);
    return {
      drops,
      unknownLengths,
      lastUnknownLengths: last,
      hints: this.hints.active(now[0]! * 1000 + now[1]! / 1e6),
    };
  }

  /** Stops reading and releases the lines (prompt, even while waiting for edges). */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#lines) await this.#lines.close();
    await this.#loop;
  }
}
