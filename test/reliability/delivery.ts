/**
 * The delivery invariants of the reliability suite, checked on what the
 * journal holds (`cli export` plus archived segments) against what the iFlow
 * simulator stored.
 *
 * iFlow identifies an attendance by (card, date, time): a record sent twice
 * comes back as a duplicate and is stored once. The checks use that key, so
 * a card read again after a restart (a presence reader such as the RC522 sees
 * the card still in its field) is a second scan with its own time, stored on
 * its own.
 *
 * @module
 */

import { gunzipSync } from "fflate";
import { Journal } from "../../service/journal/journal.ts";
import type { StoredAttendance } from "../../service/iflow/sim/model.ts";

/** Unknown cards (rejected by the simulated iFlow) have tags from 10,000,000 up. */
export const UNKNOWN_TAG_BASE = 10_000_000;

/** True for tags of unknown cards (see {@link UNKNOWN_TAG_BASE}). */
export function isUnknownTag(tag: string): boolean {
  return Number(tag) >= UNKNOWN_TAG_BASE;
}

/** One row of `cli export` (the fields the suite checks). */
export interface ExportedRow {
  /** Sequence number. */
  seq: number;
  /** Reader name. */
  reader: string;
  /** Card tag. */
  rfidTag: string;
  /** Local date sent. */
  date: string;
  /** Local time sent. */
  time: string;
  /** pending | synced | rejected (or "retired" for archived scans). */
  state: string;
  /** iFlow's reason when rejected. */
  error?: string;
}

/** A scan the agent acknowledged (logged "scan journaled" after fsync). */
export interface Ack {
  /** Journal sequence number. */
  seq: number;
  /** Card tag. */
  tag: string;
  /** Reader name. */
  reader: string;
  /** Which agent start acknowledged it (0, 1, ...). */
  run?: number;
}

/**
 * The scans in the journal's archived segments (`archive/*.gz`, kept when
 * `journal.archive` is on), state "retired": each segment is unpacked into a
 * scratch directory and read with the journal's own reader.
 */
