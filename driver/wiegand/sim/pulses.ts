/**
 * A Wiegand pulse generator: any bit string (card frames, keypad bursts) →
 * D0/D1 edges with configurable pulse width, spacing and jitter, plus
 * glitches and noise, seeded so every run is reproducible. It writes
 * `gpio_v2_line_event` bytes for the GPIO source's parser, or feeds edges
 * straight into an {@link EdgeTarget}.
 *
 * @example
 * ```ts
 * const gen = new WiegandPulseGenerator({ seed: 7 });
 * gen.card("h10301", 90, 324).idle(100);
 * const bytes = gen.eventBytes(); // 52 events × 48 bytes
 * ```
 *
 * @module
 */

import { encodeWiegand } from "../encode.ts";
import type { CompiledFormat, WiegandFormatDef } from "../formats.ts";
import {
  type EdgeTarget,
  GPIO_V2_EVENT_FALLING,
  GPIO_V2_EVENT_RISING,
  GPIO_V2_LINE_EVENT_SIZE,
  writeLineEvent,
} from "../gpio_event.ts";
import { keypadByte } from "../keypad.ts";
import { SeededRandom } from "../../random.ts";

/** One simulated edge. */
export interface SimEdge {
  /** 0 = D0, 1 = D1. */
  line: number;
  /** True when the line goes high (end of a pulse). */
  rising: boolean;
  /** Time in ns (monotonic clock). */
  tNs: bigint;
}

/** Pulse generator settings. */
export interface PulseOptions {
  /** Pulse width (default 50 µs). */
  pulseUs?: number;
  /** Start-to-start bit spacing (default 2000 µs). */
  intervalUs?: number;
  /** Uniform ± jitter on width and spacing (default 0). */
  jitterUs?: number;
  /** Chance per bit of a short glitch on a random line between bits (default 0). */
  glitchRate?: number;
  /** Glitch width (default 5 µs: below the 20 µs minimum). */
  glitchUs?: number;
  /** Chance per bit of a spurious full-width pulse between bits (corrupts the frame; default 0). */
  noiseRate?: number;
  /** Silence after each frame or burst (default 50 ms). */
  frameGapMs?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Time of the first edge (default 1 s). */
  startNs?: bigint;
  /** GPIO line offset of D0 in event bytes (default 0). */
  d0Offset?: number;
  /** GPIO line offset of D1 in event bytes (default 1). */
  d1Offset?: number;
}

/** Generates Wiegand edges; chain calls, then take the edges or bytes. */
export class WiegandPulseGenerator {
  /** Edges generated and not yet taken. */
  readonly edges: SimEdge[] = [];
  /** The generator's clock (time of the next pulse). */
  nowNs: bigint;
  readonly #o: Required<Omit<PulseOptions, "startNs">>;
  readonly #rng: SeededRandom;
  #seq = 0;
  readonly #lineSeq = [0, 0];

