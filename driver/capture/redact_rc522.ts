/**
 * `--redact` for `rc522` captures. A UID travels through the recorded
 * register batches in pieces: the anticollision frames the reader writes to
 * the FIFO (`SEL NVB` and the bits known so far), the answers it reads back
 * (a cascade level's bits, from where the frame stopped, on the FIFO's bit
 * grid at RxAlign), and the SELECT frames (`SEL 70`, the level's 4 bytes,
 * BCC, CRC_A), also those that check a known card is still there.
 *
 * Each cascade level's 32 UID bits (in the order they are sent: byte 0 bit 0
 * first) are mapped by a prefix-preserving keyed permutation: output bit i is
 * input bit i XOR a keyed-hash bit of the level and input bits 0 … i−1. So
 * every piece maps the same way whichever round carries it, two cards that
 * share their first k bits still do (their collision stays at the same bit,
 * CollReg stays true), and the same card stays the same card in the file.
 * The hash bit is 0 where the capture shows a collision (the reader follows
 * the cards sending 1 there) and along the cascade tag 0x88 in byte 0 (so a
 * cascade level still starts with it). BCC and CRC_A are recomputed; a check
 * that was wrong stays wrong by the same difference. Bits an answer holds
 * from the collision on (undefined on the air) are replaced by keyed-hash
 * bits.
 *
 * @module
 */

import { collisionBit } from "../rc522/anticollision.ts";
import { crcA } from "../rc522/crc_a.ts";
import { CASCADE_TAG, NVB_SELECT, SEL_CODES } from "../rc522/iso14443a.ts";
import {
  BitFramingReg,
  Cmd,
  CollReg,
  CommandReg,
  ControlReg,
  Err,
  ErrorReg,
  FIFODataReg,
} from "../rc522/registers.ts";
import { PAYLOAD_OFFSET, RECORD_SIZE, RecordFlag, RecordType } from "./format.ts";
import type { KeyedHash } from "./redact.ts";

const READ = 0x80;

/** One recorded Transceive: where its frame and answer bytes sit in the records. */
interface Exchange {
  /** Record offsets of the frame's bytes (the FIFO writes' values). */
  tx: number[];
  /** RxAlign of the exchange. */
  rxAlign: number;
  /** ErrorReg, CollReg and ControlReg of the last status poll. */
  errorReg: number;
  collReg: number;
  controlReg: number;
  /** Record offsets of the answer's bytes (the FIFO reads' values). */
  rx: number[];
}

