/**
 * The simulated chip's UART: sits on the master end of a pty, reads what the
 * host sends and answers like the MFRC522's serial interface (read: address
 * with bit 7 set → data byte; write: address, data → address echo).
 *
 * Line speed is modelled: the chip's rate comes from SerialSpeedReg, the
 * host's from the pty's termios (TCGETS2 on the master returns the slave's
 * settings). When they differ by more than 3 % the bytes are garbage to the
 * chip and are dropped, as on a real line, so a speed switch that one side did
 * not make shows up as silence.
 *
 * @module
 */

import { libc } from "../../libc.ts";
import { IOCTL } from "../../serial/termios.ts";
import { serialSpeedOf, SerialSpeedReg } from "../registers.ts";
import type { Rc522Sim } from "./chip.ts";

/** The master end of a pty (the pty module's `master` fits). */
export interface PtyMasterLike {
  /** Reads ≥ 1 byte; 0 once closed. */
  read(buf: Uint8Array<ArrayBuffer>, timeoutMs?: number): Promise<number>;
  /** Writes all bytes. */
  write(data: Uint8Array): Promise<void>;
  /** The descriptor (for TCGETS2). */
  readonly fd?: number;
}

/** Options of {@link Rc522UartSim}. */
export interface Rc522UartSimOptions {
  /** The host's line rate; default: read from the pty with TCGETS2. */
  hostBaud?: () => number;
}

/** The UART front-end of a simulated chip. */
export class Rc522UartSim {
  /** The chip answering. */
  readonly chip: Rc522Sim;
  /** Bytes received from the host. */
  bytesIn = 0;
  /** Bytes sent to the host. */
  bytesOut = 0;
  /** Bytes dropped because the two sides' rates differ. */
  garbled = 0;
  readonly #master: PtyMasterLike;
  readonly #hostBaud: () => number;
  #loop: Promise<void> | null = null;
  #addr = -1;

  /** Attaches a chip to a pty master. Call {@link start}. */
  constructor(chip: Rc522Sim, master: PtyMasterLike, options: Rc522UartSimOptions = {}) {
    this.chip = chip;
    this.#master = master;
    const termios = new Uint8Array(44);
    const view = new DataView(termios.buffer);
    this.#hostBaud = options.hostBaud ?? (() => {
      if (master.fd === undefined) return 9600;
      return libc().ioctl(master.fd, IOCTL.TCGETS2, termios) === 0 ? view.getUint32(40, true) : 0;
    });
  }

  /** Starts answering (until the master is closed). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Resolves when the answering loop has ended (after the master is closed). */
  async stopped(): Promise<void> {
    await this.#loop;
  }

  #inSync(): boolean {
    const chip = serialSpeedOf(this.chip.peek(SerialSpeedReg));
    const host = this.#hostBaud();
    return host > 0 && Math.abs(chip / host - 1) <= 0.03;
  }

  async #run(): Promise<void> {
    const buf = new Uint8Array(256);
    const out = new Uint8Array(512);
    for (;;) {
      let n: number;
      try {
        n = await this.#master.read(buf);
      } catch {
        return;
      }
      if (n === 0) return;
      this.bytesIn += n;
      let o = 0;
      for (let i = 0; i < n; i++) {
        if (!this.#inSync()) {
          this.garbled++;
          this.#addr = -1;
          continue;
        }
        const byte = buf[i]!;
        if (this.#addr < 0) {
          if (byte & 0x80) out[o++] = this.chip.readReg(byte & 0x3f);
          else this.#addr = byte & 0x3f;
        } else {
          const addr = this.#addr;
          this.#addr = -1;
          this.chip.writeReg(addr, byte);
          out[o++] = addr; // echo, sent at the rate in force when the byte came in
        }
      }
      if (o > 0) {
        this.bytesOut += o;
        try {
          await this.#master.write(out.subarray(0, o));
        } catch {
          return;
        }
      }
    }
  }
}
