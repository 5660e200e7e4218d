/**
 * The fleet run's figures: printed, as rows of the benchmark report, and
 * written into an existing `bench/README.md` without running the rest of the
 * report (`deno task bench:fleet --write bench/README.md`).
 *
 * @module
 */

import type { FleetPhase, FleetResult } from "./fleet.ts";
import { firstRequestText, perSecondText } from "./fleet_profile.ts";
import { type Row, table } from "./report_rows.ts";

/** The bounds issue #23 sets for a fleet after an outage. */
export interface FleetVerdict {
  /** Every agent's first request within 60 s of recovery (both phases). */
  backWithinMinute: boolean;
  /** No second after the outage with more than a quarter of the fleet. */
  quarter: boolean;
  /** No second after the first of the Retry-After phase with more than a third. */
  third: boolean;
  /** No agent came back earlier than Retry-After. */
  retryAfterFloor: boolean;
  /** Every journaled scan stored exactly once, nothing foreign. */
  exactlyOnce: boolean;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Checks `r` against the bounds. */
export function fleetVerdict(r: FleetResult): FleetVerdict {
  const within = (p: FleetPhase) => p.profile.firstMs.every((ms) => ms >= 0 && ms <= 60_000);
  const ra = r.retryAfter.profile;
  return {
    backWithinMinute: within(r.outage) && within(r.retryAfter),
    quarter: r.outage.profile.busiest.agents <= r.agents / 4,
    third: ra.busiestAfterFirst <= r.agents / 3,
    retryAfterFloor: ra.minRetryInMs >= r.retryAfterSec * 1000 &&
      ra.minRetryGapMs >= r.retryAfterSec * 1000,
    exactlyOnce: r.once === r.journaled && r.doubled === 0 && r.missing === 0 && r.foreign === 0,
  };
}

function phaseValue(p: FleetPhase, agents: number, bound: string): string {
  const b = p.profile.busiest;
  return `first request ${firstRequestText(p.profile)}; busiest second ${b.agents} of ${agents} ` +
    `agents (second ${b.second + 1}; ${bound}); all stored ${sec(p.allStoredMs)} after recovery`;
}

/** The report rows of a fleet run. */
export function fleetRows(r: FleetResult): Row[] {
  const cmd = `\`deno task bench:fleet${r.flags ? " " + r.flags : ""}\``;
  const v = fleetVerdict(r);
  const ra = r.retryAfter.profile;
  return [
    [
      "fleet",
      `${r.agents} agents, iFlow ${r.outage.what}, shipped defaults`,
      phaseValue(r.outage, r.agents, `bound ${r.agents / 4}: ${v.quarter ? "met" : "MISSED"}`),
      cmd,
    ],
    [
      "fleet",
      `${r.agents} agents, iFlow ${r.retryAfter.what}`,
      phaseValue(r.retryAfter, r.agents, "all refused together in the first second") +
      `; after the first second at most **${ra.busiestAfterFirst}** (bound ${
        (r.agents / 3).toFixed(1)
      }: ${v.third ? "met" : "MISSED"}); shortest wait after a 503 ${sec(ra.minRetryGapMs)}`,
      cmd,
    ],
    [
      "fleet",
      `${r.agents} agents: every journaled scan stored exactly once`,
      `**${r.once} of ${r.journaled}**; missing ${r.missing}, doubled ${r.doubled}, ` +
      `never journaled ${r.foreign}; first requests within 60 s: ${
        v.backWithinMinute ? "yes" : "NO"
      }`,
      cmd,
    ],
  ];
}

/** The per-second arrival profile of both phases, as the report's notes print it. */
export function fleetNotes(r: FleetResult): string {
  return [
    `${r.agents} agents, each its own process, journal, line reader and token, shipped sync defaults;`,
    "each scans once a second while iFlow is down or refusing, none after. Agents per second:",
    "distinct agents with a request (refused, or an answered batch) in that second, from their logs.",
    "The bounds are fractions of the fleet: with 8 agents a third is 2.7, so three agents drawing",
    "the same second by chance miss it (test/service/sync/fleet_test.ts checks them on 1,000).",
    `agents per second after iFlow came back (${r.outage.what}): ${
      perSecondText(r.outage.profile)
    }`,
    `agents per second from the start of the ${r.retryAfter.what} phase: ${
      perSecondText(r.retryAfter.profile)
    }`,
  ].join("\n");
}

/** Prints the figures and verdicts; true when every bound holds. */
export function printFleet(r: FleetResult): boolean {
  console.log(table(fleetRows(r)));
  console.log(fleetNotes(r));
  const v = fleetVerdict(r);
  for (const [k, ok] of Object.entries(v)) console.log(`  ${ok ? "ok    " : "MISSED"} ${k}`);
  return Object.values(v).every(Boolean);
}

/**
 * Puts `rows` into the figures table of the report at `path` (replacing the
 * rows of an earlier run with as many agents) and the profile into its notes,
 * then formats it.
 */
export async function writeFleetRows(path: string, rows: Row[], r: FleetResult): Promise<void> {
  const lines = (await Deno.readTextFile(path)).split("\n");
  const same = new RegExp(`^\\|\\s*fleet\\s*\\|\\s*${r.agents} agents[,:]`);
  const kept = lines.filter((l) => !same.test(l));
  const fig = kept.findIndex((l) => l.startsWith("## Figures"));
  if (fig < 0) throw new Error(`${path}: no "## Figures" section to add the fleet rows to`);
  let end = kept.findIndex((l, i) => i > fig && l.startsWith("|"));
  while (end >= 0 && end < kept.length && kept[end]!.startsWith("|")) end++;
  const body = table(rows).split("\n").slice(2); // without the header
  kept.splice(end, 0, ...body);
  let text = kept.join("\n");
  const heading = `#### bench/fleet.ts (${r.agents} agents)`;
  const git = await new Deno.Command("git", { args: ["rev-parse", "--short", "HEAD"] }).output()
    .catch(() => null);
  const commit = git?.success ? new TextDecoder().decode(git.stdout).trim() : "unknown";
  const when = `Run on its own (\`deno task bench:fleet --write\`) at commit ${commit}, ` +
    `${new Date().toISOString()}, after the rest of this report.`;
  const note = `${heading}\n\n${when}\n\n\`\`\`\n${fleetNotes(r)}\n\`\`\`\n`;
  const at = text.indexOf(heading);
  if (at >= 0) {
    const next = text.indexOf("\n#### ", at + heading.length);
    text = text.slice(0, at) + note + (next >= 0 ? text.slice(next + 1) : "");
  } else text = text.trimEnd() + "\n\n" + note;
  await Deno.writeTextFile(path, text);
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path] }).output();
}
