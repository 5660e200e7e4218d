/**
 * One gate at run time: a scan from one of its readers is decided in the
 * same event-loop turn (allow file and learned table are in memory), the
 * relay pulses on a grant, and the tapped reader gets green/short beep or
 * red/long beep. The journal append runs beside it; nothing here waits for
 * the disk.
 *
 * Live mode (`iflow.mode: "live"`, iFlow reachable, policy `known`, the tag
 * not in the allow file): the live answer for the scan decides when it comes
 * within `liveTimeoutMs`; otherwise the learned table decides when the time
 * is up.
 *
 * @module
 */

import type { GateConfig } from "./config.ts";
import {
  type AllowVerdict,
  decide,
  type Decision,
  type DecisionReason,
  liveDecision,
} from "./decide.ts";
import type { LearnedTable } from "./learned.ts";
import type { Relay, Timers } from "./relay.ts";
import { LatencyHistogram } from "../sync/histogram.ts";

/** Buckets of the card → relay histogram, ms. */
export const OPEN_LATENCY_BUCKETS_MS: readonly number[] = Object.freeze([
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  250,
  500,
  1000,
  2500,
]);

/** A decision taken, as reported to status, `/events` and tests. */
export interface GateEvent {
  /** Gate name. */
  gate: string;
  /** Reader tapped (`""` for the exit button). */
  reader: string;
  /** The tag (`""` for the exit button). */
  rfidTag: string;
  /** Opened or not. */
  granted: boolean;
  /** Why (`exit` for the exit button, `manual` for a remote open). */
  reason: DecisionReason | "exit" | "manual";
  /** Epoch ms decided. */
  atMs: number;
}

/** The scan a decision is about: the object the pipeline journals (a key for its annotation). */
export interface ScanRef {
  /** Reader tapped. */
  reader: string;
  /** The tag. */
  rfidTag: string;
  /** Epoch ms the card was read (for the card → relay latency). */
  epochMs?: number;
  /**
   * Set by the gate before the scan is journaled when it is granted at once by
   * a gate with `sendUnpassed: false`: held until its passage is known.
   */
  hold?: boolean;
}

/** Per-gate counters. */
export interface GateCounters {
  /** Scans granted. */
  granted: number;
  /** Scans denied. */
  denied: number;
  /** Decisions by reason. */
  reasons: Record<string, number>;
  /** Exit-button opens. */
  exits: number;
  /** Remote opens (`POST /actions/open`). */
  manualOpens: number;
  /** Live answers that decided in time. */
  liveDecided: number;
  /** Live waits that ran out (the learned table decided). */
  liveTimedOut: number;
  /** Granted scans the passage sensor saw pass within its timeout. */
  passed: number;
  /** Granted scans nobody passed for within the timeout. */
  notPassed: number;
  /** Passages with no granted scan waiting (tailgating, or someone pushing through). */
  unexpectedPassages: number;
  /** Granted scans held until their passage is known (`sendUnpassed: false`). */
  held: number;
  /** Exit-button presses and remote opens journaled. */
  eventsJournaled: number;
  /** Exit-button presses and remote opens that could not be journaled (logged). */
  eventsFailed: number;
}

/** What a gate needs around it. */
export interface GateDeps {
  /** The gate's config entry. */
  config: GateConfig;
  /** The relay (already started). */
  relay: Relay;
  /** The allow file's verdict for a tag (null without an allow file). */
  allow: (tag: string) => AllowVerdict;
  /** The learned table. */
  learned: LearnedTable;
  /** True when iFlow can be asked now. */
  online: () => boolean;
  /** True in live mode. */
  live: boolean;
  /** Feedback on the tapped reader. */
  feedback: (reader: string, granted: boolean) => void;
  /** Each decision, once taken, with the scan it is about (null for the exit button). */
  onDecision: (ev: GateEvent, scan: ScanRef | null) => void;
  /** A granted scan's passage outcome (gates with a passage sensor). */
  onPassage: (scan: ScanRef, passed: boolean) => void;
  /** Wall clock. */
  now: () => number;
  /** Timers (live waits). */
  timers: Timers;
}

/** One gate. */
export class Gate {
  /** Counters. */
  readonly counters: GateCounters = {
    granted: 0,
    denied: 0,
    reasons: {},
    exits: 0,
    manualOpens: 0,
    liveDecided: 0,
    liveTimedOut: 0,
    passed: 0,
    notPassed: 0,
    unexpectedPassages: 0,
    held: 0,
    eventsJournaled: 0,
    eventsFailed: 0,
  };
  /** The last decision, or null. */
  last: GateEvent | null = null;
  /** Card read → relay energised, ms (granted scans). */
  readonly openLatency: LatencyHistogram = new LatencyHistogram(OPEN_LATENCY_BUCKETS_MS);
  readonly #d: GateDeps;
  readonly #waiting = new Map<string, { timer: unknown; scan: ScanRef }>();
  /** Granted scans waiting for the passage sensor, oldest first. */
  #passages: { scan: ScanRef; timer: unknown }[] = [];

