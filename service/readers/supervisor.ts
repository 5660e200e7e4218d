/**
 * Runs one reader device on its own: opens it, and when opening fails or the
 * device goes away, reopens it with capped exponential backoff. One broken
 * reader never stops the others or the sync.
 *
 * @module
 */

import type { CardRead } from "../../driver/card.ts";
import type { ReaderDriver, ReaderSink } from "./types.ts";

/** Supervisor state, shown in status. */
export type SupervisorState = "connecting" | "online" | "offline" | "stopped";

/** Backoff between reopen attempts. */
export interface ReconnectPolicy {
  /** First delay (ms). Default 500. */
  baseMs: number;
  /** Largest delay (ms). Default 30000. */
  capMs: number;
}

/** Keeps one device running. */
export class ReaderSupervisor {
  /** Reader names this device hosts. */
  readonly names: string[];
  /** Where the device is. */
  state: SupervisorState = "connecting";
  /** Last failure message, or null. */
  lastError: string | null = null;
  /** Times the device was reopened after a failure. */
  reconnects = 0;
  readonly #create: () => ReaderDriver;
  readonly #onCard: (reader: string, read: CardRead) => void;
  readonly #policy: ReconnectPolicy;
  readonly #log: (level: "info" | "warn", msg: string, fields: Record<string, unknown>) => void;
  #driver: ReaderDriver | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  readonly #openWatchers = new Set<(driver: ReaderDriver) => void>();

  /** Supervises the device `create` makes. */
  constructor(opts: {
    names: string[];
    create: () => ReaderDriver;
    onCard: (reader: string, read: CardRead) => void;
    policy?: Partial<ReconnectPolicy>;
    log?: (level: "info" | "warn", msg: string, fields: Record<string, unknown>) => void;
  }) {
    this.names = opts.names;
    this.#create = opts.create;
    this.#onCard = opts.onCard;
    this.#policy = { baseMs: 500, capMs: 30_000, ...opts.policy };
    this.#log = opts.log ?? (() => {});
  }

  /** The running driver (for decode counters and feedback), if any. */
  get driver(): ReaderDriver | undefined {
    return this.#driver;
  }

  /**
   * Calls `fn` with each driver that opens from now on (a device reopened
   * after an I/O error or an unplug included), e.g. so a running capture taps
   * the new device. Returns the function that stops the calls.
   */
  watchOpen(fn: (driver: ReaderDriver) => void): () => void {
    this.#openWatchers.add(fn);
    return () => this.#openWatchers.delete(fn);
  }

  /** Starts the supervision loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      this.state = "connecting";
      const driver = this.#create();
      this.#driver = driver;
      const sink: ReaderSink = {
        onOpen: () => {
          this.state = "online";
          failures = 0;
          if (driver.reportsOnline) this.#log("info", "reader port open", { readers: this.names });
          else this.#log("info", "reader online", { readers: this.names });
          for (const fn of this.#openWatchers) fn(driver);
        },
        onCard: (reader, read) => this.#onCard(reader, read),
        onReaderOnline: (reader) => this.#log("info", "reader online", { readers: [reader] }),
      };
      try {
        await driver.run(sink);
        if (this.#stopped) break;
        this.lastError = "reader stopped unexpectedly";
      } catch (err) {
        if (this.#stopped) break;
        this.lastError = err instanceof Error ? err.message : String(err);
      }
      await driver.close().catch(() => {});
      this.state = "offline";
      this.reconnects++;
      failures++;
      const delay = Math.min(
        this.#policy.capMs,
        this.#policy.baseMs * 2 ** Math.min(failures - 1, 20),
      );
      this.#log("warn", "reader offline; reopening", {
        readers: this.names,
        error: this.lastError,
        retryInMs: delay,
      });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    this.state = "stopped";
  }

  /** Stops the loop and closes the device. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#driver?.close().catch(() => {});
    await this.#loop;
    this.state = "stopped";
  }
}
