/**
 * Test support: an emulated OSDP reader with a key of its own and the
 * agent's OSDP driver on a pty, Secure Channel up before the caller goes on.
 *
 * @module
 */
import { OsdpEmulator } from "../../../driver/osdp/mod.ts";
import { openPty } from "../../../driver/serial/pty.ts";
import { bitsToString, encodeWiegand } from "../../../driver/wiegand/encode.ts";
import { formatTag } from "../../../driver/tag.ts";
import { OsdpBusDriver } from "../../../service/readers/osdp_bus.ts";
import { FAST, until } from "../../driver/osdp/harness.ts";

/** The reader's own SCBK. */
export const KEY = "00112233445566778899aabbccddeeff";
/** The cards presented (facility, number; H10301). */
export const CARDS: [number, number][] = [[59, 20934], [188, 24910]];

/** The line {@link securedLine} set up. */
export interface SecuredLine {
  /** The agent's driver of the line. */
  drv: OsdpBusDriver;
  /** Tags the driver read (dec10). */
  tags: string[];
  /** Presents {@link CARDS}, waiting for each to be read. */
  tapCards(): Promise<void>;
  /** Stops everything. */
  close(): Promise<void>;
}

/**
 * An emulated reader with its own key and the agent's OSDP driver on a pty;
 * `onOpen` runs as the port opens (before the handshake).
 */
export async function securedLine(
  onOpen?: (drv: OsdpBusDriver) => void,
  opts: { install?: boolean } = {},
): Promise<SecuredLine> {
  const pty = openPty();
  // With `install`, the reader starts on SCBK-D and the panel gives it KEY (osdp_KEYSET).
  const emu = new OsdpEmulator(pty.master, {
    readers: [{ address: 1, ...(opts.install ? {} : { scbk: KEY }) }],
  });
  emu.start();
  const keyDir = opts.install ? await Deno.makeTempDir({ prefix: "pontaj-osdp-keys-" }) : undefined;
  const drv = new OsdpBusDriver(
    {
      port: pty.path,
      baudRate: 115200,
      rs485: false,
      readers: [
        { name: "r", address: 1, secureChannel: { scbk: KEY, install: opts.install } } as never,
      ],
      timing: FAST,
    },
    () => {},
    keyDir,
  );
  const tags: string[] = [];
  const running = drv.run({
    onOpen: () => onOpen?.(drv),
    onCard: (_r, read) => tags.push(formatTag(read, "dec10")),
  });
  const active = () => drv.details("r")["secureChannel"] === "active";
  await until(active, "secure channel active under the reader's own key");
  const tapCards = async () => {
    for (const [fc, cn] of CARDS) {
      const before = tags.length;
      emu.reader(1).tapBits(bitsToString(encodeWiegand("h10301", fc, cn)), 1);
      await until(() => tags.length === before + 1, `card ${fc},${cn}`);
    }
  };
  const close = async () => {
    await drv.close();
    await running.catch(() => {});
    await emu.close();
    await pty.close();
    if (keyDir) await Deno.remove(keyDir, { recursive: true });
  };
  return { drv, tags, tapCards, close };
}
