/**
 * From the config's reader entries to the devices the agent supervises, each
 * kind through its descriptor. Most kinds are one device per reader; readers
 * that share a bus (OSDP readers on one RS-485 port) become one device
 * hosting several reader names.
 *
 * @module
 */

import type { DeviceContext, DeviceSpec } from "./kind.ts";
import { type AnyReaderKind, entriesOf, READER_KINDS, type ReaderConfig } from "./kinds/mod.ts";

/** The devices for `readers`, in the config order of their first reader. */
export function devicesFor(readers: readonly ReaderConfig[], ctx: DeviceContext): DeviceSpec[] {
  const order = new Map(readers.map((r, i) => [r.name, i]));
  const devices = READER_KINDS.flatMap((kind: AnyReaderKind) =>
    kind.devices(entriesOf(kind, readers).map((e) => e.reader), ctx)
  );
  const first = (d: DeviceSpec) => order.get(d.names[0] ?? "") ?? 0;
  return devices.sort((a, b) => first(a) - first(b));
}
