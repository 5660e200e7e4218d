/**
 * The TypeScript side of the TS-vs-C comparison: one pass of each hot loop
 * over its input (bench/native/inputs.ts), through pontaj's public entry
 * points, returning the units decoded and adding each unit's value (the same
 * value the C side adds, see bench/native/*.c) into `sum[0]`, wrapping at 32 bits.
 *
 * @module
 */

import { CardRead } from "../../driver/card.ts";
import { AsciiFrameDecoder } from "../../driver/ascii/frame.ts";
import { OsdpParser } from "../../driver/osdp/parser.ts";
import { checkCrcA, crcA } from "../../driver/rc522/crc_a.ts";
import { appendLevelUid, mergeAnswer } from "../../driver/rc522/anticollision.ts";
import { X_OK } from "../../driver/rc522/exchange.ts";
import { crc32c } from "../../service/journal/crc32c.ts";
import { DecodeStatus, decodeWiegandBits, WiegandFormatSet } from "../../driver/wiegand/decode.ts";
import { type FrameSink, WiegandAssembler } from "../../driver/wiegand/assembler.ts";
import type { LoopName } from "./inputs.ts";

/**
 * One pass over the input: returns units decoded, adds their values into
 * `sum[0]`. With `short` true it decodes only the first unit or two: a
 * warm-up that gives every operation in the pass type feedback before V8
 * optimises the long loop (else the optimised loop deoptimises at its first
 * untried operation, at the end of every pass).
 */
export type Pass = (sum: Uint32Array, short?: boolean) => number;

/** Builds `loop`'s pass over `bytes` (`units` units); set-up allocates, the pass does not. */
export function makePass(loop: LoopName, bytes: Uint8Array, units: number): Pass {
  switch (loop) {
    case "wiegand":
      return wiegandPass(bytes, units);
    case "osdp":
      return osdpPass(bytes);
    case "crc-a":
      return (sum, short) => crcAPass(bytes, short ? 2 : units, sum);
    case "ascii":
      return asciiPass(bytes);
    case "crc32c":
      return (sum, short) => crc32cPass(bytes, short ? 2 : units, sum);
    case "rc522":
      return rc522Pass(bytes, units);
    case "wiegand-edges":
      return edgesPass(bytes);
  }
}

function crcAPass(data: Uint8Array, units: number, sum: Uint32Array): number {
  let s = 0;
  for (let u = 0; u < units; u++) s = (s + crcA(data, u * 7, 7)) | 0;
  sum[0] = s;
  return units;
}

function crc32cPass(data: Uint8Array, units: number, sum: Uint32Array): number {
  let s = 0;
  for (let u = 0; u < units; u++) s = (s + crc32c(data, u * 100, u * 100 + 100)) | 0;
  sum[0] = s;
  return units;
}

function wiegandPass(bytes: Uint8Array, units: number): Pass {
  const frames: Uint8Array[] = [];
  for (let u = 0; u < units; u++) frames.push(bytes.subarray(u * 26, u * 26 + 26));
  const read = new CardRead();
  const set = new WiegandFormatSet();
  return (sum, short) => {
    const f = frames;
    const end = short ? 2 : units;
    let s = 0;
    let n = 0;
    for (let u = 0; u < end; u++) {
      if (decodeWiegandBits(f[u]!, 26, read, set) === DecodeStatus.ok) {
        const d = read.data;
        let v = 0;
        for (let i = 0; i < read.byteLength; i++) v = (v << 8) | d[i]!;
        s = (s + v) | 0;
        n++;
      }
    }
    sum[0] = s;
    return n;
  };
}

function osdpPass(bytes: Uint8Array): Pass {
  const p = new OsdpParser();
  return (sum, short) => {
    const end = short ? 40 : bytes.length;
    const src = bytes;
    p.reset();
    let s = 0;
    let n = 0;
    let i = 0;
    for (;;) {
      i = p.feed(src, i, end);
      if (!p.ready) break;
      const b = p.frame; // in place in src, or the parser's buffer for a split frame
      const d = p.frameStart + p.dataOffset;
      s = (s + ((p.address | (p.code << 8) | (p.dataLength << 16)) +
        ((b[d + 4]! << 24) | (b[d + 5]! << 16) | (b[d + 6]! << 8) | b[d + 7]!))) | 0;
      n++;
    }
    sum[0] = s;
    return n;
  };
}

