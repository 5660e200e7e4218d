/**
 * Fuzz targets for every parser of outside input: the config file (JSONC text
 * and values), iFlow's offline and live replies, the Retry-After header, and
 * the CLI's captured frames of every reader kind.
 *
 * @module
 */

import { CAPTURE_DECODERS } from "../../service/cli/decode.ts";
import { ConfigError, parseJsonc, validateConfig } from "../../service/config/mod.ts";
import { classifyLiveReply } from "../../service/iflow/live.ts";
import {
  classifyOfflineReply,
  parseRetryAfter,
  type WireRecord,
} from "../../service/iflow/reply.ts";
import type { Prng } from "../support/prng.ts";
import { check, type FuzzTarget, mutateText } from "./fuzz_support.ts";

const CONFIG_TEXT = `// fuzz base
{
  "timezone": "Europe/Bucharest",
  "journal": { "dir": "/var/lib/pontaj/journal", "segmentBytes": 65536, "queueLimit": 100 },
  "iflow": { "accessToken": "7319042258170463", "batchSize": 20, "timeoutMs": 5000, /* c */ },
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

/** The outside-input targets. */
export const INPUT_TARGETS: readonly FuzzTarget[] = [
  {
    name: "cli decode: captured frames of every kind",
    documented: "none (invalid input comes back as ok: false)",
    make(rng) {
      const kinds = [...CAPTURE_DECODERS.values()];
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
