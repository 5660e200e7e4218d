/**
 * The observable side of an emulated reader: what a test sets (cards,
 * keys, tamper, faults) and what it reads back (LED and buzzer state,
 * commands received, counters). {@link EmulatedPd} adds the protocol.
 *
 * @module
 */

import { OsdpReply } from "../constants.ts";
import { type BuzzerRecord, keypadBytes, type LedRecord } from "../payload.ts";
import type { OutputRecord } from "../output.ts";

/** Options of an emulated reader. */
export interface EmulatedPdOptions {
  /** Address 0x00–0x7E. */
  address: number;
  /** The reader's SCBK (hex or bytes). Absent → install mode: only SCBK-D is accepted. */
  scbk?: string | Uint8Array;
  /** Offers Secure Channel (default true). */
  secureChannel?: boolean;
  /** Answers commands in clear (other than ID, CAP and the handshake) with NAK 6. */
  requireSecureChannel?: boolean;
  /** Only checksums: CRC commands get NAK 1 and PDCAP says so. */
  checksumOnly?: boolean;
  /** Serial number reported in PDID. */
  serial?: number;
  /** RND.B source (default crypto random). */
  random?: (buf: Uint8Array) => void;
}

/** What the emulated reader received (for tests). */
export interface ReceivedCommand {
  /** Sequence number. */
  seq: number;
  /** Command code. */
  code: number;
  /** CRC (true) or checksum. */
  crc: boolean;
  /** Security block type (0 when none). */
  scbType: number;
}

/** A reply queued by a tap, key press or fault. */
export interface PendingReply {
  /** Reply code. */
  code: number;
  /** Reply data. */
  data: Uint8Array;
}

/** Counters of an emulated reader. */
export interface EmulatedPdCounters {
  /** Commands addressed to it. */
  commands: number;
  /** Replies sent (cached ones included). */
  replies: number;
  /** Cached replies resent for a repeated sequence number. */
  cachedReplies: number;
  /** NAKs sent. */
  naks: number;
  /** Command MACs that did not verify. */
  macErrors: number;
  /** Handshakes completed. */
  handshakes: number;
  /** Keys set with `osdp_KEYSET`. */
  keysets: number;
}

/** State of an emulated reader; see the module documentation. */
export class EmulatedPdState {
  /** Current address. */
  address: number;
  /** When true, nothing is answered (the reader is unplugged). */
  silent = false;
  /** Tamper flag (reported by LSTATR). */
  tamper = false;
  /** Power failure flag (reported by LSTATR). */
  powerFailure = false;
  /** Last LED record per LED number. */
  readonly leds: Map<number, LedRecord> = new Map();
  /** Last buzzer record, null before any. */
  buzzer: BuzzerRecord | null = null;
  /** `osdp_OUT` records received, oldest first (at most 1000 kept). */
  readonly outputs: OutputRecord[] = [];
  /** Baud rate set by the last COMSET (the emulator cannot change the pty's). */
  baudRate = 9600;
  /** Commands received, oldest first (at most 1000 kept). */
  readonly received: ReceivedCommand[] = [];
  /** Counters. */
  readonly counters: EmulatedPdCounters = {
    commands: 0,
    replies: 0,
    cachedReplies: 0,
    naks: 0,
    macErrors: 0,
    handshakes: 0,
    keysets: 0,
  };
  /** Options the reader was made with. */
  protected readonly options: EmulatedPdOptions;
  /** Card and keypad reports waiting for a poll. */
  protected readonly events: PendingReply[] = [];
  /** Faults to answer the next commands with. */
  protected readonly faults: PendingReply[] = [];
  /** Tamper or power changed since the last LSTATR. */
  protected statusChanged = false;
  /** Replies still to be lost. */
  protected dropCount = 0;

  /** State of a reader made with `options`. */
  constructor(options: EmulatedPdOptions) {
    this.options = options;
    this.address = options.address;
  }

