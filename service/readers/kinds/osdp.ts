/**
 * The `osdp` reader kind: OSDP v2.2 readers on RS-485; every reader on one
 * port shares one control panel bus, supervised as one device.
 *
 * @module
 */

import { replayOsdp } from "../../../driver/capture/replay_osdp.ts";
import { groupOsdpReaders } from "../../../driver/osdp/config.ts";
import { decodeOsdpHex } from "../../../driver/osdp/decode.ts";
import type { ReaderKind } from "../kind.ts";
import { osdpEntryKind } from "./entries.ts";
import { OsdpBusDriver } from "../osdp_bus.ts";

/** `osdp`: the control panel side of OSDP v2.2, several readers per line. */
export const osdpKind: ReaderKind<typeof osdpEntryKind.entry> = {
  ...osdpEntryKind,
  devices: (readers, ctx) =>
    groupOsdpReaders(readers).map((line) => ({
      names: line.readers.map((r) => r.name),
      kind: "osdp",
      create: () =>
        new OsdpBusDriver(
          line,
          (level, msg, fields) => ctx.log(level, msg, { port: line.port, ...fields }),
          ctx.stateDir,
        ),
    })),
  capture: {
    name: "osdp",
    hint: "packet bytes in hex (53 65 08 00 04 60 60 90)",
    decode: decodeOsdpHex,
  },
  replay: replayOsdp,
  /**
   * A reader (address 1) emulated on a pty, in Secure Channel install mode:
   * the card with dec10 tag N arrives as a 26-bit osdp_RAW read.
   */
  async demo(name) {
    const { openPty } = await import("../../../driver/serial/pty.ts");
    const { OsdpEmulator } = await import("../../../driver/osdp/sim/emulator.ts");
    const { OsdpCmd } = await import("../../../driver/osdp/constants.ts");
    const { bitsToString, encodeWiegand } = await import("../../../driver/wiegand/encode.ts");
    const pty = openPty();
    const emulator = new OsdpEmulator(pty.master, { readers: [{ address: 1 }] });
    emulator.start();
    return {
      kind: "osdp",
      where: `${pty.path} (address 1, Secure Channel install mode)`,
      config: { name, kind: "osdp", port: pty.path, address: 1, tagFormat: "dec10" },
      tap: (tag) => {
        const n = Number(tag);
        const bits = encodeWiegand("h10301", Math.floor(n / 65536) % 256, n % 65536);
        emulator.reader(1).tapBits(bitsToString(bits), 1);
        return Promise.resolve();
      },
      feedbackCount: () => emulator.reader(1).received.filter((c) => c.code === OsdpCmd.LED).length,
      close: async () => {
        await emulator.close();
        await pty.close();
      },
    };
  },
};
