/**
 * Every fuzz target of the suite in one table: each decoder of reader bytes,
 * edges or register replies, and each parser of outside input (the config
 * file, iFlow's replies, the CLI's captured frames). A target makes one input
 * per call from a seeded PRNG and feeds it; it may throw only its documented
 * error type (`allowed`), and checks what it gets back (a violated check
 * throws and counts as a failure). `deno task test` runs 10^5 inputs per
 * target, the soak 10^7 (`fuzz_child.ts` runs them and measures memory).
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
import { CAPTURE_DECODERS } from "../../service/cli/decode.ts";
import { ConfigError, parseJsonc, validateConfig } from "../../service/config/mod.ts";
import { classifyLiveReply } from "../../service/iflow/live.ts";
import {
  classifyOfflineReply,
  parseRetryAfter,
  type WireRecord,
} from "../../service/iflow/reply.ts";
import type { Prng } from "../support/prng.ts";

/** One fuzz target. */
export interface FuzzTarget {
  /** Short name (`area: what`). */
  name: string;
  /** The documented error type it may throw ("none" for decoders). */
  documented: string;
  /** True for errors of the documented type. */
  allowed?: (err: unknown) => boolean;
  /** Sets the target up; returns a function that makes and feeds input number `i`. */
  make(rng: Prng): (i: number) => void;
}

/** Thrown by a target's own checks on what a decoder or parser returned. */
export class FuzzCheckError extends Error {
  /** Always "FuzzCheckError". */
  override name = "FuzzCheckError";
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new FuzzCheckError(what);
}

/** Fills `buf[0..n)` with random bytes, each one of `special` with probability 1/`odds`. */
function noisy(rng: Prng, buf: Uint8Array, n: number, special: readonly number[], odds = 4): void {
  for (let i = 0; i < n; i++) {
    buf[i] = rng.int(odds) === 0 ? special[rng.int(special.length)]! : rng.nextU32() & 0xff;
  }
}

/** Copies `src` into `buf` with a few random mutations (flip, drop, duplicate); returns the length. */
function mutate(rng: Prng, src: Uint8Array, buf: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < src.length && n < buf.length; i++) {
    const r = rng.int(40);
    if (r === 0) continue; // drop
    buf[n++] = r === 1 ? rng.nextU32() & 0xff : src[i]!;
    if (r === 2 && n < buf.length) buf[n++] = src[i]!; // duplicate
  }
  return n;
}

function mutateText(rng: Prng, s: string, alphabet: string): string {
  let out = s;
  const edits = rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(out.length + 1);
    const r = rng.int(3);
    const piece = Array.from({ length: 1 + rng.int(6) }, () => alphabet[rng.int(alphabet.length)])
      .join("");
    if (r === 0) out = out.slice(0, at) + out.slice(at + 1 + rng.int(8));
    else if (r === 1) out = out.slice(0, at) + piece + out.slice(at);
    else out = out.slice(0, at) + piece + out.slice(at + piece.length);
  }
  return out;
}

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

const CONFIG_TEXT = `// fuzz base
{
  "timezone": "Europe/Bucharest",
  "journal": { "dir": "/var/lib/pontaj/journal", "segmentBytes": 65536, "queueLimit": 100 },
  "iflow": { "accessToken": "731904225817", "batchSize": 20, "timeoutMs": 5000, /* c */ },
  "readers": [
    { "name": "gate-1", "kind": "ascii", "port": "/dev/ttyUSB0", "tagFormat": "dec10" },
    { "name": "gate-2", "kind": "line", "port": "/dev/ttyUSB1", "base": "hex" },
  ],
  "debounceMs": 3000,
  "status": { "listen": "127.0.0.1:8780" },
  "log": { "level": "info" }
}`;
const JSON_ALPHABET = '{}[],:"0123456789-.eE truefalsnul/\\*\n\tabcxyzé\u0000';

