/**
 * The OSDP control panel on one RS-485 line: one {@link OsdpBus} per serial
 * port, several readers (addresses) on it, polled round-robin one transaction
 * at a time (the line is half duplex). Card reads and keypad input come out
 * through callbacks with the reader's name; {@link OsdpBus.feedback} lights
 * the LED and beeps once a scan is journaled (or rejected).
 *
 * @example
 * ```ts ignore
 * import { OsdpBus } from "./bus.ts";
 * const bus = await OsdpBus.open("/dev/ttyUSB0", {
 *   baudRate: 9600,
 *   readers: [{ name: "gate", address: 0, secureChannel: { scbk: "00112233445566778899aabbccddeeff" } }],
 *   onCard: (ev) => console.log(ev.reader, ev.tag),
 * });
 * // later, once the scan is durable:
 * bus.feedback(0, "ok");
 * await bus.close();
 * ```
 *
 * @module
 */

import type { CardRead } from "../card.ts";
import { formatTag } from "../tag.ts";
import { SerialError } from "../serial/errors.ts";
import { SerialPort } from "../serial/port.ts";
import { OsdpCmd } from "./constants.ts";
import type { PdLink } from "./link.ts";
import type { LinkRef, LinkSink, OsdpLogger } from "./link_types.ts";
import { MAX_FRAME, OsdpParser, parseErrorName } from "./parser.ts";
import { type BusReader, busReaders } from "./bus_readers.ts";
import type {
  OsdpBusCounters,
  OsdpBusOpenOptions,
  OsdpBusOptions,
  OsdpTransport,
} from "./bus_types.ts";
import { type OsdpReaderStatus, readerStatus } from "./status.ts";
import { loadAes } from "./aes.ts";
import type { SessionKeys } from "./secure.ts";

const clock = (): number => performance.now();

/** The control panel on one serial line; see the module documentation. */
export class OsdpBus {
  /** Line counters. */
  readonly counters: OsdpBusCounters = {
    frames: 0,
    checkErrors: 0,
    lengthErrors: 0,
    layoutErrors: 0,
    garbageBytes: 0,
    truncated: 0,
    strayFrames: 0,
    echoes: 0,
    portErrors: 0,
  };
  /** Last port error message, "" when none. */
  lastError = "";
  readonly #readers: BusReader[] = [];
  readonly #parser: OsdpParser;
  readonly #rx = new Uint8Array(512);
  readonly #log: OsdpLogger;
  readonly #options: OsdpBusOptions;
  readonly #reopen: (() => Promise<OsdpTransport>) | null;
  #port: OsdpTransport | null;
  #closed = false;
  #loop: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | null = null;
  #next = 0;
  #errorsSeen = 0;
  #failure: Error | null = null;
  #comSeen: object | null = null;
  /** Line speed after the last COMSET the panel followed (null: as opened). */
  baudRate: number | null = null;

  /** Opens `path` and starts polling the readers. */
  static async open(path: string, options: OsdpBusOpenOptions): Promise<OsdpBus> {
    // A reopened port keeps the speed a COMSET moved the line to.
    const self: { bus?: OsdpBus } = {};
    const open = () =>
      SerialPort.open(path, {
        baudRate: self.bus?.baudRate ?? options.baudRate ?? 9600,
        rs485: options.rs485 ?? false,
        onWarning: (m) => options.logger?.("warn", m, { port: path }),
      });
    const bus = new OsdpBus(await open(), options, options.reopen === false ? null : open);
    self.bus = bus;
    bus.start();
    return bus;
  }

  /**
   * Creates a bus on an open transport; call {@link start}. With `reopen`, a
   * failed port is closed and reopened with capped backoff.
   */
  constructor(
    transport: OsdpTransport,
    options: OsdpBusOptions,
    reopen: (() => Promise<OsdpTransport>) | null = null,
  ) {
    this.#port = transport;
    this.#options = options;
    this.#reopen = reopen;
    this.#log = options.logger ?? (() => {});
    this.#parser = new OsdpParser(options.maxFrame ?? MAX_FRAME);
    const sink: LinkSink = {
      card: (link, read, source, readerNumber) => this.#emitCard(link, read, source, readerNumber),
      keypad: (link, keys, readerNumber) => this.#emitKeypad(link, keys, readerNumber),
      log: this.#log,
      online: (link) => options.onReaderOnline?.(link.name),
    };
    for (const r of busReaders(options, sink, clock())) this.#readers.push(r);
  }

  /** Starts the polling loop (once). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Settles when the polling loop ends: resolves after {@link close}, rejects
   * with the port's error when the port failed and is not being reopened.
   */
  get finished(): Promise<void> {
    return (this.#loop ?? Promise.resolve()).then(() => {
      if (this.#failure !== null && !this.#closed) throw this.#failure;
    });
  }

  /**
   * Called with a reader's Secure Channel session keys each time a session
   * opens (a running capture records them); null: nobody asks.
   */
  onSessionKeys: ((address: number, keys: SessionKeys) => void) | null = null;

