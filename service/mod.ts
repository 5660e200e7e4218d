/**
 * The pontaj agent: configuration, reader supervision, the crash-safe scan
 * journal, the iFlow sync engine, the status page and the CLI.
 *
 * @module
 */

export { runAsciiDemo } from "./demo.ts";
