/**
 * Live mode without double counting.
 *
 * The live endpoint stamps a scan with iFlow's clock; the offline endpoint
 * stores the device's own date and time. When a live call may have been
 * stored but its reply never arrived (timeout, dropped connection, 5xx, garbled
 * body), the scan goes to the offline endpoint with the device's timestamp. Two
 * cases follow:
 *
 * - live did not store it: the offline call stores it; nothing is lost.
 * - live stored it at server time `Ts`: iFlow now holds a scan at `Ts`, a few
 *   seconds after the device's `Td`. Resending at `Td` would add a second scan
 *   of the same tap, so iFlow refuses it: either as a duplicate (same second)
 *   or, because `Td` falls inside or just before the interval that `Ts`
 *   opened or closed, with the overlap message naming that interval ("... se
 *   suprapune cu următorul interval: dd/mm/yyyy hh:mm:ss - ...").
 *
 * The engine remembers (in memory) which records had an uncertain live
 * attempt. For those, an overlap rejection that names a time within
 * `[Td - 5 s, Td + timeout + 120 s]` is iFlow pointing at our own live stamp:
 * the record is recorded as `duplicate` (delivered, no id) rather than rejected.
 * Any other outcome stands as iFlow gave it.
 *
 * Residual risks (documented, not hidden): if the device clock runs ahead of
 * iFlow's by more than the round trip, `Td > Ts` and the offline call stores a
 * second scan; if the agent restarts between the two calls, the overlap
 * rejection is kept as a rejection (the tap is still stored once, by live).
 *
 * @module
 */

const STAMP_RE = /(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})/g;

/** Seconds of a naive local date/time (treated as UTC), or NaN. */
function naiveSec(date: string, time: string): number {
  const t = Date.parse(`${date}T${time}Z`);
  return t / 1000;
}

/**
 * True when the overlap `message` names a time within `[Td - 5 s, Td + windowSec]`
 * of the record's local `date`/`time` (also trying the record's UTC offset both ways,
 * in case iFlow displays times in another zone).
 */
export function overlapNamesOwnLiveStamp(
  message: string,
  rec: { date: string; time: string; utcOffsetMin: number },
  windowSec: number,
): boolean {
  if (!/suprapune/i.test(message.normalize("NFD").replace(/[\u0300-\u036f]/g, ""))) return false;
  const td = naiveSec(rec.date, rec.time);
  if (!Number.isFinite(td)) return false;
  const shifts = [0, rec.utcOffsetMin * 60, -rec.utcOffsetMin * 60];
  for (const m of message.matchAll(STAMP_RE)) {
    const t = naiveSec(`${m[3]}-${m[2]}-${m[1]}`, `${m[4]}:${m[5]}:${m[6]}`);
    if (!Number.isFinite(t)) continue;
    for (const s of shifts) {
      const d = t - s - td;
      if (d >= -5 && d <= windowSec) return true;
    }
  }
  return false;
}
