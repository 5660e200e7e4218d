/**
 * The outcome-log snapshot written at the head of a new outcome segment when
 * the log is compacted: every non-pending state still held in the index
 * (events and held scans need none: their scan record says which they are),
 * and every gate annotation.
 *
 * @module
 */

import type { ScanIndex } from "./index.ts";
import {
  GATE_REASONS,
  type OutcomeEntry,
  OutcomeOp,
  RecState,
  REJECT_FIELDS,
} from "./outcome_codec.ts";
import type { GateNote } from "./types.ts";

/** The entry that restores a gate annotation. */
export function gateEntry(seq: number, n: GateNote): OutcomeEntry {
  const passage = n.passed === null ? 0 : n.passed ? 1 : 2;
  const reason = GATE_REASONS.findIndex((r) => r === n.reason);
  return {
    op: OutcomeOp.GATE,
    seq,
    count: (n.granted ? 1 : 0) | (passage << 1),
    field: reason < 0 ? GATE_REASONS.indexOf("unknown") : reason,
    text: n.gate,
  };
}

/** Entries that rebuild the index's outcome states (runs of accepted seqs merged). */
export function snapshotEntries(index: ScanIndex): OutcomeEntry[] {
  const out: OutcomeEntry[] = [];
  for (const seg of index.segments) {
    for (const [seq, n] of seg.gates ?? []) out.push(gateEntry(seq, n));
    if (seg.synced + seg.rejected + seg.cleared + seg.notPassed === 0) continue;
    let run: OutcomeEntry | null = null;
    for (let i = 0; i < seg.slots; i++) {
      const st = seg.states[i]!;
      const seq = seg.firstSeq + i;
      if (st === RecState.ACCEPTED) {
        if (run && run.seq + run.count! === seq) run.count!++;
        else out.push(run = { op: OutcomeOp.ACCEPTED, seq, count: 1 });
        continue;
      }
      run = null;
      if (st === RecState.NOT_PASSED) {
        out.push({ op: OutcomeOp.NOT_PASSED, seq });
        continue;
      }
      const d = seg.details?.get(seq);
      if (st === RecState.DUPLICATE) {
        out.push({
          op: OutcomeOp.DUPLICATE,
          seq,
          text: d?.kind === "duplicate" ? d.iflowId ?? "" : "",
        });
      } else if (st === RecState.REJECTED || st === RecState.CLEARED) {
        const r = d?.kind === "rejected" ? d : null;
        const field = r ? REJECT_FIELDS.indexOf(r.field) : 2;
        out.push({
          op: OutcomeOp.REJECTED,
          seq,
          field: field < 0 ? 2 : field,
          text: r?.message ?? "",
        });
        if (st === RecState.CLEARED) out.push({ op: OutcomeOp.CLEARED, seq });
      }
    }
  }
  return out;
}
