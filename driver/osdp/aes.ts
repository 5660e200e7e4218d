/**
 * AES-128 for the OSDP Secure Channel, from `node:crypto` (OpenSSL), loaded
 * only when something needs it: `node:crypto` brings Node's compatibility
 * layer, several MiB of memory that an agent without a Secure Channel reader
 * does not pay. {@link loadAes} loads it (the bus does when a reader has
 * `secureChannel`, the emulated reader when it starts, capture and replay
 * before they open a session); using AES before that throws.
 *
 * @module
 */

type NodeCrypto = typeof import("node:crypto");

let lib: NodeCrypto | null = null;

/** Loads the AES implementation (once; later calls return at once). */
export async function loadAes(): Promise<void> {
  lib ??= await import("node:crypto");
}

function aes(): NodeCrypto {
  if (lib === null) {
    throw new Error("OSDP secure channel: AES is not loaded (await loadAes() first)");
  }
  return lib;
}

/** Encrypts the 16-byte `block` under `key` (AES-128-ECB, no padding) into `out`. */
export function aesEcb(key: Uint8Array, block: Uint8Array, out: Uint8Array): void {
  const c = aes().createCipheriv("aes-128-ecb", key, null);
  c.setAutoPadding(false);
  out.set(c.update(block));
  c.final();
}

/** AES-128-CBC of `data` (a whole number of blocks, no padding added) under `key` and `iv`. */
export function aesCbc(
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  decrypt: boolean,
): Uint8Array {
  const c = decrypt
    ? aes().createDecipheriv("aes-128-cbc", key, iv)
    : aes().createCipheriv("aes-128-cbc", key, iv);
  c.setAutoPadding(false);
  const a = c.update(data);
  const b = c.final();
  if (b.length === 0) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