  /** A gate over `deps`. */
  constructor(deps: GateDeps) {
    this.#d = deps;
  }

  /** The gate's name. */
  get name(): string {
    return this.#d.config.name;
  }

  /** Live waits in progress. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Decides `scan` now. Returns the decision, or null when a live answer is
   * awaited (the decision follows within `liveTimeoutMs`).
   */
  scan(scan: ScanRef): Decision | null {
    const { reader, rfidTag: tag } = scan;
    const d = this.#d;
    const online = d.online();
    const allow = d.allow(tag);
    d.learned.seen(tag, d.now());
    const local = decide({
      policy: d.config.policy,
      offline: d.config.offline,
      online,
      allow,
      learned: d.learned.get(tag),
    });
    if (d.live && online && d.config.policy === "known" && allow === null) {
      const key = `${reader}\u0000${tag}`;
      if (!this.#waiting.has(key)) {
        const timer = d.timers.set(() => this.#liveTimeout(key), d.config.liveTimeoutMs);
        this.#waiting.set(key, { timer, scan });
        return null;
      }
    }
    this.#apply(scan, local, true);
    return local;
  }

  /** A live answer for a scan of `tag` on `reader`: decides it if it is awaited. */
  liveAnswer(reader: string, tag: string, stored: boolean, certain: boolean): boolean {
    const key = `${reader}\u0000${tag}`;
    const w = this.#waiting.get(key);
    if (!w) return false;
    if (!stored && !certain) return false; // unknown outcome: the timeout decides locally
    this.#d.timers.clear(w.timer);
    this.#waiting.delete(key);
    this.counters.liveDecided++;
    this.#apply(w.scan, liveDecision(stored));
    return true;
  }

  #liveTimeout(key: string): void {
    const w = this.#waiting.get(key);
    if (!w) return;
    this.#waiting.delete(key);
    this.counters.liveTimedOut++;
    const d = this.#d;
    const tag = w.scan.rfidTag;
    this.#apply(
      w.scan,
      decide({
        policy: d.config.policy,
        offline: d.config.offline,
        online: d.online(),
        allow: d.allow(tag),
        learned: d.learned.get(tag),
      }),
    );
  }

  /** `atOnce`: decided in the turn of the read, before the scan is journaled (it can be held). */
  #apply(scan: ScanRef, decision: Decision, atOnce = false): void {
    const d = this.#d;
    const c = this.counters;
    if (decision.granted) {
      c.granted++;
      d.relay.open(d.config.output.pulseMs);
      if (scan.epochMs !== undefined) this.openLatency.observe(Math.max(0, d.now() - scan.epochMs));
      const sensor = d.config.passage;
      if (sensor) {
        if (atOnce && d.config.sendUnpassed === false) {
          scan.hold = true;
          c.held++;
        }
        const p = { scan, timer: undefined as unknown };
        p.timer = d.timers.set(() => this.#notPassed(p), sensor.timeoutMs);
        this.#passages.push(p);
      }
    } else c.denied++;
    c.reasons[decision.reason] = (c.reasons[decision.reason] ?? 0) + 1;
    d.feedback(scan.reader, decision.granted);
    this.#emit(scan, decision.granted, decision.reason);
  }

  /** The passage sensor tripped: the oldest granted scan waiting passed. */
  passage(): void {
    const p = this.#passages.shift();
    if (!p) {
      this.counters.unexpectedPassages++;
      return;
    }
    this.#d.timers.clear(p.timer);
    this.counters.passed++;
    this.#d.onPassage(p.scan, true);
  }

  #notPassed(p: { scan: ScanRef; timer: unknown }): void {
    const i = this.#passages.indexOf(p);
    if (i < 0) return;
    this.#passages.splice(i, 1);
    this.counters.notPassed++;
    this.#d.onPassage(p.scan, false);
  }

  /** Opens without a card: the exit button (`exit`) or a remote open (`manual`). */
  exit(reason: "exit" | "manual" = "exit"): void {
    if (reason === "exit") this.counters.exits++;
    else this.counters.manualOpens++;
    this.#d.relay.open(this.#d.config.output.pulseMs);
    this.#emit(null, true, reason);
  }

  #emit(scan: ScanRef | null, granted: boolean, reason: GateEvent["reason"]): void {
    const ev: GateEvent = {
      gate: this.name,
      reader: scan?.reader ?? "",
      rfidTag: scan?.rfidTag ?? "",
      granted,
      reason,
      atMs: this.#d.now(),
    };
    this.last = ev;
    this.#d.onDecision(ev, scan);
  }

  /** Drops live waits (nothing opens after stop) and releases the relay. */
  stop(): void {
    for (const key of [...this.#waiting.keys()]) {
      const w = this.#waiting.get(key)!;
      this.#d.timers.clear(w.timer);
      this.#waiting.delete(key);
    }
    for (const p of this.#passages) this.#d.timers.clear(p.timer);
    this.#passages = [];
    this.#d.relay.stop();
  }
}
