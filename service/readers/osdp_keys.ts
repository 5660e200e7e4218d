/**
 * `osdp-keys.json` in the journal directory: the Secure Channel keys the
 * panel installed in OSDP readers (install mode, `cli osdp rekey`), keyed by
 * port and address. A key is stored here before the `osdp_KEYSET` that sets
 * it goes out, so a crash at any step leaves a key the panel can try.
 *
 * Written like a journal segment: a temporary file (mode 0600), fsync,
 * rename, fsync of the directory. Keys are never logged; a file that does
 * not parse is moved aside (`.broken`), reported, and not overwritten.
 *
 * ```json
 * { "version": 1, "keys": { "/dev/ttyUSB0#1": { "scbk": "<32 hex>", "storedAt": "2026-…Z" } } }
 * ```
 *
 * @module
 */

import { denoFs } from "../journal/fs.ts";
import type { OsdpKeyStore } from "../../driver/osdp/link_types.ts";

/** File name, in the journal directory. */
export const OSDP_KEYS_FILE = "osdp-keys.json";

interface Entry {
  scbk: string;
  storedAt: string;
}

/** Log sink (same shape as the service logger). */
type Log = (
  level: "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

function hex(key: Uint8Array): string {
  return Array.from(key, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(s: unknown): Uint8Array | null {
  if (typeof s !== "string" || !/^[0-9a-f]{32}$/i.test(s)) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The key file of one directory; see the module documentation. */
export class OsdpKeyFile {
  /** Path of the file. */
  readonly path: string;
  /** Entries that were not a valid key (skipped, counted). */
  badEntries = 0;
  readonly #dir: string;
  readonly #keys = new Map<string, Entry>();
  #writing: Promise<void> = Promise.resolve();

  private constructor(dir: string) {
    this.#dir = dir;
    this.path = `${dir}/${OSDP_KEYS_FILE}`;
  }

  /** Reads `dir/osdp-keys.json` (absent: no keys yet). */
  static async open(dir: string, log: Log = () => {}): Promise<OsdpKeyFile> {
    const f = new OsdpKeyFile(dir);
    let text: string;
    try {
      text = await Deno.readTextFile(f.path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return f;
      throw err;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      const aside = `${f.path}.broken`;
      await Deno.rename(f.path, aside);
      log("error", "osdp key file does not parse; moved aside", {
        file: f.path,
        movedTo: aside,
        error: String(err).slice(0, 120),
      });
      return f;
    }
    const keys = (doc as { keys?: unknown })?.keys;
    if (keys && typeof keys === "object") {
      for (const [id, e] of Object.entries(keys as Record<string, unknown>)) {
        const scbk = unhex((e as Entry | null)?.scbk);
        if (scbk) f.#keys.set(id, { scbk: hex(scbk), storedAt: String((e as Entry).storedAt) });
        else f.badEntries++;
      }
    }
    if (f.badEntries > 0) {
      log("warn", "osdp key file: entries without a valid key skipped", {
        file: f.path,
        count: f.badEntries,
      });
    }
    return f;
  }

  /** The key stored for `address` on `port`, or null. */
  load(port: string, address: number): Uint8Array | null {
    return unhex(this.#keys.get(`${port}#${address}`)?.scbk);
  }

  /** Where the key of `address` on `port` comes from: `installed` when one is stored. */
  has(port: string, address: number): boolean {
    return this.#keys.has(`${port}#${address}`);
  }

  /** Stores `key` for `address` on `port`; resolves once the file and its rename are durable. */
  save(port: string, address: number, key: Uint8Array): Promise<void> {
    this.#keys.set(`${port}#${address}`, { scbk: hex(key), storedAt: new Date().toISOString() });
    const body = JSON.stringify({ version: 1, keys: Object.fromEntries(this.#keys) }, null, 2);
    const run = this.#writing.catch(() => {}).then(() => this.#write(body + "\n"));
    this.#writing = run;
    return run;
  }

  async #write(body: string): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const f = await Deno.open(tmp, { write: true, create: true, truncate: true, mode: 0o600 });
    try {
      const bytes = new TextEncoder().encode(body);
      for (let off = 0; off < bytes.length;) off += await f.write(bytes.subarray(off));
      await f.sync();
    } finally {
      f.close();
    }
    await Deno.chmod(tmp, 0o600);
    await Deno.rename(tmp, this.path);
    await denoFs.syncDir(this.#dir);
  }

  /** The store the OSDP bus on `port` uses. */
  forPort(port: string): OsdpKeyStore {
    return {
      load: (address) => this.load(port, address),
      save: (address, key) => this.save(port, address, key),
    };
  }
}
