/**
 * The RC522 reader the agent uses: opens the bus from config, resets and
 * initialises the chip, polls at an interval, and calls back once per card
 * tap (and once per removal). Over SPI the tick is synchronous and allocates
 * nothing except the event built for each new card (its tag string).
 *
 * @example
 * ```ts ignore
 * import { Rc522Reader } from "@pontaj/pontaj/driver";
 * import { Rc522ReaderConfigSchema } from "./config.ts";
 * const config = Rc522ReaderConfigSchema.parse({ spi: { device: "/dev/spidev0.0" } });
 * const reader = await Rc522Reader.open(config, { onCard: (e) => console.log(e.tag, e.cardTypeName) });
 * reader.start();
 * // …
 * await reader.close();
 * ```
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import type { CaptureTap } from "../capture/tap.ts";
import { formatTag } from "../tag.ts";
import type { Rc522ReaderConfig } from "./config.ts";
import { CARD_TYPE_NAMES, type CardType } from "./iso14443a.ts";
import { type ChipInfo, initChip, readVersion, setAntenna, softReset } from "./pcd.ts";
import { POLL_WAIT, Rc522Poller } from "./poller.ts";
import { InitValues, TModeReg, TReloadRegL, TxControlReg } from "./registers.ts";
import type { Rc522CardInfo, Rc522Counters } from "./results.ts";
import { SpidevTransport, type SpiIoctl } from "./spi.ts";
import { type Rc522Transport, RegisterAccess } from "./transport.ts";
import { UartTransport } from "./uart.ts";

/** A card tap. */
export interface Rc522CardEvent {
  /** The rfidTag, formatted with the reader's `tagFormat`. */
  tag: string;
  /** UID, uppercase hex. */
  uid: string;
  /** UID size in bytes (4, 7, 10). */
  uidSize: number;
  /** Final SAK. */
  sak: number;
  /** ATQA (first byte in bits 0–7), -1 when several cards answered at once. */
  atqa: number;
  /** Card type the SAK names. */
  cardType: CardType;
  /** Human name of {@link cardType}. */
  cardTypeName: string;
  /** The decoder's read (reused: valid during the callback only). */
  read: CardRead;
}

/** A card that left the field. */
export interface Rc522RemovedEvent {
  /** The rfidTag it was reported with. */
  tag: string;
  /** UID, uppercase hex. */
  uid: string;
}

/** Callbacks and injections for {@link Rc522Reader.open}. */
export interface Rc522ReaderOptions {
  /** Called once per new card in the field. */
  onCard: (event: Rc522CardEvent) => void;
  /** Called once per card that left the field. */
  onRemoved?: (event: Rc522RemovedEvent) => void;
  /** Called on reader trouble (bus failures, a callback that threw, re-init). */
  onError?: (error: Error) => void;
  /** Log lines (speed switch, chip version, re-init). */
  log?: (level: "debug" | "info" | "warn" | "error", message: string) => void;
  /** The spidev ioctl layer (default: libc); tests pass the simulator's fake. */
  spiIoctl?: SpiIoctl;
}

/** Counters of a reader (a snapshot). */
export interface Rc522ReaderCounters extends Rc522Counters {
  /** Bus transfers (SPI ioctls or UART round trips). */
  transfers: number;
  /** Transport batches that failed. */
  transportErrors: number;
  /** Status polls that found the chip busy. */
  busyPolls: number;
  /** Times the chip was found reset and initialised again. */
  reinits: number;
  /** Callbacks that threw. */
  callbackErrors: number;
}

const HEALTH_EVERY_TICKS = 50;
const WAIT_MS = 1;

function hexUid(read: CardRead): string {
  return formatTag(read, "hex");
}

