/**
 * Puts {@link EmulatedPd} readers on a line (the master end of a pty): reads
 * commands, lets the addressed reader answer, and writes the reply, optionally
 * after a delay, after garbage bytes, or split into several writes.
 *
 * @example
 * ```ts ignore
 * import { openPty } from "../../serial/mod.ts";
 * import { OsdpEmulator } from "./emulator.ts";
 * const pty = openPty();
 * const emu = new OsdpEmulator(pty.master, { readers: [{ address: 1 }] });
 * emu.start();
 * emu.reader(1).tapBits("10000000100000000000000010"); // a 26-bit card
 * // … a control panel on pty.path polls it …
 * await emu.close();
 * await pty.close();
 * ```
 *
 * @module
 */

import { SOM } from "../constants.ts";
import { loadAes } from "../aes.ts";
import { EmulatedPd } from "./emulated_pd.ts";
import type { EmulatedPdOptions } from "./emulated_pd_state.ts";
import { MAX_FRAME, OsdpParser } from "../parser.ts";
import type { OsdpTransport } from "../bus_types.ts";

/** Options of an emulated line. */
export interface OsdpEmulatorOptions {
  /** Readers on the line. */
  readers: (EmulatedPd | EmulatedPdOptions)[];
  /** Split each reply into writes of at most this many bytes (0: one write). */
  chunk?: number;
  /** Garbage bytes (never SOM) written before each reply. */
  garbageBeforeReply?: number;
  /** Delay before replying, ms. */
  replyDelayMs?: number;
  /** Source of garbage bytes (default Math.random). */
  noise?: () => number;
  /** Largest frame (default 1024). */
  maxFrame?: number;
}

/** An emulated RS-485 line with readers on it; see the module documentation. */
export class OsdpEmulator {
  /** The command parser (its counters show what the line carried). */
  readonly parser: OsdpParser;
  /** Options in force (fault knobs may be changed while running). */
  readonly options: OsdpEmulatorOptions;
  readonly #port: OsdpTransport;
  readonly #readers: EmulatedPd[];
  #loop: Promise<void> | null = null;
  #closed = false;

  /** Creates the line on `port`; call {@link start}. */
  constructor(port: OsdpTransport, options: OsdpEmulatorOptions) {
    this.#port = port;
    this.options = options;
    this.parser = new OsdpParser(options.maxFrame ?? MAX_FRAME);
    this.#readers = options.readers.map((r) =>
      r instanceof EmulatedPd ? r : new EmulatedPd(r, options.maxFrame ?? MAX_FRAME)
    );
  }

  /** The reader configured at `address` (its current address may differ after COMSET). */
  reader(address: number): EmulatedPd {
    const r = this.#readers.find((x) => x.address === address) ??
      this.#readers[this.options.readers.findIndex((o) => o.address === address)];
    if (!r) throw new Error(`no emulated reader at address ${address}`);
    return r;
  }

  /** All readers. */
  get readers(): readonly EmulatedPd[] {
    return this.#readers;
  }

  /** Starts answering. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Writes raw bytes on the line (line noise). */
  async inject(bytes: Uint8Array): Promise<void> {
    await this.#port.write(bytes);
  }

  /** Stops answering and closes the port. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#port.close();
    await this.#loop;
  }

  async #run(): Promise<void> {
    await loadAes(); // a CP may open a Secure Channel with any emulated reader
    const buf = new Uint8Array(512);
    const p = this.parser;
    while (!this.#closed && !this.#port.closed) {
      let n: number;
      try {
        n = await this.#port.read(buf);
      } catch {
        return; // the other side hung up for good
      }
      for (let i = 0;;) {
        i = p.feed(buf, i, n);
        if (!p.ready) break;
        for (const r of this.#readers) {
          const len = r.handle(p);
          if (len > 0) {
            await this.#reply(r.replyBuffer.slice(0, len));
            break;
          }
        }
      }
    }
  }

  async #reply(frame: Uint8Array): Promise<void> {
    const o = this.options;
    if (o.replyDelayMs) await new Promise((r) => setTimeout(r, o.replyDelayMs));
    if (this.#closed) return;
    try {
      if (o.garbageBeforeReply) {
        const g = new Uint8Array(o.garbageBeforeReply);
        const noise = o.noise ?? (() => Math.floor(Math.random() * 256));
        for (let i = 0; i < g.length; i++) {
          const b = noise() & 0xff;
          g[i] = b === SOM ? 0x00 : b;
        }
        await this.#port.write(g);
      }
      const chunk = o.chunk && o.chunk > 0 ? o.chunk : frame.length;
      for (let i = 0; i < frame.length; i += chunk) {
        await this.#port.write(frame.subarray(i, i + chunk));
        if (i + chunk < frame.length) await new Promise((r) => setTimeout(r, 1));
      }
    } catch {
      // the line went away; the loop ends on the next read
    }
  }
}