  /** The keys of every reader's active Secure Channel session (for a capture starting). */
  sessionKeys(): { address: number; keys: SessionKeys }[] {
    const out: { address: number; keys: SessionKeys }[] = [];
    for (const r of this.#readers) {
      const keys = r.link.security.channel.sessionKeys();
      if (keys) out.push({ address: r.link.address, keys });
    }
    return out;
  }

  /** The address of the reader named `name`, or undefined. */
  addressOf(name: string): number | undefined {
    return this.#readers.find((r) => r.link.name === name)?.link.address;
  }

  /** Status of every reader. */
  status(): OsdpReaderStatus[] {
    const now = clock();
    return this.#readers.map((r) => readerStatus(r.link, now));
  }

  /** Status of the reader at `address`, or undefined. */
  readerStatus(address: number): OsdpReaderStatus | undefined {
    const r = this.#find(address);
    return r ? readerStatus(r.link, clock()) : undefined;
  }

  /**
   * Signals a scan's outcome on the reader at `address`: `ok` (journaled:
   * green LED and a short beep by default) or `rejected`. False when the
   * reader is unknown or not online.
   */
  feedback(address: number, kind: "ok" | "rejected"): boolean {
    const r = this.#find(address);
    if (!r) return false;
    const f = kind === "ok" ? r.ok : r.rejected;
    let ok = r.link.enqueue(OsdpCmd.LED, f.led);
    if (ok && f.buz) ok = r.link.enqueue(OsdpCmd.BUZ, f.buz);
    if (ok) this.#kick(r.link);
    return ok;
  }