/** An open RC522 reader. */
export class Rc522Reader {
  /** The config it was opened with. */
  readonly config: Rc522ReaderConfig;
  /** The chip found. */
  readonly chip: ChipInfo;
  /**
   * The bus.
   * @internal
   */
  readonly transport: Rc522Transport;
  /** UART rate in force (0 over SPI). */
  readonly baudRate: number;
  readonly #poller: Rc522Poller;
  readonly #io: RegisterAccess;
  readonly #options: Rc522ReaderOptions;
  #running = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inflight: Promise<void> | null = null;
  #ticksSinceHealth = 0;
  #badTicks = 0;
  #reported = false;
  #reinits = 0;
  #callbackErrors = 0;

  private constructor(
    config: Rc522ReaderConfig,
    transport: Rc522Transport,
    io: RegisterAccess,
    chip: ChipInfo,
    baudRate: number,
    options: Rc522ReaderOptions,
  ) {
    this.config = config;
    this.transport = transport;
    this.#io = io;
    this.chip = chip;
    this.baudRate = baudRate;
    this.#options = options;
    this.#poller = new Rc522Poller(transport, { absentTicks: config.absentTicks });
    this.#poller.onCard = (read, info) => this.#card(read, info);
    this.#poller.onRemoved = (read) => this.#removed(read);
  }

  /**
   * The capture tap every polling batch is copied into, from the next tick on (null: none).
   * @internal
   */
  set captureTap(tap: CaptureTap | null) {
    this.#poller.tap = tap;
  }

  /**
   * Opens the bus, soft-resets and initialises the chip (and, over UART,
   * switches to `uart.baudRate` safely). Throws {@link Rc522Error} with a
   * clear message (no chip, wiring, permissions); the bus is closed then.
   */
  static async open(config: Rc522ReaderConfig, options: Rc522ReaderOptions): Promise<Rc522Reader> {
    const transport: Rc522Transport = config.spi
      ? SpidevTransport.open(config.spi.device, {
        speedHz: config.spi.speedHz,
        ioctl: options.spiIoctl,
      })
      : await UartTransport.open(config.uart!.port);
    try {
      const io = new RegisterAccess(transport);
      await softReset(io);
      const chip = await readVersion(io);
      options.log?.(chip.known ? "info" : "warn", `rc522 ${transport.description}: ${chip.name}`);
      await initChip(io, { gain: config.gain });
      let baudRate = 0;
      if (transport instanceof UartTransport) {
        const r = await transport.switchSpeed(config.uart!.baudRate);
        options.log?.(r.switched ? "info" : "warn", `rc522 ${transport.description}: ${r.message}`);
        baudRate = r.baudRate;
      }
      return new Rc522Reader(config, transport, io, chip, baudRate, options);
    } catch (err) {
      await transport.close();
      throw err;
    }
  }

  /** Counters (a fresh snapshot). */
  get counters(): Rc522ReaderCounters {
    return {
      ...this.#poller.counters,
      transfers: this.transport.stats.transfers,
      transportErrors: this.transport.stats.errors,
      busyPolls: this.#poller.scanner.x.busyPolls,
      reinits: this.#reinits,
      callbackErrors: this.#callbackErrors,
    };
  }

  /** Cards currently known to be in the field. */
  get cardsPresent(): number {
    return this.#poller.scanner.present;
  }

