/**
 * The relay of a gate: energised for `pulseMs` per open, never stuck. An open
 * that arrives mid-pulse extends the pulse (the release timer restarts); the
 * release always has a timer behind it; a failed release is retried until it
 * works; start and stop de-energise. The output itself is a
 * {@link GateOutput}: a GPIO line, or an OSDP reader's output (osdp_OUT,
 * which also times itself out on the reader).
 *
 * Timers are injected so the tests drive the clock.
 *
 * @module
 */

/** What a relay drives. */
export interface GateOutput {
  /**
   * Energises (`active`, for about `pulseMs`: outputs that time themselves may
   * use it) or releases. Throws when the device refuses.
   */
  set(active: boolean, pulseMs: number): void;
  /** Releases the device (after a final `set(false)`). */
  close(): void;
}

/** Timer calls (the real ones by default; tests pass a manual clock). */
export interface Timers {
  /** Calls `fn` after `ms`; returns an id. */
  set(fn: () => void, ms: number): unknown;
  /** Cancels a timer. */
  clear(id: unknown): void;
}

/** `setTimeout` / `clearTimeout`. */
export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/** Retry interval of a failed release (ms). */
export const RELEASE_RETRY_MS = 250;

/** Counters of a relay. */
export interface RelayCounters {
  /** Pulses started (the relay went from released to energised). */
  pulses: number;
  /** Opens that extended a running pulse. */
  extended: number;
  /** Device calls that failed. */
  errors: number;
}

/** A pulsed relay over a {@link GateOutput}. */
export class Relay {
  /** Counters. */
  readonly counters: RelayCounters = { pulses: 0, extended: 0, errors: 0 };
  /** The last device error, or null once a device call works again. */
  lastError: string | null = null;
  readonly #out: GateOutput;
  readonly #timers: Timers;
  readonly #onError: (msg: string) => void;
  #energised = false;
  #timer: unknown;
  #closed = false;
  readonly #release = (): void => this.#doRelease();

  /** A relay on `out`; device errors go to `onError` (and the counters). */
  constructor(
    out: GateOutput,
    timers: Timers = realTimers,
    onError: (msg: string) => void = () => {},
  ) {
    this.#out = out;
    this.#timers = timers;
    this.#onError = onError;
  }

  /** True while energised (as last commanded). */
  get energised(): boolean {
    return this.#energised;
  }

  /** De-energises, whatever state the device was left in (retried until it works). */
  start(): void {
    if (!this.#try(false, 0) && this.#timer === undefined) {
      this.#timer = this.#timers.set(this.#release, RELEASE_RETRY_MS);
    }
  }

  /** Energises for `pulseMs` from now (extends a running pulse). Returns false if the device refused. */
  open(pulseMs: number): boolean {
    if (this.#closed) return false;
    if (this.#energised) this.counters.extended++;
    else this.counters.pulses++;
    this.#energised = true;
    const ok = this.#try(true, pulseMs);
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = this.#timers.set(this.#release, pulseMs);
    return ok;
  }

  #doRelease(): void {
    this.#timer = undefined;
    if (this.#try(false, 0)) {
      this.#energised = false;
    } else if (!this.#closed) {
      this.#timer = this.#timers.set(this.#release, RELEASE_RETRY_MS);
    }
  }

  #try(active: boolean, pulseMs: number): boolean {
    try {
      this.#out.set(active, pulseMs);
      if (!active) this.#energised = false;
      this.lastError = null;
      return true;
    } catch (err) {
      this.counters.errors++;
      const msg = `${active ? "energising" : "releasing"} the relay failed: ${
        err instanceof Error ? err.message : String(err)
      }`;
      if (msg !== this.lastError) this.#onError(msg);
      this.lastError = msg;
      return false;
    }
  }

  /** Releases the relay now and closes the device. */
  stop(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#try(false, 0);
    try {
      this.#out.close();
    } catch {
      // closing a device that failed: nothing more to do
    }
  }
}
