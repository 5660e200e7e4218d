/**
 * Turning `deno bench --json` results into the figures of the report: time
 * per frame, per byte, rates, latency summaries.
 *
 * @module
 */

/** One `Deno.bench` result from `deno bench --json`. */
export interface BenchResult {
  /** Bench file (basename). */
  file: string;
  /** Bench name. */
  name: string;
  /** Group, if any. */
  group: string | null;
  /** Iterations measured. */
  n: number;
  /** Mean, ns. */
  avg: number;
  /** Fastest, ns. */
  min: number;
  /** Slowest, ns. */
  max: number;
  /** 75th percentile, ns. */
  p75: number;
  /** 99th percentile, ns. */
  p99: number;
}

/** A duration in the unit that reads best. */
export function fmtTime(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** A rate with thousands separators. */
export function fmtRate(perSecond: number, unit: string): string {
  return `${Math.round(perSecond).toLocaleString("en-US")} ${unit}/s`;
}

const num = (s: string) => Number(s.replaceAll(",", ""));

/**
 * The figure a bench stands for, from the work its name says one iteration
 * does: `×N` or `N frames` → time per frame; `N bytes` / `N KiB` → time per
 * byte and throughput; `N … scans`, `N records`, `N polls`, `N concurrent
 * appends` → rate; otherwise the time per operation.
 */
export function benchFigure(r: BenchResult): string {
  const n = r.name;
  const t = `${fmtTime(r.avg)} per op`;
  let m = /×\s?(\d[\d,]*)/.exec(n) ?? /(\d[\d,]*) frames/.exec(n);
  if (m) return `**${fmtTime(r.avg / num(m[1]!))}/frame** (${t} of ${m[1]})`;
  m = /(\d[\d,]*) bytes/.exec(n);
  if (m) return `**${fmtTime(r.avg / num(m[1]!))}/byte** (${t} of ${m[1]} bytes)`;
  m = /(\d+) KiB/.exec(n);
  if (m) return `**${((num(m[1]!) * 1024) / (r.avg / 1e9) / 1e6).toFixed(0)} MB/s** (${t})`;
  m = /(\d[\d,]*) concurrent appends/.exec(n);
  if (m) return `**${fmtRate((num(m[1]!) * 1e9) / r.avg, "appends")}** (${t})`;
  m = /(\d[\d,]*)(?: journaled)? scans|(\d[\d,]*) records|(\d[\d,]*) polls/.exec(n);
  if (m && /latency/.test(n)) {
    const count = num(m[1] ?? m[2] ?? m[3]!);
    return `**${fmtTime(r.avg / count)}** mean per scan over ${count} (${t})`;
  }
  if (m) {
    const count = num(m[1] ?? m[2] ?? m[3]!);
    const unit = m[1] ? "scans" : m[2] ? "records" : "polls";
    return `**${fmtTime(r.avg)}** for ${count.toLocaleString("en-US")} ${unit} (${
      fmtRate((count * 1e9) / r.avg, unit)
    })`;
  }
  if (/relay energised/.test(n)) {
    return `**p99 ${fmtTime(r.p99)}** (mean ${fmtTime(r.avg)}, max ${
      fmtTime(r.max)
    }; n = ${r.n}; target p99 ≤ 20 ms)`;
  }
  if (r.n <= 60 && r.avg >= 1e6) {
    return `**${fmtTime(r.avg)}** mean (min ${fmtTime(r.min)}, p75 ${fmtTime(r.p75)}, max ${
      fmtTime(r.max)
    }; n = ${r.n})`;
  }
  return `**${fmtTime(r.avg)}** per op (${fmtRate(1e9 / r.avg, "ops")})`;
}
