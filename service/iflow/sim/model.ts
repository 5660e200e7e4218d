/**
 * The iFlow behaviour the simulator reproduces, without HTTP: employees with
 * RFID codes and employment periods, stored attendances, and the documented
 * replies (duplicates, unknown cards, employment period, malformed rows,
 * overlapping intervals).
 *
 * Check-in/check-out model: per employee and day, stored scans alternate
 * check-in, check-out, check-in... A scan earlier than the employee's last scan
 * of that day would create an interval that overlaps the following one, so it
 * is refused with the overlap message (as in the API text).
 *
 * @module
 */

import { z } from "zod";
import { localStamp } from "../../clock.ts";

/** An employee known to the simulated iFlow. */
export interface SimEmployee {
  /** iFlow user id. */
  id: string;
  /** Full name, as shown in replies. */
  fullName: string;
  /** The RFID code in the employee's profile (compared to `rfidTag` exactly). */
  rfid: string;
  /** First day of employment, `YYYY-MM-DD`. */
  from: string;
  /** Last day of employment, `YYYY-MM-DD`, or null/absent while employed. */
  to?: string | null;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");

/** Zod schema of an employees file: an array of employees, or `{ employees: [...] }`. */
export const SimEmployeesSchema: z.ZodType<SimEmployee[] | { employees: unknown[] }> = z.union([
  z.array(z.strictObject({
    id: z.union([z.string(), z.number()]).transform(String),
    fullName: z.string().min(1),
    rfid: z.string().min(1),
    from: day,
    to: day.nullish(),
  })),
  z.strictObject({ employees: z.array(z.any()) }),
]);

/** Parses an employees file's JSON value (see {@link SimEmployeesSchema}); throws a readable error. */
export function parseEmployees(json: unknown): SimEmployee[] {
  const first = SimEmployeesSchema.safeParse(json);
  if (!first.success) {
    const i = first.error.issues[0];
    throw new Error(`employees: ${i?.path.join(".") || "(root)"}: ${i?.message ?? "invalid"}`);
  }
  if (Array.isArray(first.data)) return first.data;
  return parseEmployees(first.data.employees);
}

/**
 * Demo employees (dec10 tags): the demo taps these cards. Radu Oprea's
 * employment ended, so his scans are refused.
 */
export const DEMO_EMPLOYEES: readonly SimEmployee[] = Object.freeze([
  { id: "22221", fullName: "Ana Popescu", rfid: "0003887558", from: "2020-01-01", to: null },
  { id: "22222", fullName: "Ion Ionescu", rfid: "0012345678", from: "2020-01-01", to: null },
  { id: "22223", fullName: "Maria Georgescu", rfid: "0004567890", from: "2021-03-15", to: null },
  { id: "22224", fullName: "Andrei Dumitrescu", rfid: "0009876543", from: "2022-09-01", to: null },
  { id: "22225", fullName: "Elena Stan", rfid: "0001122334", from: "2019-06-01", to: null },
  { id: "22226", fullName: "Radu Oprea", rfid: "0005550001", from: "2018-01-01", to: "2023-12-31" },
]);

/** The device token the demo registers in the simulator. */
export const DEMO_TOKEN = "7319042258170463";

/** One attendance stored by the simulated iFlow. */
export interface StoredAttendance {
  /** iFlow attendance id (reported in duplicate messages). */
  id: number;
  /** Arrival order, from 1. */
  arrival: number;
  /** Which endpoint stored it. */
  via: "offline" | "live";
  /** The card code. */
  rfidTag: string;
  /** The employee's id. */
  employeeId: string;
  /** Local date. */
  date: string;
  /** Local time. */
  time: string;
  /** iFlow's reading of the scan. */
  kind: "check-in" | "check-out";
}

/** A reply entry of the offline endpoint. */
export interface SimReplyEntry {
  /** Echoed date. */
  date: string;
  /** Echoed time. */
  time: string;
  /** Echoed card code. */
  rfidTag: string;
  /** Echoed device error text. */
  errorMsg: string;
  /** Card or employment problem. */
  error_authenticate: string;
  /** Duplicate or overlap. */
  error_check_in_out: string;
  /** Malformed row. */
  error_csv: string;
}

/** Messages iFlow uses (from the API text). */
export const SIM_MESSAGES = {
  duplicate: (id: number) => `Nu se poate adăuga - prezență duplicată: ${id}`,
  unknownCard: (tag: string) =>
    `Niciun angajat nu este asociat acestei cartele de tip RFID: ${tag}`,
  outsideEmployment: "Angajatul nu se poate ponta în afara perioadei de angajare.",
  badDateTime: (date: string, time: string) => `Data sau ora invalidă: ${date} ${time}`,
  badRow: "Înregistrare invalidă în csv_data",
  overlap: (name: string, following: string) =>
    `${name} - Acest interval se suprapune cu următorul interval: ${following}`,
} as const;

function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 &&
    d.getUTCDate() === +m[3]!;
}

function secondsOf(time: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})$/.exec(time);
  if (!m || +m[1]! > 23 || +m[2]! > 59 || +m[3]! > 59) return -1;
  return +m[1]! * 3600 + +m[2]! * 60 + +m[3]!;
}

