/**
 * The gate decision as a pure function: the gate's policy and offline mode,
 * whether iFlow can be asked now, what the allow file says of the tag, and
 * what iFlow's answers taught about it. No I/O, no clock: the caller has all
 * of it in memory, so a card is decided in the event-loop turn it is read.
 *
 * | policy  | online / offline `known`      | offline `open`            | offline `closed`     |
 * | ------- | ----------------------------- | ------------------------- | -------------------- |
 * | `any`   | every read (`policy-any`)     | same                      | same                 |
 * | `known` | allow file, then learned      | all but refused (`offline-open`) | allow file only |
 * | `list`  | allow file only               | same                      | same                 |
 *
 * A `!TAG` line in the allow file denies under every policy.
 *
 * @module
 */

import { GATE_REASONS } from "../journal/outcome_codec.ts";
import type { Same } from "../../driver/config_issue.ts";

/** What the allow file says of a tag: listed, denied with `!TAG`, or not there. */
export type AllowVerdict = "allow" | "deny" | null;

/** What iFlow's answers taught of a tag. */
export type LearnedState = "known" | "refused";

/** Why a scan was granted or denied. */
export type DecisionReason =
  | "known"
  | "allow-file"
  | "live"
  | "policy-any"
  | "offline-open"
  | "offline-closed"
  | "refused"
  | "unknown";

/**
 * Every {@link DecisionReason}, in a fixed order (metrics and tests iterate
 * it): the journal's list, where a reason is stored as its index.
 */
export const DECISION_REASONS: readonly DecisionReason[] = GATE_REASONS;
const _sameReasons: Same<DecisionReason, typeof GATE_REASONS[number]> = true;
void _sameReasons;

/** A gate's decision on one scan. */
export interface Decision {
  /** True when the gate opens. */
  granted: boolean;
  /** Why. */
  reason: DecisionReason;
}

/** What {@link decide} reads. */
export interface DecisionInput {
  /** The gate's policy. */
  policy: "any" | "known" | "list";
  /** The gate's offline mode. */
  offline: "open" | "known" | "closed";
  /** True when iFlow can be asked now (the sync is not backing off or refused). */
  online: boolean;
  /** The allow file's verdict. */
  allow: AllowVerdict;
  /** The learned state, or null when iFlow never answered for this tag. */
  learned: LearnedState | null;
}

const decisions = new Map<string, Decision>();
function d(granted: boolean, reason: DecisionReason): Decision {
  const key = `${granted}:${reason}`;
  let v = decisions.get(key);
  if (!v) {
    v = Object.freeze({ granted, reason });
    decisions.set(key, v);
  }
  return v;
}

/**
 * Decides one scan. Returns a shared frozen object (no allocation per scan).
 *
 * ```ts
 * decide({ policy: "known", offline: "known", online: true, allow: null, learned: "known" });
 * // { granted: true, reason: "known" }
 * ```
 */
export function decide(i: DecisionInput): Decision {
  if (i.allow === "deny") return d(false, "allow-file");
  if (i.policy === "any") return d(true, "policy-any");
  if (i.allow === "allow") return d(true, "allow-file");
  if (i.policy === "list") return d(false, "unknown");
  if (!i.online && i.offline === "closed") return d(false, "offline-closed");
  if (i.learned === "refused") return d(false, "refused");
  if (!i.online && i.offline === "open") return d(true, "offline-open");
  if (i.learned === "known") return d(true, "known");
  return d(false, "unknown");
}

/** The decision a live answer gives: stored → granted (`live`), refused → denied (`refused`). */
export function liveDecision(stored: boolean): Decision {
  return stored ? d(true, "live") : d(false, "refused");
}