export async function readArchive(journalDir: string): Promise<ExportedRow[]> {
  const out: ExportedRow[] = [];
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(`${journalDir}/archive`)) {
      if (e.isFile && e.name.endsWith(".gz")) names.push(e.name);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return out;
    throw err;
  }
  for (const name of names.sort()) {
    const scratch = await Deno.makeTempDir({ prefix: "pontaj-archive-" });
    try {
      const data = gunzipSync(await Deno.readFile(`${journalDir}/archive/${name}`));
      await Deno.writeFile(`${scratch}/${name.slice(0, -3)}`, data);
      const j = await Journal.open(scratch);
      try {
        for await (const r of j.export()) {
          out.push({
            seq: r.seq,
            reader: r.reader,
            rfidTag: r.rfidTag,
            date: r.date,
            time: r.time,
            state: "retired",
          });
        }
      } finally {
        await j.close();
      }
    } finally {
      await Deno.remove(scratch, { recursive: true });
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** Inputs of {@link checkDelivery}. */
export interface DeliveryInput {
  /** `cli export` rows. */
  rows: ExportedRow[];
  /** Scans of retired (archived) segments. */
  retired?: ExportedRow[];
  /** The simulator's stored attendances (all of them, in arrival order). */
  stored: StoredAttendance[];
  /** Scans the agents acknowledged. */
  acks: Ack[];
  /** Tags written to readers. */
  tapped: ReadonlySet<string>;
  /** Tags that must be journaled (written while the agent was up and stable). */
  mustJournal?: Iterable<string>;
}

/** What the delivery check found. */
export interface DeliveryReport {
  /** Scans in the journal (live and archived). */
  journaled: number;
  /** Of those, delivered (synced, or archived known cards). */
  synced: number;
  /** Of those, rejected by iFlow. */
  rejected: number;
  /** Of those, still pending. */
  pending: number;
  /** Attendances stored at the simulator. */
  delivered: number;
  /** Distinct (card, date, time) among the delivered scans: what iFlow should hold. */
  deliveredKeys: number;
  /** Cards journaled again by a later agent start (read again, e.g. still in an RC522's field). */
  rereads: number;
  /** Every broken invariant, one line each (empty when all hold; at most 50). */
  violations: string[];
}

const keyOf = (r: { rfidTag: string; date: string; time: string }) =>
  `${r.rfidTag}|${r.date}|${r.time}`;

/**
 * The invariants: every journaled scan reached the simulator exactly once
 * (synced; a duplicate reply counts once) or was rejected with iFlow's
 * reason; nothing reached the simulator that the journal does not hold;
 * attendances were stored in journal order; every acknowledged scan is in the
 * journal under its acknowledged seq; no scan invented, none journaled twice
 * by one agent start. Archived scans count as journaled with a final outcome.
 */
export function checkDelivery(input: DeliveryInput): DeliveryReport {
  const v: string[] = [];
  const add = (s: string) => {
    if (v.length < 50) v.push(s);
  };
  const all = [...input.rows, ...(input.retired ?? [])].sort((a, b) => a.seq - b.seq);
  const bySeq = new Map<number, ExportedRow>();
  const firstSeqOfKey = new Map<string, number>();
  const seqsOfTag = new Map<string, number[]>();
  let last = 0;
  let synced = 0, rejected = 0, pending = 0;
  for (const r of all) {
    if (r.seq <= last) add(`seq ${r.seq} twice or out of order (after ${last})`);
    last = r.seq;
    bySeq.set(r.seq, r);
    if (!firstSeqOfKey.has(keyOf(r))) firstSeqOfKey.set(keyOf(r), r.seq);
    seqsOfTag.set(r.rfidTag, [...(seqsOfTag.get(r.rfidTag) ?? []), r.seq]);
    if (!input.tapped.has(r.rfidTag)) add(`seq ${r.seq}: tag ${r.rfidTag} was never tapped`);
    const unknown = isUnknownTag(r.rfidTag);
    if (r.state === "synced" || (r.state === "retired" && !unknown)) {
      synced++;
      if (unknown) add(`seq ${r.seq}: unknown card ${r.rfidTag} is synced`);
    } else if (r.state === "rejected" || r.state === "retired") {
      rejected++;
      if (!unknown) add(`seq ${r.seq}: known card ${r.rfidTag} rejected: ${r.error}`);
      else if (r.state === "rejected" && !/Niciun angajat/.test(r.error ?? "")) {
        add(`seq ${r.seq}: rejected without iFlow's reason: ${r.error}`);
      }
    } else {
      pending++;
      add(`seq ${r.seq}: still ${r.state}`);
    }
  }
  const runOfSeq = new Map<number, number | undefined>();
  for (const a of input.acks) {
    runOfSeq.set(a.seq, a.run);
    const row = bySeq.get(a.seq);
    if (!row) add(`acknowledged seq ${a.seq} (${a.tag}) missing from the journal`);
    else if (row.rfidTag !== a.tag) {
      add(`acknowledged seq ${a.seq} was ${a.tag}, journal holds ${row.rfidTag}`);
    }
  }
  let rereads = 0;
  for (const [tag, seqs] of seqsOfTag) {
    if (seqs.length < 2) continue;
    rereads += seqs.length - 1;
    const runs = seqs.map((s) => runOfSeq.get(s)).filter((r) => r !== undefined);
    if (new Set(runs).size < runs.length) {
      add(`tag ${tag} journaled twice by one agent start (seqs ${seqs.join(", ")})`);
    }
  }
  for (const tag of input.mustJournal ?? []) {
    if (!seqsOfTag.has(tag)) add(`tag ${tag} tapped while the agent was up is not journaled`);
  }
  const storedKeys = new Set<string>();
  let prevSeq = 0;
  for (const s of input.stored) {
    const k = keyOf(s);
    if (storedKeys.has(k)) add(`${k} stored twice at iFlow`);
    storedKeys.add(k);
    const seq = firstSeqOfKey.get(k);
    if (seq === undefined) {
      add(`iFlow holds ${k}, the journal does not`);
      continue;
    }
    const state = bySeq.get(seq)!.state;
    if (state !== "synced" && state !== "retired") add(`iFlow holds ${k} but export says ${state}`);
    if (seq < prevSeq) add(`iFlow stored seq ${seq} after seq ${prevSeq} (not journal order)`);
    prevSeq = Math.max(prevSeq, seq);
  }
  const deliveredKeys = new Set<string>();
  for (const r of all) {
    const delivered = r.state === "synced" || (r.state === "retired" && !isUnknownTag(r.rfidTag));
    if (delivered && !storedKeys.has(keyOf(r))) add(`seq ${r.seq} (${r.state}) not at iFlow`);
    if (delivered) deliveredKeys.add(keyOf(r));
  }
  return {
    journaled: all.length,
    synced,
    rejected,
    pending,
    delivered: input.stored.length,
    deliveredKeys: deliveredKeys.size,
    rereads,
    violations: v,
  };
}
