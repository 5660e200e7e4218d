/**
 * Human units for status output: durations, ages, byte sizes.
 *
 * @module
 */

/**
 * Formats a duration in ms compactly: `850 ms`, `12 s`, `4 min 5 s`, `3 h 2 min`, `2 d 5 h`.
 *
 * @example
 * ```ts
 * formatDuration(125_000); // "2 min 5 s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/**
 * How long before `now` the epoch-ms time `then` was: `12 s ago`, or `never` for null.
 *
 * @example
 * ```ts
 * formatAgo(1_000, 13_000); // "12 s ago"
 * ```
 */
export function formatAgo(then: number | null | undefined, now: number): string {
  if (then === null || then === undefined) return "never";
  const d = now - then;
  return d < 1000 ? "just now" : `${formatDuration(d)} ago`;
}

/**
 * Formats a byte count with binary units: `512 B`, `12.3 KiB`, `4.0 MiB`.
 *
 * @example
 * ```ts
 * formatBytes(12_595); // "12.3 KiB"
 * ```
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "?";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
