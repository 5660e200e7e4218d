/**
 * The demo's live progress line: read, journaled, pending, synced, rejected.
 * Redrawn in place on a terminal; printed when it changes otherwise.
 *
 * @module
 */

import type { StatusSnapshot } from "../status/snapshot.ts";

/** One progress line from a status snapshot. */
export function progressLine(s: StatusSnapshot, phase: string): string {
  const j = s.journal;
  return `[${phase.padEnd(8)}] read ${s.pipeline.read}  journaled ${s.pipeline.journaled}  ` +
    `debounced ${s.pipeline.debounced}  pending ${j.pending}  synced ${j.synced}  ` +
    `rejected ${j.rejected}  sync ${s.sync.state}`;
}

/** Writes progress lines. */
export class ProgressWriter {
  readonly #tty: boolean;
  readonly #enc = new TextEncoder();
  #last = "";
  #drawn = false;

  /** Writes to stdout; redraws in place when stdout is a terminal. */
  constructor(tty: boolean = Deno.stdout.isTerminal()) {
    this.#tty = tty;
  }

  /** Shows `line` (skipped when unchanged). */
  update(line: string): void {
    if (line === this.#last) return;
    this.#last = line;
    if (this.#tty) {
      Deno.stdout.writeSync(this.#enc.encode(`\r\x1b[2K${line}`));
      this.#drawn = true;
    } else {
      console.log(line);
    }
  }

  /** Prints a message on its own line, keeping the progress line below it. */
  note(message: string): void {
    if (this.#tty && this.#drawn) {
      Deno.stdout.writeSync(this.#enc.encode(`\r\x1b[2K${message}\n${this.#last}`));
    } else {
      console.log(message);
    }
  }

  /** Ends the progress line. */
  end(): void {
    if (this.#tty && this.#drawn) Deno.stdout.writeSync(this.#enc.encode("\n"));
    this.#drawn = false;
  }
}
