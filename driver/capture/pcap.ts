/**
 * OSDP captures as pcapng, for Wireshark and tshark: one packet per OSDP
 * frame (SOM through check), link type `USER0` (147), the direction in each
 * packet's `epb_flags` (outbound: control panel → reader, inbound: reader →
 * control panel), timestamps in microseconds from the capture's start time.
 *
 * @module
 */

import { OsdpParser } from "../osdp/parser.ts";
import { chunks, type ParsedCapture, RecordType } from "./format.ts";

/** pcapng link type `LINKTYPE_USER0`. */
export const LINKTYPE_USER0 = 147;

function block(type: number, body: Uint8Array): Uint8Array {
  const len = 12 + body.length;
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, len, true);
  out.set(body, 8);
  v.setUint32(len - 4, len, true);
  return out;
}

function sectionHeader(): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x1a2b3c4d, true);
  v.setUint16(4, 1, true);
  v.setUint16(6, 0, true);
  v.setBigInt64(8, -1n, true);
  return block(0x0a0d0d0a, b);
}

function interfaceDescription(): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint16(0, LINKTYPE_USER0, true);
  v.setUint32(4, 0, true); // snaplen: no limit
  return block(1, b);
}

function packet(us: bigint, data: Uint8Array, inbound: boolean): Uint8Array {
  const padded = (data.length + 3) & ~3;
  const b = new Uint8Array(20 + padded + 12);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0, true); // interface 0
  v.setUint32(4, Number(us >> 32n), true);
  v.setUint32(8, Number(us & 0xffffffffn), true);
  v.setUint32(12, data.length, true);
  v.setUint32(16, data.length, true);
  b.set(data, 20);
  const o = 20 + padded;
  v.setUint16(o, 2, true); // epb_flags
  v.setUint16(o + 2, 4, true);
  v.setUint32(o + 4, inbound ? 1 : 2, true); // direction bits 0-1
  // opt_endofopt: 4 zero bytes at o + 8
  return block(6, b);
}

/** The capture's OSDP frames as a pcapng file; also how many packets it holds. */
export function osdpPcapng(cap: ParsedCapture): { bytes: Uint8Array; packets: number } {
  const parts: Uint8Array[] = [sectionHeader(), interfaceDescription()];
  const startMs = Date.parse(cap.header.startedAt);
  const baseUs = BigInt(Number.isFinite(startMs) ? startMs : 0) * 1000n;
  const parsers = { [RecordType.tx]: new OsdpParser(), [RecordType.rx]: new OsdpParser() };
  let t0 = -1;
  let packets = 0;
  for (const ch of chunks(cap.records, cap.count)) {
    if (ch.type !== RecordType.rx && ch.type !== RecordType.tx) continue;
    const tUs = ch.sec * 1e6 + Math.floor(ch.nsec / 1000);
    if (t0 < 0) t0 = tUs;
    const p = parsers[ch.type];
    let i = 0;
    while (i < ch.data.length) {
      i = p.feed(ch.data, i, ch.data.length);
      if (!p.ready) break;
      const frame = p.frame.slice(p.frameStart, p.frameStart + p.length);
      parts.push(packet(baseUs + BigInt(tUs - t0), frame, ch.type === RecordType.rx));
      packets++;
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, packets };
}