  /** Creates a generator (defaults in {@link PulseOptions}). */
  constructor(options: PulseOptions = {}) {
    this.#o = {
      pulseUs: options.pulseUs ?? 50,
      intervalUs: options.intervalUs ?? 2000,
      jitterUs: options.jitterUs ?? 0,
      glitchRate: options.glitchRate ?? 0,
      glitchUs: options.glitchUs ?? 5,
      noiseRate: options.noiseRate ?? 0,
      frameGapMs: options.frameGapMs ?? 50,
      seed: options.seed ?? 1,
      d0Offset: options.d0Offset ?? 0,
      d1Offset: options.d1Offset ?? 1,
    };
    this.#rng = new SeededRandom(this.#o.seed);
    this.nowNs = options.startNs ?? 1_000_000_000n;
  }

  /** Next value in [0, 1) (the project's seeded generator). */
  random(): number {
    return this.#rng.next();
  }

  #jitterNs(): number {
    return this.#o.jitterUs === 0 ? 0 : (this.random() * 2 - 1) * this.#o.jitterUs * 1000;
  }

  #ns(v: number): bigint {
    return BigInt(Math.max(1, Math.round(v)));
  }

  /** Adds one low pulse on `line` starting at `startNs`, `widthNs` long. */
  pulse(line: number, startNs: bigint, widthNs: number): this {
    this.edges.push({ line, rising: false, tNs: startNs });
    this.edges.push({ line, rising: true, tNs: startNs + this.#ns(widthNs) });
    return this;
  }

  /** Sends a frame: `bits` as a `"0101…"` string or one bit per byte; then the frame gap. */
  frame(bits: string | Uint8Array): this {
    const b = typeof bits === "string" ? Array.from(bits, (ch) => (ch === "1" ? 1 : 0)) : bits;
    const o = this.#o;
    let t = this.nowNs;
    for (let i = 0; i < b.length; i++) {
      const line = b[i] ? 1 : 0;
      const width = o.pulseUs * 1000 + this.#jitterNs();
      this.pulse(line, t, width);
      const interval = this.#ns(o.intervalUs * 1000 + this.#jitterNs());
      if (i < b.length - 1) {
        const gapStart = t + this.#ns(width) + 20_000n; // past the pulse
        const room = Number(t + interval - gapStart) - 60_000; // and before the next one
        if (o.glitchRate > 0 && room > 0 && this.random() < o.glitchRate) {
          const at = gapStart + BigInt(Math.floor(this.random() * room));
          this.pulse(this.random() < 0.5 ? 0 : 1, at, o.glitchUs * 1000);
        }
        if (o.noiseRate > 0 && room > 0 && this.random() < o.noiseRate) {
          const at = gapStart + BigInt(Math.floor(this.random() * room * 0.5));
          this.pulse(this.random() < 0.5 ? 0 : 1, at, o.pulseUs * 1000);
        }
      }
      t += interval;
    }
    this.nowNs = t + BigInt(Math.round(o.frameGapMs * 1e6));
    return this;
  }

  /** Sends the frame for `facility`/`card` in `format`. */
  card(format: string | WiegandFormatDef | CompiledFormat, facility: number, card: number): this {
    return this.frame(encodeWiegand(format, facility, card));
  }

  /** Sends one key as a 4-bit or 8-bit (`0xA5`-style) burst. */
  key(code: number, burstBits: 4 | 8 = 4): this {
    const v = burstBits === 8 ? keypadByte(code) : code & 15;
    let s = "";
    for (let i = burstBits - 1; i >= 0; i--) s += (v >>> i) & 1 ? "1" : "0";
    return this.frame(s);
  }

  /** Sends keys for `text` (`0`–`9`, `*` = `star`, `#` = `hash`). */
  keys(text: string, burstBits: 4 | 8 = 4, star = 10, hash = 11): this {
    for (const ch of text) this.key(ch === "*" ? star : ch === "#" ? hash : Number(ch), burstBits);
    return this;
  }

  /** Advances the clock by `ms` with no edges. */
  idle(ms: number): this {
    this.nowNs += BigInt(Math.round(ms * 1e6));
    return this;
  }

  /** Both lines low together for `us` (a faulty or unpowered reader), then the frame gap. */
  bothLow(us: number): this {
    const t = this.nowNs;
    this.edges.push({ line: 0, rising: false, tNs: t });
    this.edges.push({ line: 1, rising: false, tNs: t + 1000n });
    this.edges.push({ line: 0, rising: true, tNs: t + this.#ns(us * 1000) });
    this.edges.push({ line: 1, rising: true, tNs: t + this.#ns(us * 1000) + 1000n });
    this.nowNs = t + this.#ns(us * 1000) + BigInt(Math.round(this.#o.frameGapMs * 1e6));
    return this;
  }

  /** Random edges (any line, any direction, random spacing up to `maxGapUs`): fuzzing input. */
  randomEdges(count: number, maxGapUs = 3000): this {
    for (let i = 0; i < count; i++) {
      this.nowNs += this.#ns(this.random() * maxGapUs * 1000);
      this.edges.push({
        line: this.random() < 0.5 ? 0 : 1,
        rising: this.random() < 0.5,
        tNs: this.nowNs,
      });
    }
    return this;
  }

  /** Removes and returns the edges generated so far, in time order. */
  take(): SimEdge[] {
    const out = this.edges.splice(0, this.edges.length);
    out.sort((a, b) => (a.tNs < b.tNs ? -1 : a.tNs > b.tNs ? 1 : 0));
    return out;
  }

  /** Takes the edges and writes them as `gpio_v2_line_event` records (48 bytes each). */
  eventBytes(edges: SimEdge[] = this.take()): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(edges.length * GPIO_V2_LINE_EVENT_SIZE);
    edges.forEach((e, i) => {
      const line = e.line & 1;
      this.#seq++;
      this.#lineSeq[line]!++;
      writeLineEvent(out, i * GPIO_V2_LINE_EVENT_SIZE, {
        timestampNs: e.tNs,
        id: e.rising ? GPIO_V2_EVENT_RISING : GPIO_V2_EVENT_FALLING,
        offset: line === 0 ? this.#o.d0Offset : this.#o.d1Offset,
        seqno: this.#seq,
        lineSeqno: this.#lineSeq[line]!,
      });
    });
    return out;
  }

  /** Takes the edges and feeds them to `target` (e.g. an assembler). */
  feed(target: EdgeTarget, edges: SimEdge[] = this.take()): void {
    for (const e of edges) {
      const sec = e.tNs / 1_000_000_000n;
      target.edge(e.line, e.rising, Number(sec), Number(e.tNs - sec * 1_000_000_000n));
    }
  }
}
