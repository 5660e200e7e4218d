/**
 * From the config's reader entries to the devices the agent supervises. Most
 * kinds are one device per reader; readers that share a bus (OSDP readers on
 * one RS-485 port) become one device hosting several reader names.
 *
 * @module
 */

import type { ReaderConfig } from "../config/schema.ts";
import { createAsciiReader, createLineReader, type SerialReaderOptions } from "./serial_reader.ts";
import type { ReaderDriver } from "./types.ts";
import type { GpioIoctl, WiegandReaderConfig } from "../../driver/wiegand/mod.ts";
import { WiegandReaderDriver } from "./wiegand_reader.ts";
import { groupOsdpReaders, type OsdpReaderConfig } from "../../driver/osdp/config.ts";
import { type BusLogger, OsdpBusDriver } from "./osdp_bus.ts";
import type { Rc522ReaderConfig, SpiIoctl } from "../../driver/rc522/mod.ts";
import { Rc522ReaderDriver } from "./rc522_reader.ts";

/** Simulated kernel layers that replace devices which cannot exist (tests, the demo). */
export interface DeviceOverrides {
  /** GPIO chip per `wiegand` reader name. */
  gpio?: Map<string, GpioIoctl>;
  /** spidev layer per `rc522` reader name. */
  spi?: Map<string, SpiIoctl>;
  /** Directory of `osdp-keys.json` (the journal's), for OSDP key installation. */
  osdpKeyDir?: string;
}

/** One device to supervise. */
export interface DeviceSpec {
  /** Reader names it hosts. */
  names: string[];
  /** Reader kind. */
  kind: string;
  /** Makes a fresh driver (called again after each failure). */
  create: () => ReaderDriver;
}

/** Warnings from drivers (e.g. RS-485 unsupported), with the reader's name. */
export type WarningSink = (reader: string, message: string) => void;

function serialOptions(r: Record<string, unknown>, warn: WarningSink): SerialReaderOptions {
  const name = r.name as string;
  return {
    name,
    port: r.port as string,
    baudRate: r.baudRate as number,
    dataBits: r.dataBits as 7 | 8,
    parity: r.parity as "none" | "even" | "odd",
    stopBits: r.stopBits as 1 | 2,
    rs485: r.rs485 as boolean,
    onWarning: (msg) => warn(name, msg),
  };
}

/** The devices for `readers`, in config order. */
export function devicesFor(
  readers: ReaderConfig[],
  warn: WarningSink = () => {},
  overrides: DeviceOverrides = {},
  log: BusLogger = () => {},
): DeviceSpec[] {
  const devices: DeviceSpec[] = [];
  const osdp = readers.filter((r) => r.kind === "osdp") as unknown as (
    & OsdpReaderConfig
    & { name: string }
  )[];
  for (const line of groupOsdpReaders(osdp)) {
    devices.push({
      names: line.readers.map((r) => r.name),
      kind: "osdp",
      create: () =>
        new OsdpBusDriver(
          line,
          (level, msg, fields) => log(level, msg, { port: line.port, ...fields }),
          overrides.osdpKeyDir,
        ),
    });
  }
  for (const reader of readers) {
    const r = reader as unknown as Record<string, unknown>;
    switch (reader.kind as string) {
      case "ascii":
        devices.push({
          names: [reader.name],
          kind: "ascii",
          create: () => createAsciiReader(serialOptions(r, warn)),
        });
        break;
      case "line":
        devices.push({
          names: [reader.name],
          kind: "line",
          create: () =>
            createLineReader({
              ...serialOptions(r, warn),
              base: r.base as "auto" | "dec" | "hex",
            }),
        });
        break;
      case "wiegand":
        devices.push({
          names: [reader.name],
          kind: "wiegand",
          create: () =>
            new WiegandReaderDriver(
              reader.name,
              reader as unknown as WiegandReaderConfig,
              overrides.gpio?.get(reader.name),
            ),
        });
        break;
      case "osdp":
        break; // grouped by port above
      case "rc522":
        devices.push({
          names: [reader.name],
          kind: "rc522",
          create: () =>
            new Rc522ReaderDriver(
              reader.name,
              reader as unknown as Rc522ReaderConfig,
              log,
              overrides.spi?.get(reader.name),
            ),
        });
        break;
      default:
        throw new Error(`reader ${reader.name}: kind '${reader.kind}' is not supported`);
    }
  }
  return devices;
}
