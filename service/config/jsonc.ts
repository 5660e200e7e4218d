/**
 * JSON with comments (`//`, `/* *\/`) and trailing commas, as integrators
 * write config files by hand. Comments and trailing commas are blanked out
 * (keeping line and column positions), then `JSON.parse` does the rest.
 *
 * @module
 */

/** Deepest nesting of objects and arrays accepted (a config is a few levels deep). */
export const MAX_JSONC_DEPTH = 64;

/**
 * Strips comments and trailing commas from JSONC text, keeping positions.
 * Throws `SyntaxError` when objects and arrays nest deeper than
 * {@link MAX_JSONC_DEPTH}, so a hostile file never reaches a recursive parser.
 */
export function stripJsonc(text: string): string {
  const out = text.split("");
  let i = 0;
  let lastSignificant = -1; // index of the last non-space char kept outside comments
  let depth = 0;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      lastSignificant = Math.min(i, text.length) - 1;
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if ((c === "{" || c === "[") && ++depth > MAX_JSONC_DEPTH) {
      const line = text.slice(0, i).split("\n").length;
      throw new SyntaxError(
        `nested deeper than ${MAX_JSONC_DEPTH} levels at line ${line} (a config is a few levels deep)`,
      );
    }
    if (c === "}" || c === "]") {
      depth--;
      if (lastSignificant >= 0 && out[lastSignificant] === ",") out[lastSignificant] = " ";
    }
    if (!/\s/.test(c)) lastSignificant = i;
    i++;
  }
  return out.join("");
}

/** Parses JSONC text; throws `SyntaxError` with line and column on bad syntax. */
export function parseJsonc(text: string): unknown {
  const stripped = stripJsonc(text);
  try {
    return JSON.parse(stripped);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const m = /position (\d+)/.exec(msg);
    if (m) {
      const pos = Number(m[1]);
      const before = stripped.slice(0, pos);
      const line = before.split("\n").length;
      const col = pos - before.lastIndexOf("\n");
      throw new SyntaxError(`invalid JSON at line ${line}, column ${col}: ${msg}`);
    }
    throw new SyntaxError(`invalid JSON: ${msg}`);
  }
}
