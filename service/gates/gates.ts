/**
 * Every gate of the config, at run time: builds each gate's relay output
 * and allow file, routes each accepted scan to the gate its reader asks,
 * teaches the learned table from live answers, re-reads allow files when they
 * change, and reports status. The learned table is shared by all gates (a
 * card iFlow knows is known at every gate).
 *
 * @module
 */

import { type GpioOutputIoctl, openGpioOutput } from "../../driver/wiegand/gpio_output.ts";
import type { GpioOutputLine } from "../../driver/wiegand/gpio_output.ts";
import type { GateNote, ScanInput } from "../journal/types.ts";
import type { Logger } from "../log.ts";
import type { LiveFeedback } from "../sync/types.ts";
import type { HistogramSnapshot } from "../sync/histogram.ts";
import type { Histogram } from "../status/snapshot.ts";
import { AllowFile, type AllowFileStats } from "./allow_file.ts";
import type { GateConfig, GateGpioOutput } from "./config.ts";
import { Gate, type GateCounters, type GateEvent, type ScanRef } from "./gate.ts";
import { teachLive } from "./learn.ts";
import type { LearnedStore } from "./learned_store.ts";
import { type GateOutput, realTimers, Relay, type RelayCounters, type Timers } from "./relay.ts";

/**
 * True when iFlow can be asked now: not refusing the token, not backing off,
 * and no failure since the last success (optimistic before the first request).
 */
export function iflowReachable(
  s: { state: string; lastErrorAtMs: number | null; lastSuccessAtMs: number | null },
): boolean {
  if (s.state === "auth-failed" || s.state === "backoff") return false;
  return s.lastErrorAtMs === null ||
    (s.lastSuccessAtMs !== null && s.lastSuccessAtMs >= s.lastErrorAtMs);
}

/** How often allow files are checked for changes (ms). */
export const ALLOW_REFRESH_MS = 2000;

/** Options of {@link GateSet.start}. */
export interface GateSetOptions {
  /** The `gates` section. */
  gates: readonly GateConfig[];
  /** The learned table and its file (opened by the caller). */
  learned: LearnedStore;
  /** True in live mode (`iflow.mode: "live"`). */
  live: boolean;
  /** True when iFlow can be asked now. */
  online: () => boolean;
  /** Feedback on a reader: granted (green, short beep) or denied (red, long beep). */
  feedback: (reader: string, granted: boolean) => void;
  /** Log sink. */
  log: Logger;
  /** Journals gate annotations beside their scans (durably); the default drops them. */
  annotate?: (notes: { seq: number; note: GateNote }[]) => Promise<void>;
  /** GPIO kernel layer per chip path (simulated chips in tests and the demo). */
  gpio?: (chip: string) => GpioOutputIoctl | undefined;
  /** Wall clock. */
  now?: () => number;
  /** Timers (relay pulses, live waits). */
  timers?: Timers;
  /** Allow-file check interval (ms; 0: only {@link GateSet.refreshAllowFiles}). */
  allowRefreshMs?: number;
}

/** A gate's status (`/health`). */
export interface GateStatus {
  /** Name. */
  name: string;
  /** Policy and offline mode. */
  policy: string;
  /** Offline mode. */
  offline: string;
  /** True while the relay is energised. */
  open: boolean;
  /** Decision counters. */
  counters: GateCounters;
  /** Relay counters. */
  relay: RelayCounters;
  /** The relay's last device error. */
  relayError: string | null;
  /** The allow file, if any. */
  allow: AllowFileStats | null;
  /** The last decision. */
  last: GateEvent | null;
  /** Card read → relay energised (granted scans), seconds. */
  openLatency: Histogram;
  /** Decisions that could not be journaled (all gates). */
  annotationsFailed: number;
}

/** A millisecond histogram snapshot in seconds (as `/metrics` shows it). */
function secondsHistogram(h: HistogramSnapshot): Histogram {
  return {
    bounds: h.bounds.map((b) => b / 1000),
    counts: h.counts,
    sum: h.sum / 1000,
    count: h.count,
  };
}

