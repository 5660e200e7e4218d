/**
 * The in-memory index of the scan log: per segment, one `Uint32Array` slot
 * (file offset) and one `Uint8Array` slot (state) per sequence number. No
 * record is kept in memory; 1,000,000 records cost about 5 MB. Outcome details
 * worth keeping (iFlow's reject message, a duplicate's iFlow id) sit in a small
 * per-segment map and go away with the segment.
 *
 * @module
 */

import { GATE_REASONS, OutcomeOp, RecState, REJECT_FIELDS } from "./outcome_codec.ts";
import type { GateNote, Outcome } from "./types.ts";

/** Offset value of a slot with no record. */
export const NO_OFFSET = 0xffffffff;

/** One scan segment's index. */
export class ScanSegment {
  /** File name. */
  readonly name: string;
  /** Seq of slot 0 (from the file name). */
  readonly firstSeq: number;
  /** Slots in use: seqs firstSeq .. firstSeq + slots - 1. */
  slots = 0;
  /** File offset of each slot's frame (NO_OFFSET when missing). */
  offsets: Uint32Array;
  /** State code of each slot (ST_*). */
  states: Uint8Array;
  /** Committed bytes of the file. */
  size = 0;
  /** Records per state. */
  pending = 0;
  /** Rejected (not cleared) records. */
  rejected = 0;
  /** Accepted + duplicate records. */
  synced = 0;
  /** Cleared records. */
  cleared = 0;
  /** Gate events (final, never sent). */
  events = 0;
  /** Scans held until their passage is known. */
  held = 0;
  /** Held scans nobody passed with (final, never sent). */
  notPassed = 0;
  /** Outcome details worth exporting (rejected, cleared, duplicate with id). */
  details: Map<number, Outcome> | null = null;
  /** True once a newer segment exists (no more appends here). */
  sealed = false;
  /** Gate decisions annotated on records of this segment. */
  gates: Map<number, GateNote> | null = null;

  /**
   * Index for segment `name` starting at `firstSeq`, with room for `capacity`
   * slots, or using caller-provided (scratch) arrays until {@link trim}.
   */
  constructor(
    name: string,
    firstSeq: number,
    capacity = 1024,
    scratch?: { offsets: Uint32Array; states: Uint8Array },
  ) {
    this.name = name;
    this.firstSeq = firstSeq;
    this.offsets = scratch ? scratch.offsets : new Uint32Array(capacity);
    this.states = scratch ? scratch.states : new Uint8Array(capacity);
    if (scratch) this.states.fill(0);
  }

  /** Seq of the last slot (firstSeq - 1 when empty). */
  get lastSeq(): number {
    return this.firstSeq + this.slots - 1;
  }

  /** Records with no final outcome (pending, held or rejected): the segment must stay. */
  get open(): number {
    return this.pending + this.rejected + this.held;
  }

  /** Records present. */
  get records(): number {
    return this.pending + this.rejected + this.synced + this.cleared + this.events +
      this.held + this.notPassed;
  }

  /** No slot before this one is pending (a hint that only moves back when a record is reopened). */
  firstPending = 0;

  /** Adds a record at `offset` in state `st` (pending by default); seqs must increase. */
  add(seq: number, offset: number, st: number = RecState.PENDING): void {
    const slot = seq - this.firstSeq;
    if (slot >= this.offsets.length) this.#grow(slot + 1);
    for (let i = this.slots; i < slot; i++) this.offsets[i] = NO_OFFSET;
    this.offsets[slot] = offset;
    this.states[slot] = st;
    this.slots = slot + 1;
    this.#count(st, 1);
  }

  /** Copies the arrays to exactly the slots in use plus `headroom` (leaves any scratch arrays). */
  trim(headroom = 0): void {
    const cap = this.slots + headroom;
    if (this.offsets.length === cap) return;
    const o = new Uint32Array(cap);
    o.set(this.offsets.subarray(0, this.slots));
    const st = new Uint8Array(cap);
    st.set(this.states.subarray(0, this.slots));
    this.offsets = o;
    this.states = st;
  }

  #grow(min: number): void {
    let cap = this.offsets.length * 2;
    while (cap < min) cap *= 2;
    const o = new Uint32Array(cap);
    o.set(this.offsets.subarray(0, this.slots));
    const s = new Uint8Array(cap);
    s.set(this.states.subarray(0, this.slots));
    this.offsets = o;
    this.states = s;
  }

  /** Sets slot `i` to `st`, keeping the counters right. */
  setState(i: number, st: number): void {
    const old = this.states[i]!;
    if (old === st) return;
    this.#count(old, -1);
    this.#count(st, 1);
    this.states[i] = st;
    if (st === RecState.PENDING && i < this.firstPending) this.firstPending = i;
  }

  #count(st: number, d: number): void {
    if (st === RecState.PENDING) this.pending += d;
    else if (st === RecState.REJECTED) this.rejected += d;
    else if (st === RecState.ACCEPTED || st === RecState.DUPLICATE) this.synced += d;
    else if (st === RecState.CLEARED) this.cleared += d;
    else if (st === RecState.EVENT) this.events += d;
    else if (st === RecState.HELD) this.held += d;
    else if (st === RecState.NOT_PASSED) this.notPassed += d;
  }
}

