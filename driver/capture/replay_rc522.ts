/**
 * Replaying `rc522` captures: the same {@link Rc522Poller} and ISO 14443-3
 * scanner the agent runs poll a transport that answers each register batch
 * with the values recorded for it. The scanner asks for the same registers
 * the live one did as long as it sees the same answers; where it asks for
 * something else, the replay stops there and says so.
 *
 * @module
 */

import { hexString } from "../hex.ts";
import { Rc522Poller } from "../rc522/poller.ts";
import {
  BATCH_BAD_REPLY,
  BATCH_OK,
  newTransportStats,
  type Rc522Transport,
  RegBatch,
} from "../rc522/transport.ts";
import { chunks, type ParsedCapture, RecordType } from "./format.ts";
import { ReplayLog, type ReplayReport } from "./replay.ts";

/** A register bus that plays recorded batches back in order. */
class RecordedBus implements Rc522Transport {
  readonly description = "capture replay";
  readonly synchronous = true;
  readonly stats = newTransportStats();
  /** Index of the next recorded batch. */
  next = 0;
  /** Set when the scanner asked for something the recording does not hold. */
  diverged: string | null = null;
  /** Time of the batch last played. */
  sec = 0;
  /** Nanoseconds. */
  nsec = 0;

  constructor(readonly batches: { sec: number; nsec: number; data: Uint8Array }[]) {}

  get done(): boolean {
    return this.next >= this.batches.length || this.diverged !== null;
  }

  run(b: RegBatch): void {
    const rec = this.batches[this.next];
    if (rec === undefined || this.diverged !== null) {
      b.status = BATCH_BAD_REPLY;
      this.diverged ??= "the recording ended";
      return;
    }
    const d = rec.data;
    if (d.length !== b.length * 2) {
      this.#diverge(b, `batch ${this.next}: ${b.length} ops asked, ${d.length / 2} recorded`);
      return;
    }
    for (let i = 0; i < b.length; i++) {
      const read = (d[2 * i]! & 0x80) !== 0;
      const reg = d[2 * i]! & 0x3f;
      if (
        reg !== b.reg[i] || read !== (b.kind[i] === 1) || (!read && d[2 * i + 1] !== b.value[i])
      ) {
        this.#diverge(b, `batch ${this.next}, op ${i}: the scanner asked for another register op`);
        return;
      }
      if (read) b.value[i] = d[2 * i + 1]!;
    }
    this.sec = rec.sec;
    this.nsec = rec.nsec;
    this.next++;
    this.stats.transfers++;
    this.stats.ops += b.length;
    b.status = BATCH_OK;
  }

  #diverge(b: RegBatch, why: string): void {
    this.diverged = why;
    b.status = BATCH_BAD_REPLY;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Replays an `rc522` capture. */
export function replayRc522(cap: ParsedCapture): ReplayReport {
  const log = new ReplayLog(cap);
  const batches = [];
  for (const ch of chunks(cap.records, cap.count)) {
    if (ch.type === RecordType.regs) batches.push({ sec: ch.sec, nsec: ch.nsec, data: ch.data });
  }
  const bus = new RecordedBus(batches);
  const absent = Number(cap.header.reader["absentTicks"] ?? 2);
  const poller = new Rc522Poller(bus, { absentTicks: Number.isInteger(absent) ? absent : 2 });
  const c = poller.counters;
  const errorSum = () => c.crcErrors + c.bccErrors + c.atqaErrors + c.protocolErrors;
  let errors = errorSum();
  poller.onCard = (read) => {
    const uid = read.idBytes();
    log.card({
      time: log.time(bus.sec, bus.nsec),
      dir: "regs",
      raw: hexString(uid),
      what: `UID ${uid.length} bytes`,
    }, read);
  };
  // Bounded: every poll consumes at least one batch or ends the replay.
  for (let polls = 0; !bus.done && polls <= batches.length; polls++) {
    const before = bus.next;
    poller.pollSync();
    const now = errorSum();
    if (now !== errors) {
      log.frame({
        time: log.time(bus.sec, bus.nsec),
        dir: "regs",
        raw: "",
        ok: false,
        error: c.lastError || "frame error",
      });
      errors = now;
    }
    if (bus.next === before) break;
  }
  if (bus.diverged !== null && bus.next < batches.length) {
    log.notes.push(`replay stopped at batch ${bus.next} of ${batches.length}: ${bus.diverged}`);
  }
  return log.report({ ...c, batches: batches.length, replayed: bus.next });
}