function asciiPass(bytes: Uint8Array): Pass {
  const dec = new AsciiFrameDecoder();
  const d = dec.read.data;
  return (sum, short) => {
    const src = bytes;
    const end = short ? 30 : src.length;
    dec.reset();
    let s = 0;
    let n = 0;
    for (let i = 0; i < end; i++) {
      if (dec.push(src[i]!)) {
        s = (s + (((d[1]! << 24) | (d[2]! << 16) | (d[3]! << 8) | d[4]!) + d[0]!)) | 0;
        n++;
      }
    }
    sum[0] = s;
    return n;
  };
}

/** The answer shape mergeAnswer reads (an Exchange in the driver). */
class Answer {
  status = X_OK;
  readonly rx = new Uint8Array(64);
  rxLen = 0;
  rxLastBits = 0;
  rxAlign = 0;
  collReg = 0;
}

function rc522Pass(bytes: Uint8Array, units: number): Pass {
  const x = new Answer();
  const cl = new Uint8Array(5);
  const uid = new Uint8Array(10);
  const next = new Int32Array(1);
  const errors = new Float64Array(3);
  return (sum, short) => {
    const src = bytes;
    const end = short ? 2 : units;
    let s = 0;
    let n = 0;
    const rx = x.rx;
    for (let u = 0; u < end; u++) {
      let p = u * 24;
      let uidLen = 0;
      let done = false;
      for (let level = 1; level <= 3; level++, p += 8) {
        rx[0] = src[p]!;
        rx[1] = src[p + 1]!;
        rx[2] = src[p + 2]!;
        rx[3] = src[p + 3]!;
        rx[4] = src[p + 4]!;
        x.status = 0; // X_OK (literals in the loop, as in the driver: see anticollision.ts)
        x.rxLen = 5;
        x.rxLastBits = 0;
        x.rxAlign = 0;
        x.collReg = 0;
        if (mergeAnswer(cl, 0, x, next) !== 0) { // AC_COMPLETE
          errors[0]!++;
          break;
        }
        rx[0] = src[p + 5]!;
        rx[1] = src[p + 6]!;
        rx[2] = src[p + 7]!;
        x.rxLen = 3;
        if (!checkCrcA(rx, 0, 3)) {
          errors[1]!++;
          break;
        }
        const sak = rx[0]!;
        uidLen = appendLevelUid(cl, level, sak, uid, uidLen);
        if (uidLen === -1) { // UID_CASCADE_ERROR
          errors[2]!++;
          break;
        }
        if ((sak & 4) === 0) { // SAK_CASCADE clear: the UID is complete
          done = true;
          break;
        }
      }
      if (!done) continue;
      let v = 0;
      for (let i = 0; i < uidLen; i++) v = (Math.imul(v, 31) + uid[i]!) | 0;
      s = (s + v) | 0;
      n++;
    }
    sum[0] = s;
    return n;
  };
}

/** Counts frames and adds their values (bits as a number + bit count), like the C sink. */
class EdgeSink implements FrameSink {
  sum = 0;
  frame(bits: Uint8Array, count: number): void {
    let v = 0;
    for (let i = 0; i < count; i++) v = (v << 1) | bits[i]!;
    this.sum = (this.sum + v + count) | 0;
  }
  fault(): void {}
}

function edgesPass(bytes: Uint8Array): Pass {
  const e = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  const sink = new EdgeSink();
  const asm = new WiegandAssembler(sink);
  const frames = asm.counters; // frames.frames: frames delivered
  return (sum, short) => {
    const end = short ? 360 : e.length; // two frames and a bit
    asm.reset();
    sink.sum = 0;
    const before = frames.frames;
    for (let i = 0; i < end; i += 3) {
      const f = e[i]!;
      asm.edge(f & 1, (f & 2) !== 0, e[i + 1]!, e[i + 2]!);
    }
    asm.flush();
    sum[0] = sink.sum;
    return frames.frames - before;
  };
}
