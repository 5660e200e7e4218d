/**
 * OSDP Secure Channel in a capture. A capture started while a session runs,
 * or during which a session opens, records that session's keys (S-ENC,
 * S-MAC1, S-MAC2) and its MAC chain (the last command and reply MACs) in an
 * `osdp-session` meta event, so a replay decrypts and checks MACs as an
 * observer. The SCBK is never recorded (it cannot be derived from session
 * keys), and the data of every `osdp_KEYSET` (a new SCBK, encrypted under the
 * session) is blanked as the ring drains, so a capture never holds a key a
 * reader keeps. `--redact` removes the session keys and blanks every
 * encrypted payload (see {@link redactOsdpSecrets}).
 *
 * @module
 */

import { hexString } from "../hex.ts";
import { OsdpCmd, OsdpScs } from "../osdp/constants.ts";
import { osdpChecksum, osdpCrc16 } from "../osdp/crc.ts";
import { OsdpParser } from "../osdp/parser.ts";
import { SecureSession, type SessionKeys } from "../osdp/secure.ts";
import {
  chunks,
  encodeMeta,
  metaJson,
  PAYLOAD_OFFSET,
  RECORD_SIZE,
  RecordFlag,
  RecordType,
  sealRecords,
} from "./format.ts";

/** The `event` of a session-keys meta record. */
export const OSDP_SESSION_EVENT = "osdp-session";

const KEY_NAMES = ["sEnc", "sMac1", "sMac2", "cMac", "rMac"] as const;

/** The meta record text for the session of the reader at `address`. */
export function sessionEvent(address: number, keys: SessionKeys): string {
  const e: Record<string, unknown> = { event: OSDP_SESSION_EVENT, address };
  for (const k of KEY_NAMES) e[k] = hexString(keys[k]).replaceAll(" ", "");
  return JSON.stringify(e);
}

function hexKey(v: unknown): Uint8Array | null {
  if (typeof v !== "string" || !/^[0-9a-fA-F]{32}$/.test(v)) return null;
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(v.slice(i * 2, i * 2 + 2), 16));
}

/**
 * The session a meta event holds: the reader's address and a session going
 * on from the recorded MAC chain; null when it is not a (whole) session event.
 */
export function sessionFromEvent(
  e: Record<string, unknown>,
): { address: number; session: SecureSession } | null {
  if (e["event"] !== OSDP_SESSION_EVENT) return null;
  const address = Number(e["address"]);
  if (!Number.isInteger(address) || address < 0 || address > 127) return null;
  const keys: Partial<Record<(typeof KEY_NAMES)[number], Uint8Array>> = {};
  for (const k of KEY_NAMES) {
    const v = hexKey(e[k]);
    if (v === null) return null;
    keys[k] = v;
  }
  return { address, session: SecureSession.fromKeys(keys as SessionKeys) };
}

/**
 * Blanks (zeroes) the data of secured frames in one record's payload whose
 * code `pick` chooses, and recomputes their CRC or checksum. Frames must sit
 * whole in the record (the control panel writes a frame per write; a KEYSET
 * is 47 bytes). Returns the number blanked.
 */
function blankFrames(
  records: Uint8Array,
  o: number,
  p: OsdpParser,
  pick: (code: number, scs: number) => boolean,
): number {
  const start = o + PAYLOAD_OFFSET;
  const end = start + records[o + 10]!;
  let n = 0;
  p.reset();
  let i = start;
  while (i < end) {
    i = p.feed(records, i, end);
    if (!p.ready) break;
    if (!pick(p.code, p.scbType) || p.dataLength === 0) continue;
    const f = i - p.length;
    records.fill(0, f + p.dataOffset, f + p.dataOffset + p.dataLength);
    if (p.crc) {
      const c = osdpCrc16(records, f, i - 2);
      records[i - 2] = c & 0xff;
      records[i - 1] = c >> 8;
    } else {
      records[i - 1] = osdpChecksum(records, f, i - 1);
    }
    n++;
  }
  return n;
}

/**
 * Blanks the encrypted data of every `osdp_KEYSET` the control panel wrote
 * in `records[0, count)` (sealed again). Runs on each batch drained from the
 * tap, outside the hot loop. Returns the number blanked.
 */
export function scrubKeysets(records: Uint8Array, count: number): number {
  const p = new OsdpParser();
  let n = 0;
  for (let i = 0; i < count; i++) {
    const o = i * RECORD_SIZE;
    if (records[o + 8] !== RecordType.tx) continue;
    const k = blankFrames(records, o, p, (code, scs) => code === OsdpCmd.KEYSET && scs !== 0);
    if (k > 0) {
      sealRecords(records.subarray(o, o + RECORD_SIZE), 1);
      n += k;
    }
  }
  return n;
}

/**
 * `--redact` for OSDP Secure Channel: every `osdp-session` meta event is
 * replaced by one without keys (`"keys": "removed by --redact"`), and the
 * data of every encrypted command and reply (SCS_17, SCS_18) is blanked,
 * frame checks recomputed. Returns the new records and what was done.
 */
export function redactOsdpSecrets(
  records: Uint8Array,
  count: number,
): { records: Uint8Array<ArrayBuffer>; sessions: number; blanked: number } {
  const p = new OsdpParser();
  let blanked = 0;
  const enc = (_code: number, scs: number) => scs === OsdpScs.S17 || scs === OsdpScs.S18;
  const work = new Uint8Array(records.subarray(0, count * RECORD_SIZE));
  for (let i = 0; i < count; i++) {
    const o = i * RECORD_SIZE;
    const t = work[o + 8];
    if (t === RecordType.tx || t === RecordType.rx) blanked += blankFrames(work, o, p, enc);
  }
  sealRecords(work, count);
  // Session events are rebuilt (their length changes); every other record is kept as is.
  const parts: Uint8Array[] = [];
  let sessions = 0;
  let at = 0;
  for (let i = 0; i < count;) {
    const o = i * RECORD_SIZE;
    let n = 1;
    while (i + n < count && (work[o + (n - 1) * RECORD_SIZE + 9]! & RecordFlag.more) !== 0) n++;
    if (work[o + 8] === RecordType.meta) {
      const c = [...chunks(work.subarray(o, o + n * RECORD_SIZE), n)][0]!;
      const e = metaJson(c.data);
      if (e?.["event"] === OSDP_SESSION_EVENT) {
        sessions++;
        parts.push(work.subarray(at, o));
        const kept = {
          event: OSDP_SESSION_EVENT,
          address: e["address"],
          keys: "removed by --redact",
        };
        parts.push(encodeMeta(JSON.stringify(kept), c.sec, c.nsec));
        at = o + n * RECORD_SIZE;
      }
    }
    i += n;
  }
  parts.push(work.subarray(at));
  const len = parts.reduce((s, x) => s + x.length, 0);
  const out = new Uint8Array(len);
  let w = 0;
  for (const x of parts) {
    out.set(x, w);
    w += x.length;
  }
  return { records: out, sessions, blanked };
}