/** Scans awaiting their seq or their decision, at most. */
const MAX_UNPAIRED = 10_000;

/** A GPIO relay line, opened at start and reopened after a failure. */
class GpioGateOutput implements GateOutput {
  readonly #cfg: GateGpioOutput;
  readonly #io: GpioOutputIoctl | undefined;
  #line: GpioOutputLine | null = null;

  constructor(cfg: GateGpioOutput, io: GpioOutputIoctl | undefined) {
    this.#cfg = cfg;
    this.#io = io;
  }

  set(active: boolean): void {
    this.#line ??= openGpioOutput({
      chip: this.#cfg.chip,
      line: this.#cfg.line,
      activeLow: this.#cfg.activeLow,
      ioctl: this.#io,
    });
    try {
      this.#line.set(active);
    } catch (err) {
      this.#line.close();
      this.#line = null;
      throw err;
    }
  }

  close(): void {
    this.#line?.close();
    this.#line = null;
  }
}

/** The gates of one agent. */
export class GateSet {
  readonly #gates: { gate: Gate; allow: AllowFile | null; relay: Relay; cfg: GateConfig }[] = [];
  readonly #byReader = new Map<string, Gate>();
  readonly #listeners = new Set<(ev: GateEvent) => void>();
  readonly #o: GateSetOptions;
  /** Decision and seq of a scan, until both are known and the annotation is queued. */
  readonly #unpaired = new Map<ScanRef, { seq?: number; note?: GateNote }>();
  #queue: { seq: number; note: GateNote }[] = [];
  #flushing: Promise<void> | null = null;
  /** Annotations written, and the ones that could not be. */
  readonly annotations = { written: 0, failed: 0 };
  #stopped = false;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(o: GateSetOptions) {
    this.#o = o;
  }

  /** Builds every gate, releases every relay, reads the allow files. */
  static async start(o: GateSetOptions): Promise<GateSet> {
    const set = new GateSet(o);
    const now = o.now ?? Date.now;
    const timers = o.timers ?? realTimers;
    for (const cfg of o.gates) {
      const output = set.#output(cfg);
      const relay = new Relay(
        output,
        timers,
        (msg) => o.log("error", msg, { gate: cfg.name }),
      );
      relay.start();
      const allow = cfg.allow === undefined
        ? null
        : new AllowFile(cfg.allow, (msg) => o.log("warn", msg, { gate: cfg.name }));
      const gate = new Gate({
        config: cfg,
        relay,
        allow: allow ? (tag) => allow.verdict(tag) : () => null,
        learned: o.learned.table,
        online: o.online,
        live: o.live,
        feedback: o.feedback,
        onDecision: (ev, scan) => set.#decided(ev, scan),
        now,
        timers,
      });
      set.#gates.push({ gate, allow, relay, cfg });
      for (const r of cfg.readers) set.#byReader.set(r, gate);
    }
    await set.refreshAllowFiles();
    const every = o.allowRefreshMs ?? ALLOW_REFRESH_MS;
    if (every > 0 && set.#gates.some((g) => g.allow)) {
      const t = setInterval(() => void set.refreshAllowFiles(), every);
      Deno.unrefTimer(t as unknown as number);
      set.#refreshTimer = t;
    }
    return set;
  }

  #output(cfg: GateConfig): GateOutput {
    const out = cfg.output;
    if (out.kind === "gpio") return new GpioGateOutput(out, this.#o.gpio?.(out.chip));
    throw new Error(`gate ${cfg.name}: output kind '${out.kind}' is not supported yet`);
  }

  #decided(ev: GateEvent, scan: ScanRef | null): void {
    if (scan && ev.reason !== "exit") {
      this.#pair(scan, undefined, {
        gate: ev.gate,
        granted: ev.granted,
        reason: ev.reason,
        passed: null,
      });
    }
    this.#o.log(ev.granted ? "info" : "warn", ev.granted ? "gate opened" : "gate stays shut", {
      gate: ev.gate,
      reader: ev.reader,
      rfidTag: ev.rfidTag,
      reason: ev.reason,
    });
    for (const fn of this.#listeners) fn(ev);
  }

  /** True when `reader` asks a gate (its feedback comes from the gate). */
  hasReader(reader: string): boolean {
    return this.#byReader.has(reader);
  }

  /** Decides a scan that passed debounce (synchronously; the journal append runs beside it). */
  onScan(scan: ScanInput): void {
    this.#byReader.get(scan.reader)?.scan(scan);
  }

  /** A scan of a gate's reader is journaled as `seq`: its decision is annotated beside it. */
  journaled(scan: ScanInput, seq: number): void {
    if (!this.#stopped && this.#byReader.has(scan.reader)) this.#pair(scan, seq, undefined);
  }

  /** A scan could not be journaled: nothing to annotate. */
  lost(scan: ScanInput): void {
    this.#unpaired.delete(scan);
  }

  #pair(scan: ScanRef, seq: number | undefined, note: GateNote | undefined): void {
    const u = this.#unpaired.get(scan) ?? {};
    if (seq !== undefined) u.seq = seq;
    if (note !== undefined) u.note = note;
    if (u.seq !== undefined && u.note !== undefined) {
      this.#unpaired.delete(scan);
      this.#queue.push({ seq: u.seq, note: u.note });
      this.#flushSoon();
      return;
    }
    this.#unpaired.set(scan, u);
    if (this.#unpaired.size > MAX_UNPAIRED) {
      this.#unpaired.delete(this.#unpaired.keys().next().value!);
    }
  }

  #flushSoon(): void {
    this.#flushing ??= Promise.resolve().then(() => this.#flush());
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await (this.#o.annotate?.(batch) ?? Promise.resolve());
        this.annotations.written += batch.length;
      } catch (err) {
        this.annotations.failed += batch.length;
        this.#o.log("error", "gate decisions could not be journaled", {
          count: batch.length,
          error: (err as Error).message,
        });
      }
    }
    this.#flushing = null;
  }

  /** Waits until every queued annotation is written (or failed). */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /** A live answer: teaches the learned table and decides a scan awaiting it. */
  onLive(f: LiveFeedback): void {
    teachLive(this.#o.learned, f);
    this.#byReader.get(f.reader)?.liveAnswer(f.reader, f.rfidTag, f.stored, f.certain);
  }

  /** Opens gate `name` without a card (exit button, remote open); false if there is no such gate. */
  exit(name: string): boolean {
    const g = this.#gates.find((g) => g.cfg.name === name);
    g?.gate.exit();
    return g !== undefined;
  }

  /** Calls `fn` with each decision; returns the unsubscribe function. */
  subscribe(fn: (ev: GateEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Re-reads allow files that changed. */
  async refreshAllowFiles(): Promise<void> {
    for (const g of this.#gates) await g.allow?.refresh();
  }

  /** Status of every gate. */
  status(): GateStatus[] {
    return this.#gates.map(({ gate, allow, relay, cfg }) => ({
      name: cfg.name,
      policy: cfg.policy,
      offline: cfg.offline,
      open: relay.energised,
      counters: structuredClone(gate.counters),
      relay: { ...relay.counters },
      relayError: relay.lastError,
      allow: allow?.stats() ?? null,
      last: gate.last,
      openLatency: secondsHistogram(gate.openLatency.snapshot()),
      annotationsFailed: this.annotations.failed,
    }));
  }

  /**
   * Releases every relay, stops live waits and allow-file checks, writes the
   * queued annotations. The learned table stays open (the sync may still teach
   * it); its owner closes it.
   */
  async stop(): Promise<void> {
    if (this.#refreshTimer !== undefined) clearInterval(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#stopped = true;
    for (const g of this.#gates) g.gate.stop();
    await this.drain();
  }
}