  /** A card is presented: `bits` as a string of 0/1 (first transmitted first), `osdp_RAW` format code `format`. */
  tapBits(bits: string, format = 1, reader = 0): void {
    if (!/^[01]+$/.test(bits)) throw new Error("tapBits: expected a string of 0 and 1");
    const bytes = new Uint8Array((bits.length + 7) >> 3);
    for (let i = 0; i < bits.length; i++) if (bits[i] === "1") bytes[i >> 3]! |= 0x80 >> (i & 7);
    const data = new Uint8Array(4 + bytes.length);
    data.set([reader, format, bits.length & 0xff, bits.length >> 8]);
    data.set(bytes, 4);
    this.events.push({ code: OsdpReply.RAW, data });
  }

  /** A card is presented and reported as an ASCII number (`osdp_FMT`). */
  tapFormatted(text: string, reader = 0): void {
    const data = new Uint8Array(3 + text.length);
    data.set([reader, 0, text.length]);
    for (let i = 0; i < text.length; i++) data[3 + i] = text.charCodeAt(i) & 0xff;
    this.events.push({ code: OsdpReply.FMT, data });
  }

  /** Keys are pressed (`*` and `#` allowed). */
  pressKeys(keys: string, reader = 0): void {
    const k = keypadBytes(keys);
    const data = new Uint8Array(2 + k.length);
    data.set([reader, k.length]);
    data.set(k, 2);
    this.events.push({ code: OsdpReply.KEYPAD, data });
  }

  /** Sets tamper and power flags; the next poll is answered with LSTATR. */
  setStatus(tamper: boolean, powerFailure: boolean): void {
    this.tamper = tamper;
    this.powerFailure = powerFailure;
    this.statusChanged = true;
  }

  /** Answers the next `count` commands with NAK `code`. */
  nakNext(code: number, count = 1): void {
    for (let i = 0; i < count; i++) {
      this.faults.push({ code: OsdpReply.NAK, data: Uint8Array.of(code) });
    }
  }

  /** Answers the next `count` commands with BUSY. */
  busyNext(count = 1): void {
    for (let i = 0; i < count; i++) {
      this.faults.push({ code: OsdpReply.BUSY, data: new Uint8Array(0) });
    }
  }

  /** Pending card and keypad events. */
  get pendingEvents(): number {
    return this.events.length;
  }

  /** Processes the next `count` commands but loses their replies (the CP must resend; the cache answers). */
  dropReplies(count = 1): void {
    this.dropCount += count;
  }

  /** The serial number, little-endian. */
  #serialBytes(): number[] {
    const sn = this.options.serial ?? 0x12345678;
    return [sn & 0xff, (sn >>> 8) & 0xff, (sn >>> 16) & 0xff, sn >>> 24];
  }

  /** Client UID sent in `osdp_CCRYPT`: vendor code, model, version, serial. */
  protected cuid(): Uint8Array {
    return Uint8Array.of(0x5a, 0x01, 0x02, 0x01, ...this.#serialBytes());
  }

  /** `osdp_PDID` data: vendor code, model, version, serial, firmware 1.2.3. */
  protected pdid(): Uint8Array {
    return Uint8Array.of(0x5a, 0x01, 0x02, 0x01, 0x01, ...this.#serialBytes(), 1, 2, 3);
  }

  /** `osdp_PDCAP` data. */
  protected pdcap(): Uint8Array {
    const sc = this.options.secureChannel ?? true;
    return Uint8Array.of(
      3,
      1,
      0, // card data as bits
      4,
      2,
      1, // one timed LED
      5,
      2,
      1, // one timed buzzer
      8,
      this.options.checksumOnly ? 0 : 1,
      0,
      9,
      sc ? 1 : 0,
      sc ? 1 : 0,
      10,
      0x00,
      0x04, // 1024-byte receive buffer
      13,
      0,
      1, // one reader
    );
  }
}
