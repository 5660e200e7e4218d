/**
 * Every gate of the config, at run time: builds each gate's relay output
 * and allow file, routes each accepted scan to the gate its reader asks,
 * teaches the learned table from live answers, re-reads allow files when they
 * change, and reports status. The learned table is shared by all gates (a
 * card iFlow knows is known at every gate).
 *
 * @module
 */

import type { GpioOutputIoctl } from "../../driver/wiegand/gpio_output.ts";
import type { GateEventKind, ScanInput } from "../journal/types.ts";
import type { Logger } from "../log.ts";
import type { LiveFeedback } from "../sync/types.ts";
import type { HistogramSnapshot } from "../sync/histogram.ts";
import type { Histogram } from "../status/snapshot.ts";
import { AllowFile, type AllowFileStats } from "./allow_file.ts";
import type { GateConfig } from "./config.ts";
import { type AnnotationSink, GateAnnotations, type ReleaseSink } from "./annotations.ts";
import { ContactInput } from "./gpio_input.ts";
import { GpioGateOutput, OsdpGateOutput, type ReaderOutput } from "./outputs.ts";
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
  annotate?: AnnotationSink;
  /** Releases scans held for their passage (the journal's `releaseHeld`). */
  release?: ReleaseSink;
  /** Journals an exit-button press or a remote open (the journal's `appendEvent`); resolves with its seq. */
  journalEvent?: (gate: string, kind: GateEventKind, atMs: number) => Promise<number>;
  /** Drives an OSDP reader's output (gates with an `osdp` output). */
  readerOutput?: ReaderOutput;
  /** GPIO kernel layer for a chip path and line (simulated chips in tests and the demo). */
  gpio?: (chip: string, line: number) => GpioOutputIoctl | undefined;
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
  /** Problems of the exit button or passage sensor lines, if any. */
  inputErrors: string[];
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

interface Entry {
  gate: Gate;
  allow: AllowFile | null;
  relay: Relay;
  cfg: GateConfig;
  inputs: ContactInput[];
}

/** The gates of one agent. */
export class GateSet {
  readonly #gates: Entry[] = [];
  readonly #byReader = new Map<string, Gate>();
  readonly #listeners = new Set<(ev: GateEvent) => void>();
  readonly #o: GateSetOptions;
  readonly #notes: GateAnnotations;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #pendingEvents: Promise<void> = Promise.resolve();

  private constructor(o: GateSetOptions) {
    this.#o = o;
    this.#notes = new GateAnnotations(o.annotate, o.log, o.release);
  }