/** The register batches, as lists of record offsets of their (register, value) pairs. */
function batches(records: Uint8Array, count: number): number[][] {
  const out: number[][] = [];
  let cur: number[] | null = null;
  for (let i = 0; i < count; i++) {
    const o = i * RECORD_SIZE;
    if (records[o + 8] !== RecordType.regs) {
      cur = null;
      continue;
    }
    cur ??= [];
    for (let k = 0; k + 1 < records[o + 10]!; k += 2) cur.push(o + PAYLOAD_OFFSET + k);
    if ((records[o + 9]! & RecordFlag.more) === 0) {
      out.push(cur);
      cur = null;
    }
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** The Transceive exchanges, in order, from the register batches. */
function exchanges(records: Uint8Array, count: number): Exchange[] {
  const out: Exchange[] = [];
  let x: Exchange | null = null;
  for (const ops of batches(records, count)) {
    if (ops.some((at) => records[at] === CommandReg && records[at + 1] === Cmd.Transceive)) {
      x = { tx: [], rxAlign: 0, errorReg: 0, collReg: 0, controlReg: 0, rx: [] };
      out.push(x);
      for (const at of ops) {
        if (records[at] === FIFODataReg) x.tx.push(at + 1);
        if (records[at] === BitFramingReg) x.rxAlign = (records[at + 1]! >> 4) & 7;
      }
    }
    if (x === null) continue;
    for (const at of ops) {
      const v = records[at + 1]!;
      if (records[at] === (READ | ErrorReg)) x.errorReg = v;
      else if (records[at] === (READ | CollReg)) x.collReg = v;
      else if (records[at] === (READ | ControlReg)) x.controlReg = v;
      else if (records[at] === (READ | FIFODataReg)) x.rx.push(at + 1);
    }
  }
  return out;
}

/** Bit `i` (LSB first within bytes) of the bytes at `at`. */
function bitAt(records: Uint8Array, at: number[], i: number): number {
  return (records[at[i >> 3]!]! >> (i & 7)) & 1;
}

function setBit(records: Uint8Array, at: number[], i: number, v: number): void {
  const o = at[i >> 3]!;
  records[o] = (records[o]! & ~(1 << (i & 7))) | (v << (i & 7));
}

/** Whether the first `n` bits of `bits` follow the cascade tag's bits. */
function onCascadeTag(bits: number[], n: number): boolean {
  if (n >= 8) return false;
  for (let i = 0; i < n; i++) if (bits[i] !== ((CASCADE_TAG >> i) & 1)) return false;
  return true;
}

/** The keyed permutation of cascade levels' bits (see the module doc). */
class LevelMap {
  readonly #bits = new Map<string, number>();
  /** Prefixes (`level:bits`) where a collision was seen: their hash bit is 0. */
  readonly collisions = new Set<string>();

  constructor(readonly hash: KeyedHash) {}

  async #flip(level: number, bits: number[], n: number): Promise<number> {
    const key = `${level}:${bits.slice(0, n).join("")}`;
    if (this.collisions.has(key) || onCascadeTag(bits, n)) return 0;
    let b = this.#bits.get(key);
    if (b === undefined) {
      b = (await this.hash.bytes(`rc522 ${key}`, 1))[0]! & 1;
      this.#bits.set(key, b);
    }
    return b;
  }

  /** The first `n` (≤ 32) bits of a level mapped. */
  async map(level: number, bits: number[], n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n && i < 32; i++) out.push(bits[i]! ^ await this.#flip(level, bits, i));
    return out;
  }
}

/** The level of a frame starting with a SEL code, else 0. */
function levelOf(sel: number | undefined): number {
  return SEL_CODES.indexOf(sel ?? -1) + 1;
}

function xor4(bits: number[]): number {
  let x = 0;
  for (let i = 0; i < 32; i++) x ^= bits[i]! << (i & 7);
  return x;
}

/** Known bits of an anticollision frame (`SEL NVB …`). */
function knownBits(nvb: number): number {
  return ((nvb >> 4) - 2) * 8 + (nvb & 7);
}

/** The level's original bits an answer completes: frame's known bits, then the received ones. */
function answerBits(records: Uint8Array, x: Exchange): { bits: number[]; from: number[] } {
  const known = knownBits(records[x.tx[1]!]!);
  const bits: number[] = [];
  for (let i = 0; i < known; i++) bits.push(bitAt(records, x.tx.slice(2), i));
  const first = known >> 3;
  const last = x.controlReg & 7;
  const from: number[] = []; // for each level bit from `known` on: its bit index in rx
  for (let j = 0; j < x.rx.length; j++) {
    const lo = j === 0 ? x.rxAlign : 0;
    const hi = j === x.rx.length - 1 && last !== 0 ? last : 8;
    for (let b = lo; b < hi; b++) {
      const levelBit = (first + j) * 8 + b;
      if (levelBit < known) continue;
      bits[levelBit] = bitAt(records, x.rx, j * 8 + b);
      from[levelBit] = j * 8 + b;
    }
  }
  return { bits, from };
}

function isAnticollision(records: Uint8Array, x: Exchange): boolean {
  if (x.tx.length < 2 || levelOf(records[x.tx[0]!]) === 0) return false;
  const nvb = records[x.tx[1]!]!;
  return nvb !== NVB_SELECT && nvb >= 0x20 && nvb < 0x70 && knownBits(nvb) <= 40;
}

function isSelect(records: Uint8Array, x: Exchange): boolean {
  return x.tx.length === 9 && levelOf(records[x.tx[0]!]) !== 0 &&
    records[x.tx[1]!] === NVB_SELECT;
}

/** The collision bit of an anticollision answer, or -1 (none, or no usable position). */
function collisionOf(records: Uint8Array, x: Exchange): number {
  if ((x.errorReg & Err.CollErr) === 0) return -1;
  return collisionBit(x.collReg, x.rxAlign, knownBits(records[x.tx[1]!]!) >> 3);
}

/**
 * Redacts the UIDs in an `rc522` capture's register batches in place (see
 * the module doc). Returns how many frames and answers were rewritten.
 */
export async function redactRc522(
  records: Uint8Array,
  count: number,
  hash: KeyedHash,
): Promise<number> {
  const xs = exchanges(records, count);
  const map = new LevelMap(hash);
  // Pass 1: where cards collided, in the original bits.
  for (const x of xs) {
    if (!isAnticollision(records, x) || x.rx.length === 0) continue;
    const c = collisionOf(records, x);
    if (c < 0) continue;
    const { bits } = answerBits(records, x);
    map.collisions.add(`${levelOf(records[x.tx[0]!])}:${bits.slice(0, c).join("")}`);
  }
  // Pass 2: rewrite frames and answers (originals read before anything is written).
  let rewritten = 0;
  for (const x of xs) {
    const level = levelOf(records[x.tx[0]!]);
    if (isSelect(records, x)) {
      const cl = x.tx.slice(2, 7);
      const bits: number[] = [];
      for (let i = 0; i < 32; i++) bits.push(bitAt(records, cl, i));
      const before = Uint8Array.from(x.tx.slice(0, 7), (at) => records[at]!);
      const crcWrong = crcA(before, 0, 7) ^ (records[x.tx[7]!]! | (records[x.tx[8]!]! << 8));
      const bccWrong = xor4(bits) ^ records[cl[4]!]!;
      const out = await map.map(level, bits, 32);
      for (let i = 0; i < 32; i++) setBit(records, cl, i, out[i]!);
      records[cl[4]!] = xor4(out) ^ bccWrong;
      const after = Uint8Array.from(x.tx.slice(0, 7), (at) => records[at]!);
      const crc = crcA(after, 0, 7) ^ crcWrong;
      records[x.tx[7]!] = crc & 0xff;
      records[x.tx[8]!] = crc >>> 8;
      rewritten++;
      continue;
    }
    if (!isAnticollision(records, x)) continue;
    const known = knownBits(records[x.tx[1]!]!);
    const { bits, from } = answerBits(records, x);
    const c = x.rx.length > 0 ? collisionOf(records, x) : -1;
    const collided = x.rx.length > 0 && (x.errorReg & Err.CollErr) !== 0;
    // The mapped bits: the known ones, and the received ones before a collision.
    const limit = Math.min(32, collided ? Math.max(c, known) : 32);
    let n = Math.min(known, 32);
    while (n < limit && bits[n] !== undefined) n++;
    const out = await map.map(level, bits, n);
    const tx = x.tx.slice(2);
    for (let i = 0; i < known && i < 32; i++) setBit(records, tx, i, out[i]!);
    if (x.rx.length === 0) {
      rewritten++;
      continue;
    }
    let bcc = 0; // the received BCC (bits missing from a short answer count as 0)
    for (let k = 0; k < 8; k++) bcc |= (bits[32 + k] ?? 0) << k;
    const bccWrong = n === 32 ? xor4(bits) ^ bcc : 0;
    const junk = await hash.bytes(`rc522 junk ${level}:${bits.join("")}`, 6);
    for (let i = known; i < bits.length; i++) {
      if (from[i] === undefined) continue;
      let v: number;
      if (i < n) v = out[i]!;
      else if (i >= 32 && i < 40 && n === 32 && !collided) {
        v = ((xor4(out) ^ bccWrong) >> (i - 32)) & 1;
      } else v = (junk[(i >> 3) % 6]! >> (i & 7)) & 1;
      setBit(records, x.rx, from[i]!, v);
    }
    rewritten++;
  }
  return rewritten;
}