  /**
   * Rotates the key of the reader at `address`: `key` (or a random one) is
   * stored first, then set with KEYSET under the current session, then the
   * reader reconnects under it. Resolves true once it is online on the new
   * key, false (reason in its status) when that did not happen in `timeoutMs`.
   */
  async rekey(address: number, key?: Uint8Array, timeoutMs = 10_000): Promise<boolean> {
    const r = this.#find(address);
    if (!r) return false;
    const link = r.link;
    const before = link.counters.keysInstalled;
    const end = clock() + timeoutMs;
    while (!link.rekey(clock(), key)) {
      if (clock() > end || this.#closed) return false;
      await new Promise((res) => setTimeout(res, 5));
    }
    this.#kick(link);
    const done = () => link.counters.keysInstalled > before && link.online;
    while (!done() && clock() <= end && !this.#closed) {
      await new Promise((res) => setTimeout(res, 5));
    }
    return done() && link.security.keySource === "installed";
  }

  /** Queues a raw command (e.g. `OsdpCmd.KEEPACTIVE`, `OsdpCmd.COMSET`) for the reader at `address`. */
  command(address: number, code: number, data: Uint8Array | null = null): boolean {
    const r = this.#find(address);
    if (!r || !r.link.enqueue(code, data)) return false;
    this.#kick(r.link);
    return true;
  }

  /** Stops polling and closes the port; resolves once no read or write is pending. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeUp();
    await this.#port?.close();
    await this.#loop;
    await this.#port?.close();
  }

  #find(address: number): BusReader | undefined {
    return this.#readers.find((r) => r.link.address === address);
  }

  #kick(link: PdLink): void {
    link.dueAt = Math.min(link.dueAt, clock());
    this.#wakeUp();
  }

  #wakeUp(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#wake = null;
        resolve();
      }, Math.max(1, Math.ceil(ms)));
    });
  }

  #emitCard(link: LinkRef, read: CardRead, source: "raw" | "fmt", readerNumber: number): void {
    const r = this.#readers.find((x) => x.link === link)!;
    const tag = formatTag(read, r.tagFormat);
    this.#log("debug", "osdp card", { reader: link.name, tag, format: read.format });
    try {
      this.#options.onCard?.({
        reader: link.name,
        address: link.address,
        readerNumber,
        tag,
        format: read.format,
        source,
        read,
      });
    } catch (err) {
      this.#log("error", "osdp onCard callback threw", { reader: link.name, error: String(err) });
    }
  }

  #emitKeypad(link: LinkRef, keys: string, readerNumber: number): void {
    try {
      this.#options.onKeypad?.({ reader: link.name, address: link.address, readerNumber, keys });
    } catch (err) {
      this.#log("error", "osdp onKeypad callback threw", { reader: link.name, error: String(err) });
    }
  }

  /** Picks the reader due first, round-robin among equals. */
  #pick(): PdLink | null {
    const n = this.#readers.length;
    let best: PdLink | null = null;
    let bestIdx = 0;
    for (let k = 0; k < n; k++) {
      const idx = (this.#next + k) % n;
      const l = this.#readers[idx]!.link;
      if (best === null || l.dueAt < best.dueAt) {
        best = l;
        bestIdx = idx;
      }
    }
    this.#next = (bestIdx + 1) % Math.max(1, n);
    return best;
  }

  async #run(): Promise<void> {
    if (this.#options.readers.some((r) => r.secureChannel !== undefined)) await loadAes();
    let portBackoff = 1000;
    while (!this.#closed) {
      const port = this.#port;
      if (port === null || port.closed) {
        if (!this.#reopen) return;
        await this.#sleep(portBackoff);
        portBackoff = Math.min(portBackoff * 2, 30000);
        if (this.#closed) return;
        try {
          this.#port = await this.#reopen();
          this.lastError = "";
          this.#log("info", "osdp port reopened", {});
        } catch (err) {
          this.lastError = err instanceof Error ? err.message : String(err);
        }
        continue;
      }
      const link = this.#pick();
      if (link === null) return;
      const wait = link.dueAt - clock();
      if (wait > 0) {
        await this.#sleep(wait);
        continue;
      }
      try {
        await this.#transact(port, link);
        portBackoff = 1000;
      } catch (err) {
        if (this.#closed) return;
        this.counters.portErrors++;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.#log("error", "osdp port failed", {
          error: this.lastError,
          code: err instanceof SerialError ? err.code : undefined,
        });
        for (const r of this.#readers) r.link.portLost(clock(), this.lastError);
        await port.close().catch(() => {});
        if (!this.#reopen) {
          this.#failure = err instanceof Error ? err : new Error(String(err));
          return;
        }
      }
    }
  }

  /** Stores the key a link is about to install; without a store (or on failure) no KEYSET goes out. */
  async #storeKey(link: PdLink, key: Uint8Array): Promise<void> {
    const store = this.#options.keyStore;
    try {
      if (!store) throw new Error("no key store configured");
      await store.save(link.address, key);
      link.security.keyStored();
    } catch (err) {
      link.keyStoreFailed(clock(), err instanceof Error ? err.message : String(err));
    }
  }

  async #transact(port: OsdpTransport, link: PdLink): Promise<void> {
    const key = link.security.keyToStore;
    if (key !== null) {
      await this.#storeKey(link, key);
      if (this.#closed) return;
    }
    const p = this.#parser;
    const hadSession = link.security.channel.active;
    const frame = link.nextFrame(clock());
    p.reset();
    await port.write(frame);
    const deadline = clock() + link.timing.replyTimeoutMs;
    const rx = this.#rx;
    for (;;) {
      const left = deadline - clock();
      if (left <= 0) break;
      const n = await port.read(rx, Math.max(1, Math.ceil(left)));
      if (this.#closed) return;
      for (let i = 0;;) {
        i = p.feed(rx, i, n);
        if (!p.ready) break;
        if (!p.reply) {
          this.counters.echoes++;
        } else if (p.address !== link.address) {
          this.counters.strayFrames++;
        } else if (link.onReply(p, clock())) {
          if (!hadSession && this.onSessionKeys) this.#sessionOpened(link);
          this.#syncCounters();
          this.#followComSpeed(port, link);
          return;
        }
      }
    }
    this.#syncCounters();
    link.onTimeout(clock());
  }

  #sessionOpened(link: PdLink): void {
    const keys = link.security.channel.sessionKeys();
    if (keys) this.onSessionKeys?.(link.address, keys);
  }

  /**
   * After a reader accepted a COMSET (its osdp_COM reply), the panel moves the
   * line to the new speed too, when that reader is alone on the line; with
   * several readers the others would be lost, so it only warns.
   */
  #followComSpeed(port: OsdpTransport, link: PdLink): void {
    const com = link.reports.com;
    if (com === null || com === this.#comSeen) return;
    this.#comSeen = com;
    const current = port.settings?.baudRate;
    if (current === undefined || com.baudRate === current || !port.setBaudRate) return;
    if (this.#readers.length > 1) {
      this.#log("warn", "osdp reader moved to another speed; the others on this line did not", {
        reader: link.name,
        baudRate: com.baudRate,
        lineBaudRate: current,
      });
      return;
    }
    port.setBaudRate(com.baudRate);
    this.baudRate = com.baudRate;
    this.#log("info", "osdp line speed changed after COMSET", {
      reader: link.name,
      from: current,
      to: com.baudRate,
    });
  }

  #syncCounters(): void {
    const p = this.#parser;
    const c = this.counters;
    const errors = p.errors;
    if (errors !== this.#errorsSeen || p.garbageBytes !== c.garbageBytes) {
      this.#log("debug", "osdp line errors", {
        checkErrors: p.checkErrors,
        lengthErrors: p.lengthErrors,
        layoutErrors: p.layoutErrors,
        truncated: p.truncated,
        garbageBytes: p.garbageBytes,
        lastError: parseErrorName(p.lastError),
      });
      this.#errorsSeen = errors;
    }
    c.truncated = p.truncated;
    c.frames = p.frames;
    c.checkErrors = p.checkErrors;
    c.lengthErrors = p.lengthErrors;
    c.layoutErrors = p.layoutErrors;
    c.garbageBytes = p.garbageBytes;
  }
}
