/**
 * Fuzz targets for every decoder of reader input: ASCII frames, lines,
 * Wiegand edges, GPIO event bytes and formats, OSDP packets and card data,
 * RC522 register replies.
 *
 * @module
 */

import { AsciiFrameDecoder, encodeAsciiFrame, LineDecoder } from "../../driver/ascii/mod.ts";
import { CardRead } from "../../driver/card.ts";
import { FrameWriter, OsdpCardDecoder, OsdpParser } from "../../driver/osdp/mod.ts";
import { POLL_WAIT, Rc522Poller } from "../../driver/rc522/poller.ts";
import {
  BATCH_IO_ERROR,
  BATCH_OK,
  newTransportStats,
  OP_READ,
  type Rc522Transport,
  type RegBatch,
} from "../../driver/rc522/transport.ts";
import {
  decodeWiegandBits,
  GPIO_V2_LINE_EVENT_SIZE,
  wiegandConfigDefaults,
  WiegandFormatSet,
  WiegandReader,
} from "../../driver/wiegand/mod.ts";
import type { Prng } from "../support/prng.ts";
import { feedRandomEdges } from "../support/wiegand_edges.ts";
import { check, type FuzzTarget, mutate, noisy } from "./fuzz_support.ts";

/** A bus whose register reads answer with seeded random, often plausible, values. */
class RandomRegisters implements Rc522Transport {
  readonly description = "fuzz";
  readonly synchronous = true;
  readonly stats = newTransportStats();
  constructor(private rng: Prng) {}
  run(b: RegBatch): void {
    b.status = this.rng.int(300) === 0 ? BATCH_IO_ERROR : BATCH_OK;
    if (b.status !== BATCH_OK) return;
    for (let i = 0; i < b.length; i++) {
      if (b.kind[i] !== OP_READ) continue;
      const r = this.rng.int(8);
      b.value[i] = r < 3
        ? [0x00, 0x01, 0x04, 0x08, 0x10, 0x20, 0x30][r * 2 + (i & 1)] ?? 0
        : this.rng.int(256);
    }
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The decoder targets. */
export const DECODER_TARGETS: readonly FuzzTarget[] = [
  {
    name: "ascii: frame decoder (byte chunks)",
    documented: "none",
    make(rng) {
      const dec = new AsciiFrameDecoder();
      const buf = new Uint8Array(64);
      return () => {
        const n = rng.int(2) === 0
          ? mutate(
            rng,
            encodeAsciiFrame(BigInt(rng.nextU32()) * 256n + BigInt(rng.int(256)), {
              crlf: rng.int(2) === 0,
            }),
            buf,
          )
          : (noisy(rng, buf, 1 + rng.int(64), [0x02, 0x03, 0x0d, 0x0a, 0x30, 0x41]),
            1 + rng.int(64));
        for (let k = 0; k < n; k++) {
          if (dec.push(buf[k]!)) check(dec.read.byteLength === 5, "ASCII id is 5 bytes");
        }
      };
    },
  },
  {
    name: "line: decoder (byte chunks)",
    documented: "none",
    make(rng) {
      const dec = new LineDecoder();
      const buf = new Uint8Array(64);
      const digits = [...new TextEncoder().encode("0123456789ABCDEFabcdef \r\n\t-x")];
      return () => {
        const n = 1 + rng.int(64);
        noisy(rng, buf, n, digits, 2);
        for (let k = 0; k < n; k++) {
          if (dec.push(buf[k]!)) {
            check(dec.read.byteLength >= 1 && dec.read.byteLength <= 16, "line id 1..16 bytes");
          }
        }
      };
    },
  },
  {
    name: "wiegand: edge streams (assembler, formats, keypad)",
    documented: "none",
    make(rng) {
      const readers = [
        wiegandConfigDefaults(0, 1),
        wiegandConfigDefaults(0, 1, { unknownLengths: "raw" }),
        wiegandConfigDefaults(0, 1, { format: "h10301" }),
      ].map((c) =>
        new WiegandReader(c, (e) => {
          if (e.kind === "card") {
            check(e.read.byteLength >= 1 && e.read.byteLength <= 16, "card 1..16 bytes");
          }
        })
      );
      const clock = { sec: 1000, nsec: 0 };
      return (i) => {
        const r = readers[i % readers.length]!;
        feedRandomEdges(rng, r, clock, rng.int(70), rng.int(2) === 0);
        clock.sec += 1;
        r.tick(clock.sec, clock.nsec);
      };
    },
  },
  {
    name: "wiegand: gpio event bytes",
    documented: "none",
    make(rng) {
      const r = new WiegandReader(wiegandConfigDefaults(3, 4), () => {});
      const buf = new Uint8Array(GPIO_V2_LINE_EVENT_SIZE * 8);
      return () => {
        rng.bytes(buf);
        r.feedEvents(
          buf,
          rng.int(4) === 0 ? rng.int(buf.length + 1) : GPIO_V2_LINE_EVENT_SIZE * rng.int(9),
        );
        if (rng.int(8) === 0) r.parser.reset();
      };
    },
  },
  {
    name: "wiegand: bit decoders (formats)",
    documented: "none",
    make(rng) {
      const read = new CardRead();
      const sets = [new WiegandFormatSet(), new WiegandFormatSet({ unknownLengths: "drop" })];
      const bits = new Uint8Array(140);
      return (i) => {
        rng.bytes(bits);
        if (rng.int(2)) { for (let k = 0; k < bits.length; k++) bits[k]! &= 1; }
        const n = [rng.int(140), 26, 34, 35, 37, 48, -1, NaN, 1e9][rng.int(9)]!;
        if (decodeWiegandBits(bits, n, read, sets[i & 1]!) === 0) {
          check(read.byteLength >= 1 && read.byteLength <= 16, "card 1..16 bytes");
        }
      };
    },
  },
  {
    name: "osdp: packet parser (chunks with frames, garbage, corruption)",
    documented: "none",
    make(rng) {
      const p = new OsdpParser(256);
      const w = new FrameWriter(256);
      const buf = new Uint8Array(300);
      return () => {
        let n: number;
        if (rng.int(2) === 0) {
          const crc = rng.int(2) === 0;
          w.begin(rng.int(0x100), rng.int(4), crc, 0, -1);
          w.u8(rng.int(256));
          for (let k = rng.int(40); k > 0; k--) w.u8(rng.int(256));
          w.finish();
          n = mutate(rng, w.copy(), buf);
        } else {
          n = 1 + rng.int(64);
          noisy(rng, buf, n, [0x53, 0xff, 0x00, 0x80]);
        }
        for (let at = 0;;) {
          at = p.feed(buf, at, n);
          if (!p.ready) break;
          check(p.length >= 7 && p.length <= 256 && p.buf[0] === 0x53, "reported frame shape");
        }
      };
    },
  },
  {
    name: "osdp: card data (osdp_RAW, osdp_FMT payloads)",
    documented: "none",
    make(rng) {
      const d = new OsdpCardDecoder();
      const buf = new Uint8Array(64);
      return () => {
        const n = rng.int(64);
        rng.bytes(buf);
        if (rng.int(2)) buf[2] = rng.int(130);
        const ok = rng.int(2) === 0 ? d.decodeRaw(buf, 0, n) : d.decodeFmt(buf, 0, n);
        if (ok) check(d.read.byteLength >= 1 && d.read.byteLength <= 16, "card 1..16 bytes");
      };
    },
  },
  {
    name: "rc522: register replies (poll ticks)",
    documented: "none",
    make(rng) {
      const poller = new Rc522Poller(new RandomRegisters(rng), { hostTimeoutMs: 1e9 });
      poller.onCard = (r) => check([4, 7, 10].includes(r.byteLength), `UID length ${r.byteLength}`);
      return () => {
        for (let k = 0; poller.pollSync() === POLL_WAIT; k++) check(k < 5000, "a tick ends");
      };
    },
  },
];