/** The ordered list of scan segments with seq lookup and outcome application. */
export class ScanIndex {
  /** Segments, oldest first. */
  segments: ScanSegment[] = [];
  #last: ScanSegment | null = null;
  /** Outcome entries naming seqs not in the journal (already deleted, or never written). */
  unknownOutcomes = 0;
  /** Highest seq any applied outcome named. */
  maxOutcomeSeq = 0;

  /** Segment holding `seq`, or null. */
  find(seq: number): ScanSegment | null {
    const l = this.#last;
    if (l && seq >= l.firstSeq && seq <= l.lastSeq) return l;
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = segs[mid]!;
      if (seq < s.firstSeq) hi = mid - 1;
      else if (seq > s.lastSeq) lo = mid + 1;
      else {
        this.#last = s;
        return s;
      }
    }
    return null;
  }

  /** State code of `seq` (RecState.MISSING when unknown). */
  stateOf(seq: number): number {
    const s = this.find(seq);
    return s ? s.states[seq - s.firstSeq]! : RecState.MISSING;
  }

  /** Removes a segment from the index. */
  drop(seg: ScanSegment): void {
    this.segments = this.segments.filter((s) => s !== seg);
    if (this.#last === seg) this.#last = null;
  }

  /**
   * Applies one outcome-log entry. Returns how many records changed state.
   * Unknown seqs are counted, not errors (their segment may be gone).
   */
  apply(op: number, seq: number, count: number, field: number, text: string): number {
    if (op === OutcomeOp.GATE) return this.#annotate(seq, count, field, text);
    if (seq + count - 1 > this.maxOutcomeSeq) this.maxOutcomeSeq = seq + count - 1;
    let changed = 0;
    for (let k = 0; k < count; k++) {
      const q = seq + k;
      const s = this.find(q);
      const i = s ? q - s.firstSeq : -1;
      const st = s ? s.states[i]! : RecState.MISSING;
      if (!s || st === RecState.MISSING) {
        this.unknownOutcomes++;
        continue;
      }
      if (st === RecState.EVENT) continue; // never sent: no outcome applies
      if (op === OutcomeOp.ACCEPTED) {
        s.setState(i, RecState.ACCEPTED);
        s.details?.delete(q);
      } else if (op === OutcomeOp.DUPLICATE) {
        s.setState(i, RecState.DUPLICATE);
        if (text) (s.details ??= new Map()).set(q, { kind: "duplicate", iflowId: text });
        else s.details?.delete(q);
      } else if (op === OutcomeOp.REJECTED) {
        s.setState(i, RecState.REJECTED);
        (s.details ??= new Map()).set(q, {
          kind: "rejected",
          field: REJECT_FIELDS[field] ?? "error_csv",
          message: text,
        });
      } else if (op === OutcomeOp.REOPEN) {
        if (st !== RecState.REJECTED && st !== RecState.CLEARED) continue;
        s.setState(i, RecState.PENDING);
        s.details?.delete(q);
      } else if (op === OutcomeOp.CLEARED) {
        if (st !== RecState.REJECTED) continue;
        s.setState(i, RecState.CLEARED);
      } else if (op === OutcomeOp.NOT_PASSED) {
        if (st !== RecState.PENDING && st !== RecState.HELD) continue;
        s.setState(i, RecState.NOT_PASSED);
      } else continue;
      changed++;
    }
    return changed;
  }

  /** Keeps a gate annotation (flags, reason code, gate name) for `seq`; changes no state. */
  #annotate(seq: number, flags: number, reason: number, gate: string): number {
    const s = this.find(seq);
    if (!s || s.states[seq - s.firstSeq] === RecState.MISSING) {
      this.unknownOutcomes++;
      return 0;
    }
    if (seq > this.maxOutcomeSeq) this.maxOutcomeSeq = seq;
    const passage = (flags >> 1) & 3;
    (s.gates ??= new Map()).set(seq, {
      gate,
      granted: (flags & 1) === 1,
      reason: GATE_REASONS[reason] ?? "unknown",
      passed: passage === 1 ? true : passage === 2 ? false : null,
    });
    return 0;
  }
}