function wire(i: number): WireRecord {
  return {
    date: "2026-11-29",
    time: `08:00:${String(i % 60).padStart(2, "0")}`,
    rfidTag: `00${1000000 + i}`,
    errorMsg: "",
  };
}

function replyEntry(r: WireRecord, rng: Prng): Record<string, unknown> {
  const msgs = [
    "",
    "",
    "Nu se poate adăuga - prezență duplicată: 53211",
    "Niciun angajat nu este asociat acestei cartele de tip RFID: x",
    "access_token invalid",
    "Înregistrare invalidă",
  ];
  return {
    ...r,
    error_authenticate: rng.int(5) === 0 ? msgs[rng.int(msgs.length)] : "",
    error_check_in_out: rng.int(5) === 0
      ? msgs[rng.int(msgs.length)]
      : rng.int(9) === 0
      ? null
      : "",
    error_csv: rng.int(12) === 0 ? msgs[rng.int(msgs.length)] : "",
  };
}

const STATUSES = [
  200,
  200,
  200,
  200,
  201,
  204,
  301,
  400,
  401,
  403,
  404,
  414,
  429,
  500,
  502,
  503,
  0,
  999,
];
const BATCH_KINDS = new Set(["ok", "transient", "auth", "too-long"]);
const OUTCOME_KINDS = new Set(["accepted", "duplicate", "rejected"]);
const LIVE_KINDS = new Set(["stored", "not-stored", "auth"]);

