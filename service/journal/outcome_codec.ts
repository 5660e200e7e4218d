/**
 * Binary payload of an outcome-log frame (type byte 2): a batch of entries.
 *
 * ```
 * u8 type = 2, then entries until the end of the payload:
 *   u8 op, u64 LE seq, then by op:
 *     1 accepted range: u32 count (seqs seq .. seq+count-1 accepted)
 *     2 duplicate:      u16 length + UTF-8 iFlow id ("" = none given)
 *     3 rejected:       u8 field (0 error_authenticate, 1 error_check_in_out, 2 error_csv),
 *                       u16 length + UTF-8 message
 *     4 reopen:         (nothing) rejected -> pending
 *     5 cleared:        (nothing) rejected, cleared by an admin (final)
 *     6 gate:           u8 flags (bit 0 granted; bits 1-2 passage: 0 unknown, 1 passed,
 *                       2 not passed), u8 reason ({@link GATE_REASONS} index),
 *                       u16 length + UTF-8 gate name. An annotation: the record's
 *                       state does not change; a later entry for the seq replaces it.
 *     7 not passed:     (nothing) a held scan nobody passed with: final, never sent
 * ```
 *
 * A batch is one frame, so it is all-or-nothing on disk; big batches are split
 * into frames of at most {@link OUTCOME_CHUNK} bytes written by one fdatasync.
 *
 * @module
 */

import { JournalError } from "./errors.ts";
import { FRAME_HEADER } from "./frame.ts";
import type { Outcome, RejectField } from "./types.ts";

/** Payload type byte of an outcome batch. */
export const OUTCOME_TYPE = 2;
/** Largest outcome payload written (bytes). */
export const OUTCOME_CHUNK = 256 * 1024;

/** Record state codes kept in memory (one byte per record). */
export const RecState = {
  /** No such record (a gap, or not yet read). */
  MISSING: 0,
  /** Appended, no final outcome. */
  PENDING: 1,
  /** iFlow accepted it. */
  ACCEPTED: 2,
  /** iFlow already had it. */
  DUPLICATE: 3,
  /** iFlow rejected it (kept, exportable, not resent unless reopened). */
  REJECTED: 4,
  /** Rejected, then cleared by an admin (final; the segment may go). */
  CLEARED: 5,
  /** A gate event (exit button, remote open): final from the start, never sent. */
  EVENT: 6,
  /** A scan held until its passage is known (not sent yet, keeps its segment). */
  HELD: 7,
  /** A held scan nobody passed with: final, never sent. */
  NOT_PASSED: 8,
} as const;

/** Names of {@link RecState} codes, for logs. */
export const REC_STATE_NAMES: readonly string[] = [
  "missing",
  "pending",
  "accepted",
  "duplicate",
  "rejected",
  "cleared",
  "event",
  "held",
  "not-passed",
];

/** Outcome-log entry opcodes. */
export const OutcomeOp = {
  /** A run of consecutive seqs accepted. */
  ACCEPTED: 1,
  /** iFlow already had it. */
  DUPLICATE: 2,
  /** iFlow rejected it. */
  REJECTED: 3,
  /** Rejected made pending again (`retry-rejected`). */
  REOPEN: 4,
  /** Rejected, cleared by an admin. */
  CLEARED: 5,
  /** A gate's decision (and passage) for the scan: an annotation, not a state. */
  GATE: 6,
  /** A held scan nobody passed with (`sendUnpassed: false`): final, never sent. */
  NOT_PASSED: 7,
} as const;

/** Reasons of a gate decision, by their code byte in a {@link OutcomeOp.GATE} entry. */
export const GATE_REASONS = [
  "known",
  "allow-file",
  "live",
  "policy-any",
  "offline-open",
  "offline-closed",
  "refused",
  "unknown",
] as const;

/** Passage codes of a {@link OutcomeOp.GATE} entry (bits 1-2 of its flags). */
export const GatePassage = {
  /** Not known (no sensor, or not yet). */
  UNKNOWN: 0,
  /** The person passed within the sensor's timeout. */
  PASSED: 1,
  /** Nobody passed within the timeout. */
  NOT_PASSED: 2,
} as const;