  /** Builds every gate, releases every relay, reads the allow files, starts the inputs. */
  static async start(o: GateSetOptions): Promise<GateSet> {
    const set = new GateSet(o);
    for (const cfg of o.gates) set.#gates.push(set.#build(cfg));
    await set.refreshAllowFiles();
    const every = o.allowRefreshMs ?? ALLOW_REFRESH_MS;
    if (every > 0 && set.#gates.some((g) => g.allow)) {
      const t = setInterval(() => void set.refreshAllowFiles(), every);
      Deno.unrefTimer(t);
      set.#refreshTimer = t;
    }
    for (const g of set.#gates) for (const i of g.inputs) i.start();
    return set;
  }

  #build(cfg: GateConfig): Entry {
    const o = this.#o;
    const timers = o.timers ?? realTimers;
    const log = (level: "warn" | "error") => (msg: string) => o.log(level, msg, { gate: cfg.name });
    const relay = new Relay(this.#output(cfg), timers, log("error"));
    relay.start();
    const allow = cfg.allow === undefined ? null : new AllowFile(cfg.allow, log("warn"));
    const gate = new Gate({
      config: cfg,
      relay,
      allow: allow ? (tag) => allow.verdict(tag) : () => null,
      learned: o.learned.table,
      online: o.online,
      live: o.live,
      feedback: o.feedback,
      onDecision: (ev, scan) => this.#decided(ev, scan, gate),
      onPassage: (scan, passed) => this.#notes.passage(scan, passed),
      now: o.now ?? Date.now,
      timers,
    });
    for (const r of cfg.readers) this.#byReader.set(r, gate);
    const inputs: ContactInput[] = [];
    const contacts = [
      { c: cfg.exitButton, what: "exit button", onActive: () => gate.exit() },
      { c: cfg.passage, what: "passage sensor", onActive: () => gate.passage() },
    ];
    for (const { c, what, onActive } of contacts) {
      if (!c) continue;
      inputs.push(
        new ContactInput({
          chip: c.chip,
          line: c.line,
          activeLow: c.activeLow,
          what: `gate ${cfg.name} ${what}`,
          onActive,
          onError: log("error"),
          ioctl: o.gpio?.(c.chip, c.line),
        }),
      );
    }
    return { gate, allow, relay, cfg, inputs };
  }

  #output(cfg: GateConfig): GateOutput {
    const out = cfg.output;
    if (out.kind === "gpio") return new GpioGateOutput(out, this.#o.gpio?.(out.chip, out.line));
    return new OsdpGateOutput(out, this.#o.readerOutput ?? (() => false));
  }

  #decided(ev: GateEvent, scan: ScanRef | null, gate: Gate): void {
    if (!scan && (ev.reason === "exit" || ev.reason === "manual")) this.#journalEvent(ev, gate);
    if (scan) {
      this.#notes.decided(scan, {
        gate: ev.gate,
        granted: ev.granted,
        reason: ev.reason,
        passed: null,
      });
    }
    const what = ev.reason === "exit"
      ? "exit button"
      : ev.reason === "manual"
      ? "gate opened remotely"
      : ev.granted
      ? "gate opened"
      : "gate stays shut";
    this.#o.log(ev.granted ? "info" : "warn", what, {
      gate: ev.gate,
      reader: ev.reader,
      rfidTag: ev.rfidTag,
      reason: ev.reason,
    });
    for (const fn of this.#listeners) fn(ev);
  }

  /** Journals an exit or remote open (not a scan: never sent to iFlow); counts the outcome. */
  #journalEvent(ev: GateEvent, gate: Gate): void {
    const write = this.#o.journalEvent;
    if (!write) return;
    const kind: GateEventKind = ev.reason === "exit" ? "exit" : "manual-open";
    const c = gate.counters;
    this.#pendingEvents = this.#pendingEvents.then(() =>
      write(ev.gate, kind, ev.atMs).then(
        () => void c.eventsJournaled++,
        (err) => {
          c.eventsFailed++;
          this.#o.log("error", "gate event could not be journaled", {
            gate: ev.gate,
            event: kind,
            error: (err as Error).message,
          });
        },
      )
    );
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
    if (this.#byReader.has(scan.reader)) this.#notes.journaled(scan, seq);
  }

  /** A scan could not be journaled: nothing to annotate. */
  lost(scan: ScanInput): void {
    this.#notes.lost(scan);
  }

  /** A live answer: teaches the learned table and decides a scan awaiting it. */
  onLive(f: LiveFeedback): void {
    teachLive(this.#o.learned, f);
    this.#byReader.get(f.reader)?.liveAnswer(f.reader, f.rfidTag, f.stored, f.certain);
  }

  /** Opens gate `name` without a card (`exit` button or `manual` remote open); false if there is no such gate. */
  open(name: string, reason: "exit" | "manual"): boolean {
    const g = this.#gates.find((g) => g.cfg.name === name);
    g?.gate.exit(reason);
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

  /** Waits until every queued annotation and gate event is written (or failed). */
  async drain(): Promise<void> {
    await this.#pendingEvents;
    await this.#notes.drain();
  }

  /** Status of every gate. */
  status(): GateStatus[] {
    return this.#gates.map(({ gate, allow, relay, cfg, inputs }) => ({
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
      annotationsFailed: this.#notes.counters.failed,
      inputErrors: inputs.flatMap((i) => (i.lastError ? [i.lastError] : [])),
    }));
  }

  /**
   * Stops the inputs, live waits and allow-file checks, releases every relay,
   * writes the queued annotations. The learned table stays open (the sync may
   * still teach it); its owner closes it.
   */
  async stop(): Promise<void> {
    if (this.#refreshTimer !== undefined) clearInterval(this.#refreshTimer);
    this.#refreshTimer = undefined;
    await Promise.all(this.#gates.flatMap((g) => g.inputs.map((i) => i.close())));
    for (const g of this.#gates) g.gate.stop();
    await this.#pendingEvents;
    await this.#notes.stop();
  }
}