/** Every fuzz target. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
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
      let sec = 1000, nsec = 0;
      return (i) => {
        const r = readers[i % readers.length]!;
        const edges = rng.int(70);
        const shaped = rng.int(2) === 0;
        for (let e = 0; e < edges; e++) {
          const line = rng.int(2);
          if (shaped) {
            r.edge(line, false, sec, nsec);
            nsec += 30_000 + rng.int(150_000);
            r.edge(line, true, sec, nsec);
            nsec += 500_000 + rng.int(2_000_000);
          } else {
            r.edge(line, rng.int(2) === 0, sec, nsec);
            nsec += [
              rng.int(25_000),
              rng.int(3_000_000),
              rng.int(40_000_000),
              -rng.int(2),
            ][rng.int(4)]!;
          }
          if (nsec >= 1e9 || nsec < 0) {
            const c = Math.floor(nsec / 1e9);
            sec += c;
            nsec -= c * 1e9;
          }
        }
        sec += 1;
        r.tick(sec, nsec);
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
  {
    name: "cli decode: captured frames of every kind",
    documented: "none (invalid input comes back as ok: false)",
    make(rng) {
      const kinds = Object.values(CAPTURE_DECODERS);
      const seeds = [
        "0267003B51C6CB0D0A03",
        "67003B51C6CB",
        "3887558",
        "04A3C6CAE26180",
        "00101101000000001010001000",
        "0x2020002:26",
        "53 65 08 00 04 60 60 90",
        "hex:ff:128",
      ];
      return (i) => {
        const text = mutateText(
          rng,
          seeds[rng.int(seeds.length)]!,
          "0123456789abcdefABCDEF :x-hX\u00e9\n",
        );
        const r = kinds[i % kinds.length]!.decode(text);
        check(typeof r === "object" && r !== null, "a JSON-able object");
      };
    },
  },
  {
    name: "config: JSONC text and values of every type at every key",
    documented: "SyntaxError (parseJsonc) or ConfigError (validateConfig)",
    allowed: (e) => e instanceof SyntaxError || e instanceof ConfigError,
    make(rng) {
      const base = parseJsonc(CONFIG_TEXT) as Record<string, unknown>;
      const values: unknown[] = [null, true, 0, -1, 1e308, NaN, "", "x", "Europe/Nowhere", [], {}, [
        {},
      ], { kind: "wiegand" }];
      return (i) => {
        if (i % 2 === 0) {
          // Text: mutated JSONC, now and then nested very deep.
          const text = rng.int(200) === 0
            ? "[".repeat(rng.int(20000))
            : mutateText(rng, CONFIG_TEXT, JSON_ALPHABET);
          const cfg = validateConfig(parseJsonc(text), "fuzz.jsonc", {});
          check(cfg.readers.every((r) => typeof r.name === "string"), "readers named");
          return;
        }
        // Values: a valid config with values of other types put at random keys.
        const cfg = structuredClone(base);
        for (let e = 1 + rng.int(3); e > 0; e--) {
          let node = cfg as Record<string, unknown>;
          for (let depth = 0; depth < 3; depth++) {
            const keys = Object.keys(node);
            const k = keys[rng.int(keys.length + 1)] ?? `unknownKey${rng.int(3)}`;
            const child = node[k];
            if (child && typeof child === "object" && rng.int(2) === 0) {
              node = child as Record<string, unknown>;
            } else {
              if (rng.int(5) === 0) delete node[k];
              else node[k] = values[rng.int(values.length)];
              break;
            }
          }
        }
        validateConfig(cfg, "fuzz.json", {});
      };
    },
  },
  {
    name: "iflow: offline replies (store_attendances)",
    documented: "none (every reply is classified)",
    make(rng) {
      return (i) => {
        const sent = Array.from({ length: 1 + rng.int(5) }, (_, k) => wire(i + k));
        let body: string;
        const r = rng.int(6);
        if (r <= 2) {
          const entries = sent.map((s) => replyEntry(s, rng));
          if (r === 1) entries.splice(rng.int(entries.length), rng.int(2));
          body = JSON.stringify(entries);
          if (r === 2) body = mutateText(rng, body, JSON_ALPHABET);
        } else if (r === 3) {
          body = [
            "<html><body>502</body></html>",
            "",
            "null",
            "{}",
            '{"error":"Dispozitivul RFID nu este înregistrat"}',
            "[[]]",
            '"x"',
          ][rng.int(7)]!;
        } else if (r === 4) {
          body = JSON.stringify({ a: [sent, { b: rng.next() }], e: "token" }).slice(0, rng.int(80));
        } else body = new TextDecoder().decode(rng.bytes(new Uint8Array(rng.int(64))));
        const ra = [
          null,
          "5",
          "-1",
          "99999999",
          "Wed, 21 Oct 2015 07:28:00 GMT",
          "soon",
        ][rng.int(6)]!;
        const res = classifyOfflineReply(sent, STATUSES[rng.int(STATUSES.length)]!, ra, body);
        check(BATCH_KINDS.has(res.kind), `kind ${res.kind}`);
        if (res.kind === "ok") {
          check(res.outcomes.length === sent.length, "one outcome per record");
          check(res.outcomes.every((o) => OUTCOME_KINDS.has(o.kind)), "outcome kinds");
        }
      };
    },
  },
  {
    name: "iflow: live replies (auto_attendance)",
    documented: "none (every reply is classified)",
    make(rng) {
      const good = JSON.stringify({
        api_reply: {
          scan_msg: "",
          user: { ID: "7", full_name: "Ana Pop" },
          event: [{ start_time: "28800", end_time: null }],
        },
      });
      return () => {
        const body = rng.int(3) === 0
          ? new TextDecoder().decode(rng.bytes(new Uint8Array(rng.int(40))))
          : mutateText(rng, good, JSON_ALPHABET);
        const res = classifyLiveReply(STATUSES[rng.int(STATUSES.length)]!, body);
        check(LIVE_KINDS.has(res.kind), `kind ${res.kind}`);
      };
    },
  },
  {
    name: "iflow: Retry-After header",
    documented: "none",
    make(rng) {
      return () => {
        const v = mutateText(
          rng,
          ["120", "Wed, 21 Oct 2015 07:28:00 GMT", "0", ""][rng.int(4)]!,
          "0123456789 ,:GMTWed-+e.",
        );
        const ms = parseRetryAfter(v, 1_800_000_000_000);
        check(ms === undefined || (ms >= 0 && ms <= 3_600_000), `retry after ${ms}`);
      };
    },
  },
];
