/**
 * The `rc522` reader kind: an MFRC522 board on SPI (spidev) or its UART.
 *
 * @module
 */

import { replayRc522 } from "../../../driver/capture/replay_rc522.ts";
import { decodeRc522UidCapture } from "../../../driver/rc522/iso14443a.ts";
import type { ReaderKind } from "../kind.ts";
import { rc522EntryKind } from "./entries.ts";
import { Rc522ReaderDriver } from "../rc522_reader.ts";

/** `rc522`: 13.56 MHz MIFARE and NTAG cards, several in the field at once. */
export const rc522Kind: ReaderKind<typeof rc522EntryKind.entry> = {
  ...rc522EntryKind,
  devices: (readers, ctx) =>
    readers.map((r) => ({
      names: [r.name],
      kind: "rc522",
      create: () => new Rc522ReaderDriver(r.name, r, ctx.log, ctx.overrides.spi?.get(r.name)),
    })),
  capture: {
    name: "rc522-uid",
    hint: "a card UID in hex, 4, 7 or 10 bytes (04A3C6CAE26180)",
    decode: decodeRc522UidCapture,
  },
  replay: replayRc522,
  /**
   * A board on its UART (a pty), with a simulated chip answering register
   * reads and writes: the card with dec10 tag N has the 4-byte UID N, held to
   * the reader for half a second.
   */
  async demo(name) {
    const { openPty } = await import("../../../driver/serial/pty.ts");
    const { Rc522Sim, Rc522UartSim, VirtualCard } = await import(
      "../../../driver/rc522/sim/mod.ts"
    );
    const pty = openPty();
    const chip = new Rc522Sim();
    const uart = new Rc522UartSim(chip, pty.master);
    uart.start();
    const timers = new Set<ReturnType<typeof setTimeout>>();
    return {
      kind: "rc522",
      where: `${pty.path} (the chip's UART, simulated MFRC522)`,
      config: {
        name,
        kind: "rc522",
        uart: { port: pty.path, baudRate: 9600 },
        pollIntervalMs: 50,
        tagFormat: "dec10",
      },
      tap: (tag) => {
        const n = Number(tag);
        const uid = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
        const card = new VirtualCard({ uid });
        chip.field.add(card);
        const t = setTimeout(() => {
          chip.field.remove(card);
          timers.delete(t);
        }, 500);
        timers.add(t);
        return Promise.resolve();
      },
      close: async () => {
        for (const t of timers) clearTimeout(t);
        await pty.close();
        await uart.stopped();
      },
    };
  },
};
