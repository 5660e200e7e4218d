/**
 * A reader kind as one typed descriptor: its options schema (from its driver
 * folder), the checks that span several keys or several readers, how its
 * entries become supervised devices, its capture decoder for `cli decode`,
 * its replayer for `cli replay`, and its demo simulator. The registry
 * (`kinds/mod.ts`) lists them all; the config schema reads only their config
 * parts (`kinds/entries.ts`), the device factory, `cli decode` and the demo
 * read the registry and nothing else.
 *
 * @module
 */

import { z } from "zod";
import type { Replayer } from "../../driver/capture/replay.ts";
import type { CaptureDecoder } from "../../driver/capture.ts";
import type { ReaderConfigIssue, ReaderGroupIssue } from "../../driver/config_issue.ts";
import type { GpioIoctl, MonotonicClock } from "../../driver/wiegand/gpio_ffi.ts";
import type { GpioOutputIoctl } from "../../driver/wiegand/gpio_output.ts";
import type { SpiIoctl } from "../../driver/rc522/spi.ts";
import type { DemoReader } from "../demo/sim_readers.ts";
import type { ReaderDriver } from "./types.ts";
import type { Logger } from "../log.ts";

/** The `name` every reader entry has: shown in status and journaled with each scan. */
export const ReaderNameSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, {
  message: "letters, digits, '.', '_' and '-' only",
});

/**
 * The keys every entry has besides its kind's options: `name` and the `kind`
 * literal. A kind's entry schema is `Options.extend(entryKeys("kind"))`.
 */
export function entryKeys<K extends string>(
  kind: K,
): { name: typeof ReaderNameSchema; kind: z.ZodLiteral<K> } {
  return { name: ReaderNameSchema, kind: z.literal(kind) };
}

/** Any kind's entry schema (options extended with {@link entryKeys}). */
export type EntrySchema = z.ZodObject<
  { name: typeof ReaderNameSchema; kind: z.ZodLiteral<string> }
>;

/** Simulated kernel layers that replace devices which cannot exist (tests, the demo). */
export interface DeviceOverrides {
  /** GPIO chip per `wiegand` reader name. */
  gpio?: Map<string, GpioIoctl>;
  /** spidev layer per `rc522` reader name. */
  spi?: Map<string, SpiIoctl>;
  /** GPIO layer for gates (relay, exit button, passage sensor) by `chip:line`, else by chip path. */
  gateGpio?: Map<string, GpioOutputIoctl>;
  /** Monotonic clock `wiegand` readers time frames and line hints with (tests). */
  clock?: MonotonicClock;
}

/** What turning entries into devices may use. */
export interface DeviceContext {
  /** Warnings from drivers (e.g. RS-485 unsupported), with the reader's name. */
  warn(reader: string, message: string): void;
  /** Device events. */
  log: Logger;
  /** Simulated kernel layers by reader name. */
  overrides: DeviceOverrides;
  /** The agent's state directory (the journal's), for what a kind keeps, e.g. OSDP keys. */
  stateDir?: string;
}

/** One device to supervise: a serial reader, a GPIO pair, an SPI chip or a bus of readers. */
export interface DeviceSpec {
  /** Reader names it hosts. */
  names: string[];
  /** Reader kind. */
  kind: string;
  /** Makes a fresh driver (called again after each failure). */
  create: () => ReaderDriver;
}

/** How `cli decode <name> <frame>` reads one captured frame of this kind. */
export interface CaptureSpec {
  /** The name given to `cli decode` (usually the kind). */
  name: string;
  /** What to type, with an example. */
  hint: string;
  /** The decoder. */
  decode: CaptureDecoder;
}

/**
 * What the config needs of a reader kind: its entry schema and its checks.
 * Kept apart from {@link ReaderKind} so loading a config loads no driver
 * (`kinds/entries.ts` lists them).
 */
export interface ReaderKindEntry<E extends EntrySchema> {
  /** The `kind` value in the config. */
  readonly kind: z.output<E>["kind"];
  /** Options plus `name` and `kind` (see {@link entryKeys}). */
  readonly entry: E;
  /** Checks across several keys of one entry; paths are relative to the entry. */
  check?(reader: z.output<E>): ReaderConfigIssue[];
  /** Settings that are valid but deserve a second look (`check-config` prints them). */
  warnings?(reader: z.output<E>): ReaderConfigIssue[];
  /** Checks across all entries of this kind (e.g. readers sharing a bus). */
  checkGroup?(readers: readonly z.output<E>[]): ReaderGroupIssue[];
}

/** One reader kind: its config part ({@link ReaderKindEntry}) and its drivers, decoders and demo. */
export interface ReaderKind<E extends EntrySchema> extends ReaderKindEntry<E> {
  /** The devices for this kind's entries, in config order. */
  devices(readers: readonly z.output<E>[], ctx: DeviceContext): DeviceSpec[];
  /** The capture decoder for `cli decode`. */
  capture: CaptureSpec;
  /**
   * Replays a capture of this kind (`cli replay`) through the same decoders
   * the driver runs; the transport is tapped through `ReaderDriver.setTap`.
   */
  replay: Replayer;
  /** A simulated reader of this kind for the demo and the tests (its modules load on first use). */
  demo(name: string): Promise<DemoReader>;
}
