/**
 * The config the gate tests start an agent with: the local iFlow at `url`,
 * a journal in `dir`, `readers`, no debounce, and one gate.
 *
 * @module
 */

import { type Config, validateConfig } from "../../../service/config/mod.ts";
import { DEMO_TOKEN } from "../../../service/iflow/sim/model.ts";

/** A validated config with `gate` as its only gate (and `extra` top-level keys, e.g. `status`). */
export function gateTestConfig(
  url: string,
  dir: string,
  readers: readonly unknown[],
  gate: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Config {
  return validateConfig(
    {
      journal: { dir: `${dir}/journal` },
      iflow: { url, accessToken: DEMO_TOKEN, reconnectJitterMs: 0, pollMs: 100 },
      readers,
      debounceMs: 0,
      ...extra,
      gates: [gate],
    },
    "test",
    {},
  );
}
