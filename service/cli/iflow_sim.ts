/**
 * `cli iflow-sim`: the local iFlow simulator (see service/iflow/sim/cli.ts).
 *
 * @module
 */

import { runIflowSim } from "../iflow/sim/cli.ts";
import type { Command } from "./command.ts";

/** The `iflow-sim` command. */
export const iflowSimCommand: Command = {
  name: "iflow-sim",
  summary: "run a local iFlow simulator (both endpoints, faults on demand)",
  usage: "Usage: deno task cli iflow-sim --port N [--employees FILE] [fault options]\n" +
    "Run `deno task cli iflow-sim --help` for every option.",
  ownHelp: true,
  run(args) {
    return runIflowSim(args);
  },
};
