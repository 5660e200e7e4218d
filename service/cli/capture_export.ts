/**
 * What `cli capture` does to a finished capture file: `--format pcap` (an
 * OSDP capture as pcapng) and `--redact` (card bits replaced).
 *
 * @module
 */

import { parseCapture } from "../../driver/capture/format.ts";
import { osdpPcapng } from "../../driver/capture/pcap.ts";
import { redactCapture } from "../../driver/capture/redact.ts";
import { CaptureWriter, FileOutput } from "../../driver/capture/writer.ts";

/** Writes the OSDP frames of the capture at `path` to `pcapPath`; returns the packet count. */
export async function exportCapture(path: string, pcapPath: string): Promise<number> {
  const cap = await parseCapture(await Deno.readFile(path));
  const { bytes, packets } = osdpPcapng(cap);
  await Deno.writeFile(pcapPath, bytes);
  return packets;
}

/** Rewrites the capture at `path` with its card bits redacted (see `driver/capture/redact.ts`). */
export async function redactFile(path: string): Promise<string[]> {
  const cap = await parseCapture(await Deno.readFile(path));
  const r = await redactCapture(cap);
  const out = await FileOutput.create(`${path}.tmp`);
  const w = new CaptureWriter(out, r.header, { maxBytes: Infinity });
  await w.append(r.records);
  await out.close();
  await Deno.rename(`${path}.tmp`, path);
  return r.notes;
}
