/**
 * `cli capture --format pcap`: an OSDP capture file as pcapng.
 *
 * @module
 */

import { parseCapture } from "../../driver/capture/format.ts";
import { osdpPcapng } from "../../driver/capture/pcap.ts";

/** Writes the OSDP frames of the capture at `path` to `pcapPath`; returns the packet count. */
export async function exportCapture(path: string, pcapPath: string): Promise<number> {
  const cap = await parseCapture(await Deno.readFile(path));
  const { bytes, packets } = osdpPcapng(cap);
  await Deno.writeFile(pcapPath, bytes);
  return packets;
}
