/**
 * The `wiegand` reader kind: D0/D1 on two GPIO lines.
 *
 * @module
 */

import { replayWiegand } from "../../../driver/capture/replay_wiegand.ts";
import { decodeWiegandText } from "../../../driver/wiegand/text.ts";
import type { ReaderKind } from "../kind.ts";
import { wiegandEntryKind } from "./entries.ts";
import { WiegandReaderDriver } from "../wiegand_reader.ts";

/** `wiegand`: most turnstile readers; frames by bit count, keypads, line faults. */
export const wiegandKind: ReaderKind<typeof wiegandEntryKind.entry> = {
  ...wiegandEntryKind,
  devices: (readers, ctx) =>
    readers.map((r) => ({
      names: [r.name],
      kind: "wiegand",
      create: () =>
        new WiegandReaderDriver(
          r.name,
          r,
          ctx.overrides.gpio?.get(r.name),
          ctx.overrides.clock,
          ctx.log,
        ),
    })),
  capture: {
    name: "wiegand",
    hint: "bits (00101101000000001010001000) or hex:N (0x2020002:26)",
    decode: (s) => decodeWiegandText(s),
  },
  replay: replayWiegand,
  /**
   * A 26-bit (H10301) reader on a simulated GPIO chip: the card with dec10 tag
   * N is facility N >> 16, card N & 0xFFFF, so its `dec10` is N again.
   */
  async demo(name) {
    const { SimulatedGpio } = await import("../../../driver/wiegand/sim/gpio.ts");
    const { WiegandPulseGenerator } = await import("../../../driver/wiegand/sim/pulses.ts");
    const { encodeWiegand } = await import("../../../driver/wiegand/encode.ts");
    const { monotonicClock } = await import("../../../driver/wiegand/gpio_ffi.ts");
    const gpio = new SimulatedGpio();
    const gen = new WiegandPulseGenerator({ seed: 1, intervalUs: 1000 });
    const now = new Int32Array(2);
    return {
      kind: "wiegand",
      where: "a simulated GPIO chip (D0 line 0, D1 line 1)",
      config: { name, kind: "wiegand", chip: "/dev/gpiochip0", d0: 0, d1: 1, tagFormat: "dec10" },
      gpio,
      tap: async (tag) => {
        const n = Number(tag);
        monotonicClock(now);
        gen.nowNs = BigInt(now[0]!) * 1_000_000_000n + BigInt(now[1]!);
        gen.frame(encodeWiegand("h10301", Math.floor(n / 65536) % 256, n % 65536));
        await gpio.send(gen.eventBytes());
      },
      close: () => gpio.dispose(),
    };
  },
};