function hms(sec: number): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(Math.floor(sec / 3600))}:${p(Math.floor(sec / 60) % 60)}:${p(sec % 60)}`;
}

function dmy(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

interface DayLog {
  times: number[];
  ids: number[];
}

/** What a scan came to inside the model. */
type ScanVerdict =
  | { ok: true; att: StoredAttendance; emp: SimEmployee; log: DayLog }
  | {
    ok: false;
    field: "error_authenticate" | "error_check_in_out" | "error_csv";
    message: string;
  };

/** Local date and time of `epochMs` in `timeZone` (the agent's own stamping, without the offset). */
export function localDateTime(epochMs: number, timeZone: string): { date: string; time: string } {
  const { date, time } = localStamp(epochMs, timeZone);
  return { date, time };
}

/** The simulated iFlow's state and rules. */
export class IflowModel {
  #byTag = new Map<string, SimEmployee>();
  #days = new Map<string, DayLog>();
  #dups = new Map<string, number>();
  #stored: StoredAttendance[] = [];
  #nextId: number;

  /** Creates a model with `employees`; attendance ids start at `firstId`. */
  constructor(employees: readonly SimEmployee[], firstId = 53201) {
    for (const e of employees) this.#byTag.set(e.rfid, e);
    this.#nextId = firstId;
  }

  /** Stored attendances in arrival order (a copy). */
  stored(): StoredAttendance[] {
    return this.#stored.slice();
  }

  /** How many attendances are stored. */
  get storedCount(): number {
    return this.#stored.length;
  }

  #scan(rfidTag: string, date: string, time: string, via: "offline" | "live"): ScanVerdict {
    const sec = secondsOf(time);
    if (!validDate(date) || sec < 0) {
      return { ok: false, field: "error_csv", message: SIM_MESSAGES.badDateTime(date, time) };
    }
    const emp = this.#byTag.get(rfidTag);
    if (!emp) {
      return { ok: false, field: "error_authenticate", message: SIM_MESSAGES.unknownCard(rfidTag) };
    }
    if (date < emp.from || (emp.to && date > emp.to)) {
      return { ok: false, field: "error_authenticate", message: SIM_MESSAGES.outsideEmployment };
    }
    const dupId = this.#dups.get(`${rfidTag}|${date}|${time}`);
    if (dupId !== undefined) {
      return { ok: false, field: "error_check_in_out", message: SIM_MESSAGES.duplicate(dupId) };
    }
    const key = `${emp.id}|${date}`;
    let log = this.#days.get(key);
    if (!log) this.#days.set(key, log = { times: [], ids: [] });
    const last = log.times.length > 0 ? log.times[log.times.length - 1]! : -1;
    if (sec < last) {
      let i = 0;
      while (log.times[i]! <= sec) i++;
      const start = i - (i % 2);
      const end = log.times[start + 1];
      const following = `${dmy(date)} ${hms(log.times[start]!)} - ${
        end === undefined ? "gol" : `${dmy(date)} ${hms(end)}`
      }`;
      return {
        ok: false,
        field: "error_check_in_out",
        message: SIM_MESSAGES.overlap(emp.fullName, following),
      };
    }
    const att: StoredAttendance = {
      id: this.#nextId++,
      arrival: this.#stored.length + 1,
      via,
      rfidTag,
      employeeId: emp.id,
      date,
      time,
      kind: log.times.length % 2 === 0 ? "check-in" : "check-out",
    };
    log.times.push(sec);
    log.ids.push(att.id);
    this.#dups.set(`${rfidTag}|${date}|${time}`, att.id);
    this.#stored.push(att);
    return { ok: true, att, emp, log };
  }

  /** Handles one `csv_data` row of the offline endpoint; returns its reply entry. */
  storeOffline(row: unknown): SimReplyEntry {
    const r = (row && typeof row === "object" ? row : {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "" : String(v));
    const entry: SimReplyEntry = {
      date: str(r.date),
      time: str(r.time),
      rfidTag: str(r.rfidTag),
      errorMsg: str(r.errorMsg),
      error_authenticate: "",
      error_check_in_out: "",
      error_csv: "",
    };
    if (!row || typeof row !== "object" || Array.isArray(row)) {
      entry.error_csv = SIM_MESSAGES.badRow;
      return entry;
    }
    const v = this.#scan(entry.rfidTag, entry.date, entry.time, "offline");
    if (!v.ok) entry[v.field] = v.message;
    return entry;
  }

  /** Handles one live scan stamped at `epochMs` (server clock); returns the reply body. */
  storeLive(rfidTag: string, epochMs: number, timeZone: string): Record<string, unknown> {
    const { date, time } = localDateTime(epochMs, timeZone);
    const v = this.#scan(rfidTag, date, time, "live");
    if (!v.ok) {
      const emp = this.#byTag.get(rfidTag);
      return { api_reply: { scan_msg: v.message, user: emp ? userJson(emp, timeZone) : null } };
    }
    const event = [];
    for (let i = 0; i < v.log.times.length; i += 2) {
      event.push({
        ID: String(v.log.ids[i]),
        date,
        start_time: String(v.log.times[i]),
        end_time: v.log.times[i + 1] === undefined ? null : String(v.log.times[i + 1]),
        terminal_type: "rfid",
      });
    }
    return { api_reply: { scan_msg: "", user: userJson(v.emp, timeZone), event } };
  }
}

function userJson(e: SimEmployee, timeZone: string): Record<string, unknown> {
  return {
    ID: e.id,
    full_name: e.fullName,
    is_enabled: true,
    default_timezone: timeZone,
    time_between_check_ins: "60",
    check_in_reset_limit: 46800,
  };
}
