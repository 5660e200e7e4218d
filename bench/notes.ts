/**
 * Text a benchmark prints beside its timings. `deno bench --json` (which
 * `bench/report.ts` runs) swallows console output inside bench functions, so
 * when the report names a file in `PONTAJ_BENCH_NOTES` the text goes there too.
 *
 * @module
 */

/** Prints `text` and appends it to the report's notes file, if there is one. */
export function benchNote(text: string): void {
  console.log(text);
  const file = Deno.env.get("PONTAJ_BENCH_NOTES");
  if (file) Deno.writeTextFileSync(file, text + "\n", { append: true });
}
