/**
 * The package version (deno.json's `version`), in a module of its own so
 * `--version` and the capture header read it without loading a schema.
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };

/** The package version, e.g. `0.1.0`. */
export const PACKAGE_VERSION: string = denoJson.version;
