/**
 * Makes the expected decode of a capture dropped into `test/captures/`:
 * `deno run -A test/captures/make_expected.ts test/captures/FILE.pjcap …`
 * writes `FILE.expected.json` beside each (the `cli replay --json` report).
 * Read it before committing: it is what the regression test will hold the
 * decoders to.
 *
 * @module
 */

import { replayFile } from "../../service/cli/replay.ts";

/** The expected-output path of a capture. */
export function expectedPath(capture: string): string {
  return capture.replace(/\.pjcap$/, "") + ".expected.json";
}

/** The report as the expected file holds it: one key per line, one frame per line. */
export async function expectedText(capture: string): Promise<string> {
  const report = await replayFile(capture);
  const lines = Object.entries(report).map(([k, v]) =>
    k === "frames"
      ? `  "frames": [\n${report.frames.map((f) => `    ${JSON.stringify(f)}`).join(",\n")}\n  ]`
      : `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`
  );
  return `{\n${lines.join(",\n")}\n}\n`;
}

if (import.meta.main) {
  if (Deno.args.length === 0) {
    console.error("usage: deno run -A test/captures/make_expected.ts FILE.pjcap …");
    Deno.exit(2);
  }
  for (const file of Deno.args) {
    const out = expectedPath(file);
    await Deno.writeTextFile(out, await expectedText(file));
    console.log(`${out}: written`);
  }
}
