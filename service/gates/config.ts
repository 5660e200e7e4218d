/**
 * The `gates` section of the config: which readers ask which gate, what the
 * gate drives (a GPIO relay or the reader's own OSDP output), who may pass
 * (policy), what happens while iFlow cannot be asked (offline), and the
 * optional allow file, exit button and passage sensor.
 *
 * ```jsonc
 * "gates": [{
 *   "name": "turnstile-1",
 *   "readers": ["gate-in", "gate-out"],
 *   "output": { "kind": "gpio", "chip": "/dev/gpiochip0", "line": 22, "activeLow": true, "pulseMs": 500 },
 *   "policy": "known", "offline": "known", "allow": "/etc/pontaj/allow.txt"
 * }]
 * ```
 *
 * @module
 */

import { z } from "zod";
import { ReaderNameSchema } from "../readers/kind.ts";

/** A GPIO chip path. */
const ChipPath = z.string().min(1).max(256).regex(/^\/dev\/\S+$/, {
  message: "expected a GPIO chip path such as /dev/gpiochip0",
});
/** A line offset on a chip. */
const LineOffset = z.number().int().min(0).max(1023);
/** Relay pulse length. */
const PulseMs = z.number().int().min(50).max(60_000).default(500);

/** A relay on a GPIO output line. */
export interface GateGpioOutput {
  /** `gpio`. */
  kind: "gpio";
  /** Chip path, e.g. `/dev/gpiochip0`. */
  chip: string;
  /** Line offset on the chip. */
  line: number;
  /** True when the relay board energises on a low level (most opto-isolated boards). */
  activeLow: boolean;
  /** How long the relay stays energised per open (ms, default 500). */
  pulseMs: number;
}

/** The OSDP reader's own output (osdp_OUT). */
export interface GateOsdpOutput {
  /** `osdp`. */
  kind: "osdp";
  /** The `osdp` reader whose output drives the lock. */
  reader: string;
  /** Output number on that reader (default 0). */
  output: number;
  /** How long the output stays on per open (ms, default 500). */
  pulseMs: number;
}

/** One GPIO input line (exit button). */
export interface GateInput {
  /** Chip path. */
  chip: string;
  /** Line offset. */
  line: number;
  /** True when the contact pulls the line low when pressed (default true, with pull-up). */
  activeLow: boolean;
}

/** A gate: readers that ask it, its output, who may pass. */
export interface GateConfig {
  /** Unique name, shown in status, export and metrics. */
  name: string;
  /** Scans from these readers ask this gate. */
  readers: string[];
  /** What opens the gate. */
  output: GateGpioOutput | GateOsdpOutput;
  /** `any` (every valid read opens), `known` (learned or allow file), `list` (allow file only). */
  policy: "any" | "known" | "list";
  /** While iFlow cannot be asked: `open` (fail-open), `known`, `closed`. */
  offline: "open" | "known" | "closed";
  /** Optional allow file: one rfidTag per line, `!TAG` denies, `#` comments. */
  allow?: string;
  /** Live mode: how long the live answer may take before the learned table decides (ms). */
  liveTimeoutMs: number;
  /**
   * Send granted scans whether or not the person passed (default true). False
   * (needs `passage`): a scan granted at once is held until its passage is
   * known, sent if the person passed, else kept as `not-passed` and never sent.
   */
  sendUnpassed: boolean;
  /** Optional request-to-exit button. */
  exitButton?: GateInput;
  /** Optional passage sensor: a granted scan is `passed` when it trips within `timeoutMs`. */
  passage?: GateInput & { timeoutMs: number };
}

const inputKeys = {
  chip: ChipPath,
  line: LineOffset,
  activeLow: z.boolean().default(true),
};

const GateGpioOutputSchema = z.strictObject({
  kind: z.literal("gpio"),
  chip: ChipPath,
  line: LineOffset,
  activeLow: z.boolean().default(false),
  pulseMs: PulseMs,
});

const GateOsdpOutputSchema = z.strictObject({
  kind: z.literal("osdp"),
  reader: ReaderNameSchema,
  output: z.number().int().min(0).max(255).default(0),
  pulseMs: PulseMs,
});

