/**
 * Simulated readers for the demo and the tests: each kind's descriptor makes
 * its simulator (on a real pty, or the kind's simulated kernel layer), with
 * the config entry the agent reads it with and a `tap(tag)` that makes the
 * card with that `dec10` tag appear.
 *
 * @module
 */

import type { GpioIoctl } from "../../driver/wiegand/gpio_ffi.ts";
import type { DeviceOverrides } from "../readers/kind.ts";
import { READER_KINDS, type ReaderConfigInput, readerKind } from "../readers/kinds/mod.ts";

/** A simulated reader the demo drives (tests and the chaos suite use them too). */
export interface DemoReader {
  /** Reader kind. */
  kind: string;
  /** Where it is wired (a pty path, or a simulated chip). */
  where: string;
  /** The config entry (name, kind, options, tagFormat). */
  config: ReaderConfigInput;
  /** Presents the card whose dec10 tag is `tag` (10 digits). */
  tap(tag: string): Promise<void>;
  /** Releases the simulator. */
  close(): Promise<void>;
  /** Feedback commands (LED, beep) the reader received, for readers that take them. */
  feedbackCount?(): number;
  /** The simulated GPIO chip a `wiegand` reader is read through (no gpiochip here). */
  gpio?: GpioIoctl;
}

/** A simulated reader of the kind named `kind`, called `name`. */
export function demoReader(kind: string, name: string): Promise<DemoReader> {
  const k = readerKind(kind);
  if (!k) throw new Error(`no reader kind '${kind}'`);
  return k.demo(name);
}

/** One simulated reader of every registered kind, named `gate-<kind>`. */
export function demoReaders(): Promise<DemoReader[]> {
  return Promise.all(READER_KINDS.map((k) => k.demo(`gate-${k.kind}`)));
}

/** The simulated kernel layers the agent needs for `readers` (see {@link DemoReader.gpio}). */
export function demoDeviceOverrides(readers: readonly DemoReader[]): DeviceOverrides {
  const gpio = new Map<string, GpioIoctl>();
  for (const r of readers) if (r.gpio) gpio.set(r.config.name, r.gpio);
  return { gpio };
}
