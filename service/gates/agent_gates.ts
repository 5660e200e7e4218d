/**
 * The agent's side of gates and `/events`: the learned table (opened with
 * the journal when gates are configured), the teaching journal the sync
 * engine writes through, the {@link GateSet}, and the event hub `/events`
 * streams from. The agent calls it at each step of a scan's life.
 *
 * @module
 */

import type { Config } from "../config/schema.ts";
import type { Journal } from "../journal/journal.ts";
import type { GateEventInput, GateEventKind, ScanInput } from "../journal/types.ts";
import { localStamp } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { DeviceOverrides } from "../readers/kind.ts";
import type { StatusEvent } from "../status/events.ts";
import type { GateRouteActions } from "../status/events.ts";
import type { LiveFeedback, SyncJournal } from "../sync/types.ts";
import { GateSet, iflowReachable } from "./gates.ts";
import { TeachingJournal } from "./learn.ts";
import { LearnedStore } from "./learned_store.ts";
import type { ReaderOutput } from "./outputs.ts";

/** What the gates need from the running agent. */
export interface AgentGateDeps {
  /** The sync engine's status (online or not). */
  syncStatus: () => { state: string; lastErrorAtMs: number | null; lastSuccessAtMs: number | null };
  /** Feedback on a reader. */
  feedback: (reader: string, granted: boolean) => void;
  /** A reader's output (osdp_OUT). */
  readerOutput: ReaderOutput;
  /** Simulated GPIO layers (tests, the demo). */
  overrides: DeviceOverrides;
  /** This agent start's id (journaled with gate events, as with scans). */
  bootId: string;
  /** Tells the sync engine that held scans were released (sent at once, not at the next poll). */
  wake: () => void;
}

/** Gates, learned table and event hub of one agent. */
export class AgentGates {
  readonly #config: Config;
  readonly #journal: Journal;
  readonly #log: Logger;
  readonly #learned: LearnedStore | null;
  readonly #listeners = new Set<(ev: StatusEvent) => void>();
  #set: GateSet | null = null;

  private constructor(config: Config, journal: Journal, log: Logger, learned: LearnedStore | null) {
    this.#config = config;
    this.#journal = journal;
    this.#log = log;
    this.#learned = learned;
  }

  /** Opens the learned table beside `journal` when `config` has gates. */
  static async open(config: Config, journal: Journal, log: Logger): Promise<AgentGates> {
    const learned = config.gates.length === 0
      ? null
      : await LearnedStore.open(config.journal.dir, { warn: (msg) => log("warn", msg) });
    return new AgentGates(config, journal, log, learned);
  }

  /** The journal the sync engine should write through (teaching the table when gates exist). */
  syncJournal(): SyncJournal {
    return this.#learned ? new TeachingJournal(this.#journal, this.#learned) : this.#journal;
  }

  /** The running gates, if any. */
  get set(): GateSet | null {
    return this.#set;
  }

  /** Builds the gates (relays released) before the readers start. */
  async start(d: AgentGateDeps): Promise<void> {
    if (!this.#learned) return;
    const gpio = d.overrides.gateGpio;
    this.#set = await GateSet.start({
      gates: this.#config.gates,
      learned: this.#learned,
      live: this.#config.iflow.mode === "live",
      online: () => iflowReachable(d.syncStatus()),
      feedback: d.feedback,
      log: this.#log,
      gpio: gpio ? (chip, line) => gpio.get(`${chip}:${line}`) ?? gpio.get(chip) : undefined,
      annotate: (notes) => this.#journal.annotateGates(notes),
      release: async (list) => {
        if (await this.#journal.releaseHeld(list) > 0) d.wake();
      },
      journalEvent: (gate, kind, atMs) =>
        this.#journal.appendEvent(this.#event(gate, kind, atMs, d)),
      readerOutput: d.readerOutput,
    });
    this.#set.subscribe((ev) => this.#emit({ type: "decision", data: { ...ev } }));
  }

  /** A gate event as the journal keeps it: the gate in `reader`, no tag, who opened it in `errorMsg`. */
  #event(gate: string, event: GateEventKind, atMs: number, d: AgentGateDeps): GateEventInput {
    const stamp = localStamp(atMs, this.#config.timezone);
    return {
      event,
      reader: gate,
      rfidTag: "",
      epochMs: atMs,
      date: stamp.date,
      time: stamp.time,
      utcOffsetMin: stamp.utcOffsetMin,
      bootId: d.bootId,
      clockUnsynced: false,
      errorMsg: event === "exit" ? "exit button" : "remote open",
    };
  }

  #emit(ev: StatusEvent): void {
    for (const fn of this.#listeners) fn(ev);
  }

  /** A scan passed debounce: its gate decides now. */
  accepted(scan: ScanInput): void {
    this.#set?.onScan(scan);
  }

  /** A scan is durable: annotate its decision, tell `/events`. */
  journaled(scan: ScanInput, seq: number): void {
    this.#set?.journaled(scan, seq);
    const { reader, rfidTag, date, time } = scan;
    this.#emit({ type: "scan", data: { seq, reader, rfidTag, date, time } });
  }

  /** A scan could not be kept. */
  lost(scan: ScanInput): void {
    this.#set?.lost(scan);
  }

  /** A live answer arrived. */
  live(f: LiveFeedback): void {
    this.#set?.onLive(f);
  }

  /** True when `reader` asks a gate (the gate gives its feedback). */
  hasReader(reader: string): boolean {
    return this.#set?.hasReader(reader) ?? false;
  }

  /** `/events` and `/actions/open` for the status server. */
  routes(): GateRouteActions {
    return {
      subscribe: (fn) => {
        this.#listeners.add(fn);
        return () => this.#listeners.delete(fn);
      },
      open: this.#set ? (name) => this.#set?.open(name, "manual") ?? false : undefined,
    };
  }

  /** Releases relays and writes queued annotations (after the readers stopped). */
  async stopGates(): Promise<void> {
    if (!this.#set) return;
    this.#log("info", "stopping: gates (relays released)");
    await this.#set.stop();
  }

  /** Saves the learned table (after the sync stopped: it may still teach). */
  async close(): Promise<void> {
    await this.#learned?.close();
  }
}
