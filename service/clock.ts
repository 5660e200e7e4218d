/**
 * Stamping a scan with the wall clock: the local `date` (YYYY-MM-DD) and
 * `time` (HH:MM:SS) iFlow receives, in the configured IANA zone, and the UTC
 * offset that was used. Formatting goes through `Intl`, so daylight saving
 * transitions are the zone database's: in the spring-forward gap no instant
 * maps to the missing hour, and in the autumn repeated hour two instants map
 * to the same local time with different offsets (the offset is journaled, so
 * the two stay distinguishable).
 *
 * @module
 */

/** The earliest plausible wall clock: this release's build date (UTC). */
export const BUILD_DATE_MS: number = Date.UTC(2026, 10, 29);

/** A local stamp. */
export interface LocalStamp {
  /** `YYYY-MM-DD` in the zone. */
  date: string;
  /** `HH:MM:SS` in the zone (24-hour). */
  time: string;
  /** Minutes east of UTC in force at that instant. */
  utcOffsetMin: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local date, time and UTC offset of `epochMs` in `timeZone`. */
export function localStamp(epochMs: number, timeZone: string): LocalStamp {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? "00";
  const y = get("year"), mo = get("month"), d = get("day");
  const h = get("hour"), mi = get("minute"), s = get("second");
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return {
    date: `${y}-${mo}-${d}`,
    time: `${h}:${mi}:${s}`,
    utcOffsetMin: Math.round((asUtc - wholeSecond) / 60_000),
  };
}

/** Why a wall clock reading cannot be trusted, or "" when it looks right. */
export function clockProblem(epochMs: number, lastJournaledAtMs: number | null): string {
  if (epochMs < BUILD_DATE_MS) {
    return "clock unsynced: device clock is before the software build date";
  }
  if (lastJournaledAtMs !== null && epochMs < lastJournaledAtMs) {
    return "clock unsynced: device clock went backwards since the last scan";
  }
  return "";
}