  #card(read: CardRead, info: Rc522CardInfo): void {
    try {
      this.#options.onCard({
        tag: formatTag(read, this.config.tagFormat),
        uid: hexUid(read),
        uidSize: info.uidSize,
        sak: info.sak,
        atqa: info.atqa,
        cardType: info.cardType,
        cardTypeName: CARD_TYPE_NAMES[info.cardType],
        read,
      });
    } catch (err) {
      this.#callbackErrors++;
      this.#options.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #removed(read: CardRead): void {
    if (!this.#options.onRemoved) return;
    try {
      this.#options.onRemoved({ tag: formatTag(read, this.config.tagFormat), uid: hexUid(read) });
    } catch (err) {
      this.#callbackErrors++;
      this.#options.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Starts polling every `pollIntervalMs`. */
  start(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#running && this.#timer === undefined) this.#timer = setTimeout(this.#tick, ms);
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    if (!this.#running || this.#inflight) return;
    const scanner = this.#poller.scanner;
    if (!scanner.busy && ++this.#ticksSinceHealth >= HEALTH_EVERY_TICKS && this.#badTicks === 0) {
      this.#ticksSinceHealth = 0;
      this.#track(this.#health(), 0);
      return;
    }
    const c = this.#poller.counters;
    const busBefore = c.busErrors;
    const stuckBefore = c.hostTimeouts;
    if (this.transport.synchronous) {
      const r = this.#poller.pollSync();
      this.#afterTick(r, busBefore, stuckBefore);
    } else {
      this.#track(
        this.#poller.pollAsync().then((r) => this.#afterTick(r, busBefore, stuckBefore)),
        -1,
      );
    }
  };

  #track(p: Promise<void>, nextMs: number): void {
    this.#inflight = p.catch((err) => {
      this.#options.onError?.(err instanceof Error ? err : new Error(String(err)));
    }).finally(() => {
      this.#inflight = null;
      if (nextMs >= 0) this.#schedule(nextMs);
    });
  }

  #afterTick(r: number, busBefore: number, stuckBefore: number): void {
    // The chip's timer never fired: it may have been reset (brown-out). Check it next.
    if (this.#poller.counters.hostTimeouts !== stuckBefore) {
      this.#ticksSinceHealth = HEALTH_EVERY_TICKS;
    }
    if (r === POLL_WAIT) {
      this.#schedule(WAIT_MS);
      return;
    }
    if (this.#poller.counters.busErrors !== busBefore) {
      if (++this.#badTicks === 5 && !this.#reported) {
        this.#reported = true;
        this.#options.onError?.(
          new Error(`rc522 ${this.transport.description}: bus failing (${this.#lastBusError()})`),
        );
      }
      const interval = this.config.pollIntervalMs;
      this.#schedule(this.#reported ? Math.max(interval, 1000) : interval);
      return;
    }
    if (this.#reported) {
      this.#options.log?.("info", `rc522 ${this.transport.description}: bus working again`);
    }
    this.#badTicks = 0;
    this.#reported = false;
    this.#schedule(this.config.pollIntervalMs);
  }

  #lastBusError(): string {
    const s = this.transport.stats;
    return `${s.errors} failed batches, last status ${s.lastError}`;
  }

  /** Checks the chip still holds its init (a brown-out resets it silently); re-inits if not. */
  async #health(): Promise<void> {
    const [tMode, tLo, tx] = await this.#io.readMany([TModeReg, TReloadRegL, TxControlReg]);
    if (tMode === InitValues.TMode && tLo === (InitValues.TReload & 0xff) && (tx! & 3) === 3) {
      return;
    }
    this.#reinits++;
    this.#options.log?.(
      "warn",
      `rc522 ${this.transport.description}: chip lost its settings; re-initialising`,
    );
    await softReset(this.#io);
    await initChip(this.#io, { gain: this.config.gain });
    this.#poller.scanner.forget();
  }

  /**
   * Runs one whole tick now (waiting while the chip is busy) and resolves
   * when it is over. For tests and tools; do not mix with {@link start}.
   */
  async pollOnce(): Promise<void> {
    for (;;) {
      const r = this.transport.synchronous
        ? this.#poller.pollSync()
        : await this.#poller.pollAsync();
      if (r !== POLL_WAIT) return;
      await new Promise((res) => setTimeout(res, WAIT_MS));
    }
  }

  /** Stops polling, switches the field off (best effort) and closes the bus. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#inflight) await this.#inflight;
    try {
      await setAntenna(this.#io, false);
    } catch {
      // the bus may be gone; closing anyway
    }
    await this.transport.close();
  }
}