/** One gate entry. */
export const GateSchema: z.ZodType<GateConfig, unknown> = z.strictObject({
  name: ReaderNameSchema,
  readers: z.array(ReaderNameSchema).min(1, "at least one reader").max(16),
  output: z.discriminatedUnion("kind", [GateGpioOutputSchema, GateOsdpOutputSchema], {
    error: "expected an output with kind 'gpio' or 'osdp'",
  }),
  policy: z.enum(["any", "known", "list"]).default("known"),
  offline: z.enum(["open", "known", "closed"]).default("known"),
  allow: z.string().min(1).max(4096).optional(),
  liveTimeoutMs: z.number().int().min(50).max(10_000).default(700),
  sendUnpassed: z.boolean().default(true),
  exitButton: z.strictObject(inputKeys).optional(),
  passage: z.strictObject({
    ...inputKeys,
    timeoutMs: z.number().int().min(500).max(120_000).default(5000),
  }).optional(),
}).superRefine((g, ctx) => {
  if (g.policy === "list" && g.allow === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["allow"],
      message: "policy 'list' needs an allow file",
    });
  }
  if (!g.sendUnpassed && g.passage === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["sendUnpassed"],
      message: "false needs a passage sensor ('passage') to know who passed",
    });
  }
});

/** The `gates` array (default empty: no gate, the agent only records). */
export const GatesSchema: z.ZodType<GateConfig[], unknown> = z.array(GateSchema).max(32).default(
  [],
);

/** One problem across sections: key path from the config root, and what is expected. */
export interface GateIssue {
  /** Key path from the config root, e.g. `["gates", 0, "readers", 1]`. */
  path: (string | number)[];
  /** What is wrong or expected. */
  message: string;
}

/** What the cross-check reads of a reader entry. */
interface ReaderLike {
  name: string;
  kind: string;
  chip?: unknown;
  d0?: unknown;
  d1?: unknown;
  led?: { line: number } | undefined;
  beep?: { line: number } | undefined;
}

/** Every GPIO line a gate uses, with its key path. */
function gateLines(
  g: GateConfig,
  i: number,
): { chip: string; line: number; path: GateIssue["path"] }[] {
  const out: { chip: string; line: number; path: GateIssue["path"] }[] = [];
  if (g.output.kind === "gpio") {
    out.push({ chip: g.output.chip, line: g.output.line, path: ["gates", i, "output", "line"] });
  }
  if (g.exitButton) {
    out.push({ ...g.exitButton, path: ["gates", i, "exitButton", "line"] });
  }
  if (g.passage) out.push({ ...g.passage, path: ["gates", i, "passage", "line"] });
  return out;
}

/**
 * Checks across `gates` and `readers`: unique gate names, readers that exist
 * and ask one gate only, an `osdp` output on an `osdp` reader, and no GPIO
 * line used twice (by two gates, or by a gate and a Wiegand reader's D0/D1).
 */
export function gateIssues(
  cfg: { readers: readonly ReaderLike[]; gates: readonly GateConfig[]; iflow?: { mode: string } },
): GateIssue[] {
  const issues: GateIssue[] = [];
  const byName = new Map(cfg.readers.map((r) => [r.name, r]));
  const names = new Set<string>();
  const owner = new Map<string, string>();
  const lines = new Map<string, string>();
  for (const r of cfg.readers) {
    if (r.kind !== "wiegand") continue;
    lines.set(`${r.chip}:${r.d0}`, `used by reader '${r.name}' (D0)`);
    lines.set(`${r.chip}:${r.d1}`, `used by reader '${r.name}' (D1)`);
    if (r.led) lines.set(`${r.chip}:${r.led.line}`, `used by reader '${r.name}' (LED)`);
    if (r.beep) lines.set(`${r.chip}:${r.beep.line}`, `used by reader '${r.name}' (beeper)`);
  }
  cfg.gates.forEach((g, i) => {
    if (!g.sendUnpassed && cfg.iflow?.mode === "live") {
      issues.push({
        path: ["gates", i, "sendUnpassed"],
        message: 'false cannot hold scans with iflow.mode "live" (a live call sends each scan ' +
          'to iFlow as it is read); use mode "batch"',
      });
    }
    if (names.has(g.name)) {
      issues.push({ path: ["gates", i, "name"], message: `duplicate gate name '${g.name}'` });
    }
    names.add(g.name);
    g.readers.forEach((r, k) => {
      const path = ["gates", i, "readers", k];
      if (!byName.has(r)) {
        issues.push({ path, message: `no reader named '${r}' in 'readers'` });
      } else if (owner.has(r)) {
        issues.push({ path, message: `reader '${r}' already asks gate '${owner.get(r)}'` });
      } else owner.set(r, g.name);
    });
    if (g.output.kind === "osdp") {
      const r = byName.get(g.output.reader);
      if (!r || r.kind !== "osdp") {
        issues.push({
          path: ["gates", i, "output", "reader"],
          message: `expected the name of an 'osdp' reader, got '${g.output.reader}'`,
        });
      }
    }
    for (const l of gateLines(g, i)) {
      const key = `${l.chip}:${l.line}`;
      const used = lines.get(key);
      if (used) {
        issues.push({ path: l.path, message: `line ${l.line} on ${l.chip} is already ${used}` });
      } else lines.set(key, `used by gate '${g.name}'`);
    }
  });
  return issues;
}
