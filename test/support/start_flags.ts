/**
 * The runtime flags `deno task start` gives the agent: the words between
 * `deno run` and the script in deno.json's `start` task (the V8 memory flags),
 * so a child agent in a test or benchmark runs as the integrator's does. A
 * module of its own so a benchmark child can read them without loading the
 * test harness (which would add to the RSS it measures).
 *
 * @module
 */

/** Path of the project's deno.json. */
export const DENO_JSON: string = new URL("../../deno.json", import.meta.url).pathname;

/** The flags of the `start` task, e.g. `["--v8-flags=..."]` (without `-A`). */
export const START_FLAGS: string[] = (() => {
  const tasks = (JSON.parse(Deno.readTextFileSync(DENO_JSON)) as { tasks?: Record<string, string> })
    .tasks;
  const words = (tasks?.start ?? "deno run -A service/main.ts run").split(/\s+/);
  const from = words.indexOf("run") + 1;
  const to = words.findIndex((w) => w.endsWith("main.ts"));
  return words.slice(from, to > from ? to : from).filter((w) => w !== "-A");
})();