/** Names of {@link OutcomeOp} codes (index = opcode), for logs. */
export const OUTCOME_OP_NAMES: readonly string[] = [
  "",
  "accepted",
  "duplicate",
  "rejected",
  "reopen",
  "cleared",
  "gate",
  "not-passed",
];

/** Reject fields by their code byte. */
export const REJECT_FIELDS: readonly RejectField[] = [
  "error_authenticate",
  "error_check_in_out",
  "error_csv",
];

/** One outcome-log entry before encoding. */
export interface OutcomeEntry {
  /** Opcode (OP_*). */
  op: number;
  /** First seq it applies to. */
  seq: number;
  /** For OutcomeOp.ACCEPTED: how many consecutive seqs; for OutcomeOp.GATE: the flags byte. */
  count?: number;
  /** For OutcomeOp.REJECTED: field code; for OutcomeOp.GATE: reason code. */
  field?: number;
  /** iFlow id (duplicate), message (rejected) or gate name (gate). */
  text?: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const TWO32 = 4294967296;
const MAX_TEXT_CHARS = 8192;

/** Converts API outcomes to entries, merging runs of consecutive accepted seqs. */
export function outcomesToEntries(list: { seq: number; outcome: Outcome }[]): OutcomeEntry[] {
  const out: OutcomeEntry[] = [];
  let run: OutcomeEntry | null = null;
  for (const { seq, outcome } of list) {
    if (outcome.kind === "accepted") {
      if (run && run.seq + run.count! === seq) {
        run.count!++;
        continue;
      }
      run = { op: OutcomeOp.ACCEPTED, seq, count: 1 };
      out.push(run);
      continue;
    }
    run = null;
    if (outcome.kind === "duplicate") {
      out.push({ op: OutcomeOp.DUPLICATE, seq, text: outcome.iflowId ?? "" });
    } else {
      const field = REJECT_FIELDS.indexOf(outcome.field);
      out.push({
        op: OutcomeOp.REJECTED,
        seq,
        field: field < 0 ? 2 : field,
        text: outcome.message,
      });
    }
  }
  return out;
}

/** Bytes of one encoded entry, given its encoded text (if any). */
function entryBytes(op: number, text: Uint8Array | null): number {
  if (op === OutcomeOp.ACCEPTED) return 13;
  if (op === OutcomeOp.DUPLICATE) return 11 + (text?.length ?? 0);
  if (op === OutcomeOp.REJECTED) return 12 + (text?.length ?? 0);
  if (op === OutcomeOp.GATE) return 13 + (text?.length ?? 0);
  return 9;
}

/**
 * Encodes entries into one or more payloads of at most {@link OUTCOME_CHUNK}
 * bytes, each sized to its entries (a sync batch of 50 makes a payload of a few
 * dozen bytes, not a fresh 256 KiB buffer).
 */
export function encodeEntries(entries: OutcomeEntry[]): Uint8Array[] {
  const texts = entries.map((e) =>
    e.text === undefined ? null : enc.encode(e.text.slice(0, MAX_TEXT_CHARS))
  );
  const out: Uint8Array[] = [];
  let from = 0;
  while (from < entries.length) {
    // How many entries fit in this payload (at least one: an entry is < OUTCOME_CHUNK).
    let size = 1;
    let to = from;
    while (to < entries.length) {
      const need = entryBytes(entries[to]!.op, texts[to]!);
      if (size + need > OUTCOME_CHUNK && to > from) break;
      size += need;
      to++;
    }
    const buf = new Uint8Array(size);
    const dv = new DataView(buf.buffer);
    buf[0] = OUTCOME_TYPE;
    let p = 1;
    for (let k = from; k < to; k++) {
      const e = entries[k]!;
      buf[p] = e.op;
      dv.setUint32(p + 1, e.seq % TWO32, true);
      dv.setUint32(p + 5, Math.floor(e.seq / TWO32), true);
      p += 9;
      if (e.op === OutcomeOp.ACCEPTED) {
        dv.setUint32(p, e.count ?? 1, true);
        p += 4;
      } else if (
        e.op === OutcomeOp.DUPLICATE || e.op === OutcomeOp.REJECTED || e.op === OutcomeOp.GATE
      ) {
        if (e.op === OutcomeOp.REJECTED) buf[p++] = e.field ?? 2;
        if (e.op === OutcomeOp.GATE) {
          buf[p++] = e.count ?? 0;
          buf[p++] = e.field ?? 0;
        }
        const t = texts[k] ?? new Uint8Array(0);
        dv.setUint16(p, t.length, true);
        buf.set(t, p + 2);
        p += 2 + t.length;
      }
    }
    out.push(buf);
    from = to;
  }
  return out;
}

/**
 * Receives decoded entries. `text` is only decoded for duplicate/rejected/gate;
 * for gate entries `count` is the flags byte and `field` the reason code.
 */
export type EntryVisitor = (
  op: number,
  seq: number,
  count: number,
  field: number,
  text: string,
) => void;

/**
 * Decodes the payload of every frame (see `frame.ts`) of the run at
 * `buf[from, to)` with {@link decodeEntries}; a malformed payload is left
 * after its well-formed prefix.
 */
export function decodeFrames(
  buf: Uint8Array,
  dv: DataView,
  from: number,
  to: number,
  visit: EntryVisitor,
): void {
  for (let p = from; p < to;) {
    const next = p + FRAME_HEADER + dv.getUint32(p, true);
    decodeEntries(buf, dv, p + FRAME_HEADER, next, visit);
    p = next;
  }
}

/**
 * Decodes the outcome payload at `buf[start, end)`, calling `visit` per entry.
 * Returns false (after visiting the well-formed prefix) if the payload is malformed.
 */
export function decodeEntries(
  buf: Uint8Array,
  dv: DataView,
  start: number,
  end: number,
  visit: EntryVisitor,
): boolean {
  if (end - start < 1 || buf[start] !== OUTCOME_TYPE) return false;
  let p = start + 1;
  while (p < end) {
    if (p + 9 > end) return false;
    const op = buf[p]!;
    const seq = dv.getUint32(p + 5, true) * TWO32 + dv.getUint32(p + 1, true);
    p += 9;
    if (op === OutcomeOp.ACCEPTED) {
      if (p + 4 > end) return false;
      visit(op, seq, dv.getUint32(p, true), 0, "");
      p += 4;
    } else if (op === OutcomeOp.DUPLICATE || op === OutcomeOp.REJECTED) {
      let field = 0;
      if (op === OutcomeOp.REJECTED) {
        if (p + 1 > end) return false;
        field = buf[p++]!;
      }
      if (p + 2 > end) return false;
      const n = dv.getUint16(p, true);
      if (p + 2 + n > end) return false;
      visit(op, seq, 1, field, dec.decode(buf.subarray(p + 2, p + 2 + n)));
      p += 2 + n;
    } else if (op === OutcomeOp.GATE) {
      if (p + 4 > end) return false;
      const flags = buf[p]!;
      const reason = buf[p + 1]!;
      const n = dv.getUint16(p + 2, true);
      if (p + 4 + n > end) return false;
      visit(op, seq, flags, reason, dec.decode(buf.subarray(p + 4, p + 4 + n)));
      p += 4 + n;
    } else if (
      op === OutcomeOp.REOPEN || op === OutcomeOp.CLEARED || op === OutcomeOp.NOT_PASSED
    ) {
      visit(op, seq, 1, 0, "");
    } else {
      return false;
    }
  }
  return true;
}

/** Throws `JournalError("invalid")` unless `seq`/`o` form a valid outcome. */
export function checkOutcome(seq: number, o: Outcome): void {
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new JournalError(
      "invalid",
      `journal: outcome seq must be a positive integer, got ${seq}`,
    );
  }
  const kind = (o as { kind?: unknown } | null)?.kind;
  if (kind === "accepted" || kind === "duplicate") return;
  if (kind === "rejected") {
    const r = o as { field: unknown; message: unknown };
    if (REJECT_FIELDS.includes(r.field as never) && typeof r.message === "string") return;
  }
  throw new JournalError(
    "invalid",
    `journal: invalid outcome for seq ${seq}: ${JSON.stringify(o)}`,
  );
}
