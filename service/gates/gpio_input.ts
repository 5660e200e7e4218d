/**
 * A gate's contact input (exit button, passage sensor) on one GPIO line:
 * requested as an input with both edges and pull-up bias, read with the same
 * poll + wake-pipe stream as the Wiegand lines, and turned into "activated"
 * calls: a falling edge for an active-low contact (it pulls the line to
 * ground), a rising edge otherwise. An activation closer than
 * {@link CONTACT_DEBOUNCE_MS} to the previous edge (contact bounce) is
 * counted and ignored. A line that fails is reopened after a second.
 *
 * @module
 */

import { buildLineRequest } from "../../driver/wiegand/gpio_event.ts";
import { GpioEventParser } from "../../driver/wiegand/gpio_event.ts";
import { type GpioIoctl, kernelGpioIoctl } from "../../driver/wiegand/gpio_ffi.ts";
import { GpioError, GpioLines, requestLineFd } from "../../driver/wiegand/gpio_lines.ts";

/** An activation closer than this to the previous edge is contact bounce (ms). */
export const CONTACT_DEBOUNCE_MS = 50;
/** Wait before reopening a failed line (ms). */
const REOPEN_MS = 1000;

/** Options of {@link ContactInput}. */
export interface ContactInputOptions {
  /** Chip path. */
  chip: string;
  /** Line offset. */
  line: number;
  /** Active when the line goes low (contact to ground, pull-up on). */
  activeLow: boolean;
  /** What it is (for messages): `exit button`, `passage sensor`. */
  what: string;
  /** Called on each activation. */
  onActive: () => void;
  /** Problems (open failures, read failures). */
  onError: (msg: string) => void;
  /** Kernel layer (default: the real one). */
  ioctl?: GpioIoctl;
}

/** Opens `line` as an input with both edges (pull-up when active low). */
function openContact(o: ContactInputOptions): GpioLines {
  const io = o.ioctl ?? kernelGpioIoctl;
  const req = buildLineRequest({
    offsets: [o.line],
    consumer: "pontaj-gate",
    bias: o.activeLow ? "pull-up" : "none",
  });
  const r = requestLineFd(io, o.chip, req);
  if (r < 0) {
    throw new GpioError(
      "io",
      o.chip,
      `requesting line ${o.line} on ${o.chip} for the ${o.what} failed (errno ${-r})`,
      -r,
    );
  }
  return new GpioLines(o.chip, r);
}

/** One contact input, read until {@link ContactInput.close}. */
export class ContactInput {
  /** Activations delivered, and bounces ignored. */
  readonly counters = { activations: 0, bounces: 0, errors: 0 };
  /** The last problem, or null. */
  lastError: string | null = null;
  readonly #o: ContactInputOptions;
  readonly #parser: GpioEventParser;
  #lines: GpioLines | null = null;
  #closed = false;
  #lastEdgeNs = -1;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;

  /** A contact on `o.chip` line `o.line`; call {@link start}. */
  constructor(o: ContactInputOptions) {
    this.#o = o;
    this.#parser = new GpioEventParser(
      {
        edge: (line, rising, sec, nsec) => {
          if (line === 0) this.#edge(rising !== o.activeLow, sec * 1e9 + nsec);
        },
      },
      o.line,
      0xffffffff,
    );
  }

  #edge(active: boolean, ns: number): void {
    const bounce = this.#lastEdgeNs >= 0 && ns - this.#lastEdgeNs < CONTACT_DEBOUNCE_MS * 1e6;
    this.#lastEdgeNs = ns;
    if (!active) return;
    if (bounce) {
      this.counters.bounces++;
      return;
    }
    this.counters.activations++;
    this.#o.onActive();
  }

  /** Opens the line and reads it in the background. */
  start(): void {
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    const buf = new Uint8Array(48 * 16);
    while (!this.#closed) {
      try {
        this.#lines = openContact(this.#o);
        this.#parser.reset();
        if (this.#closed) break;
        for (;;) {
          const n = await this.#lines.read(buf);
          if (n === 0 || this.#closed) break;
          this.#parser.push(buf, n);
        }
      } catch (err) {
        this.counters.errors++;
        const msg = `${this.#o.what}: ${(err as Error).message}`;
        if (msg !== this.lastError) this.#o.onError(msg);
        this.lastError = msg;
      }
      await this.#lines?.close();
      this.#lines = null;
      if (!this.#closed) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => resolve(), REOPEN_MS);
          this.#wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.#wake = null;
      }
    }
  }

  /** Stops reading and releases the line. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#lines?.close();
    await this.#loop;
  }
}
