/**
 * OSDP Secure Channel crypto (SIA OSDP v2.2 Annex D), on AES-128 from
 * `./aes.ts` (call `loadAes()` before a session derives keys):
 *
 * - session keys: S-ENC, S-MAC1, S-MAC2 = AES-ECB(SCBK, `01 82` / `01 01` /
 *   `01 02` ‖ RND.A[0..5] ‖ zeros);
 * - client (PD) cryptogram = AES-ECB(S-ENC, RND.A ‖ RND.B), server (CP)
 *   cryptogram = AES-ECB(S-ENC, RND.B ‖ RND.A);
 * - RMAC_I = AES-ECB(S-MAC2, AES-ECB(S-MAC1, server cryptogram));
 * - MAC: AES-CBC over the frame from SOM to the end of the data, padded with
 *   `80 00…` when not block aligned, S-MAC1 for all blocks but the last, S-MAC2
 *   for the last; the IV is the last MAC from the other side (a command is
 *   chained to the last reply MAC, a reply to its command's MAC); 4 bytes sent;
 * - data: AES-CBC under S-ENC, always padded `80 00…`, IV = bitwise NOT of the
 *   last MAC from the other side.
 *
 * Keys live in private fields; a session prints as `SecureSession{…}` and never
 * serialises its keys.
 *
 * @module
 */

import { aesCbc, aesEcb } from "./aes.ts";
import type { MacSigner } from "./writer.ts";

export { loadAes } from "./aes.ts";

/** SCBK-D, the default key used in install mode: `30 31 … 3F`. */
export const SCBK_D: Uint8Array = Uint8Array.from({ length: 16 }, (_, i) => 0x30 + i);

/** Parses a 32-digit hex key (spaces and colons allowed); throws without echoing the input. */
export function parseKeyHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(clean)) {
    throw new Error("secure channel key must be 32 hex digits (16 bytes)");
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Fills `buf` with cryptographically random bytes. */
export function randomBytes(buf: Uint8Array): Uint8Array {
  crypto.getRandomValues(buf);
  return buf;
}

/**
 * One Secure Channel session's keys and MAC chain, copied out for a capture
 * (so a replay can follow a session opened before it began or under a
 * reader's own key). Never the SCBK: it cannot be derived from these.
 */
export interface SessionKeys {
  /** S-ENC. */
  sEnc: Uint8Array;
  /** S-MAC1. */
  sMac1: Uint8Array;
  /** S-MAC2. */
  sMac2: Uint8Array;
  /** The last command MAC (full 16 bytes). */
  cMac: Uint8Array;
  /** The last reply MAC (full 16 bytes). */
  rMac: Uint8Array;
}

/** Secure Channel state for one CP–PD pair (used by both sides). */
export class SecureSession {
  #sEnc = new Uint8Array(16);
  #sMac1 = new Uint8Array(16);
  #sMac2 = new Uint8Array(16);
  #cMac = new Uint8Array(16);
  #rMac = new Uint8Array(16);
  #scratch = new Uint8Array(16);
  /** RND.A, the CP's challenge. */
  readonly rndA: Uint8Array = new Uint8Array(8);
  /** RND.B, the PD's random number. */
  readonly rndB: Uint8Array = new Uint8Array(8);
  /** True once the handshake completed and MACs are chained. */
  active = false;

  /** Derives S-ENC, S-MAC1 and S-MAC2 from `scbk` and {@link rndA}. */
  deriveKeys(scbk: Uint8Array): void {
    const block = new Uint8Array(16);
    block[0] = 0x01;
    block.set(this.rndA.subarray(0, 6), 2);
    block[1] = 0x82;
    aesEcb(scbk, block, this.#sEnc);
    block[1] = 0x01;
    aesEcb(scbk, block, this.#sMac1);
    block[1] = 0x02;
    aesEcb(scbk, block, this.#sMac2);
    this.active = false;
  }

  /** The PD's (client) cryptogram: AES-ECB(S-ENC, RND.A ‖ RND.B). */
  clientCryptogram(): Uint8Array {
    const b = new Uint8Array(16);
    b.set(this.rndA);
    b.set(this.rndB, 8);
    aesEcb(this.#sEnc, b, b);
    return b;
  }

  /** The CP's (server) cryptogram: AES-ECB(S-ENC, RND.B ‖ RND.A). */
  serverCryptogram(): Uint8Array {
    const b = new Uint8Array(16);
    b.set(this.rndB);
    b.set(this.rndA, 8);
    aesEcb(this.#sEnc, b, b);
    return b;
  }

  /** RMAC_I from the server cryptogram; also sets it as the last reply MAC. */
  initialRmac(serverCryptogram: Uint8Array): Uint8Array {
    const b = new Uint8Array(16);
    aesEcb(this.#sMac1, serverCryptogram, b);
    aesEcb(this.#sMac2, b, b);
    this.#rMac.set(b);
    return b;
  }

  /** Sets the last reply MAC (the CP does this with the RMAC_I it received) and activates the session. */
  activate(rmacI: Uint8Array): void {
    this.#rMac.set(rmacI.subarray(0, 16));
    this.active = true;
  }

  /** Forgets keys and chained MACs. */
  clear(): void {
    this.#sEnc.fill(0);
    this.#sMac1.fill(0);
    this.#sMac2.fill(0);
    this.#cMac.fill(0);
    this.#rMac.fill(0);
    this.active = false;
  }

  /** Full 16-byte MAC of `buf[start .. end)` with `iv`, into the scratch block. */
  #mac(buf: Uint8Array, start: number, end: number, iv: Uint8Array): Uint8Array {
    const len = end - start;
    const padded = len % 16 === 0 && len > 0 ? len : (len + 16) & ~15;
    const data = new Uint8Array(padded);
    data.set(buf.subarray(start, end));
    if (padded !== len) data[len] = 0x80;
    let chain = iv;
    if (padded > 16) {
      const head = aesCbc(this.#sMac1, iv, data.subarray(0, padded - 16), false);
      chain = head.subarray(head.length - 16);
    }
    const last = aesCbc(this.#sMac2, chain, data.subarray(padded - 16), false);
    this.#scratch.set(last.subarray(0, 16));
    return this.#scratch;
  }

  /**
   * Signs a frame: MAC of `buf[0 .. end)` chained to the last MAC from the other
   * side, 4 bytes written at `buf[end .. end + 4)`; the full MAC becomes this
   * side's last MAC. `command` is true on the CP, false on the PD.
   */
  sign(buf: Uint8Array, end: number, command: boolean): void {
    const mac = this.#mac(buf, 0, end, command ? this.#rMac : this.#cMac);
    (command ? this.#cMac : this.#rMac).set(mac);
    buf.set(mac.subarray(0, 4), end);
  }

  /** A {@link MacSigner} for frames sent by the CP (`command`) or the PD. */
  signer(command: boolean): MacSigner {
    return { sign: (buf, end) => this.sign(buf, end, command) };
  }

  /**
   * Verifies the 4-byte MAC of a received frame that starts at `buf[start]`
   * (the parser's frame view), the MAC at `buf[start + macOffset ..]`; on
   * success the full MAC becomes the other side's last MAC. `command` is true
   * when the frame is a command (checked by the PD).
   */
  verify(buf: Uint8Array, macOffset: number, command: boolean, start: number = 0): boolean {
    const at = start + macOffset;
    const mac = this.#mac(buf, start, at, command ? this.#rMac : this.#cMac);
    let diff = 0;
    for (let i = 0; i < 4; i++) diff |= mac[i]! ^ buf[at + i]!;
    if (diff !== 0) return false;
    (command ? this.#cMac : this.#rMac).set(mac);
    return true;
  }

  #dataIv(command: boolean): Uint8Array {
    const src = command ? this.#rMac : this.#cMac;
    const iv = new Uint8Array(16);
    for (let i = 0; i < 16; i++) iv[i] = ~src[i]! & 0xff;
    return iv;
  }

  /**
   * Encrypts `data` (padded `80 00…` to whole blocks) for a command (`command`
   * true, IV = NOT last reply MAC) or a reply (IV = NOT the command's MAC).
   */
  encrypt(data: Uint8Array, command: boolean): Uint8Array {
    const padded = new Uint8Array((data.length + 16) & ~15);
    padded.set(data);
    padded[data.length] = 0x80;
    return aesCbc(this.#sEnc, this.#dataIv(command), padded, false);
  }

  /** Decrypts and unpads `data`; null when the length or padding is wrong. */
  decrypt(data: Uint8Array, command: boolean): Uint8Array | null {
    if (data.length === 0 || data.length % 16 !== 0) return null;
    const plain = aesCbc(this.#sEnc, this.#dataIv(command), data, true);
    let n = plain.length - 1;
    while (n > 0 && plain[n] === 0) n--;
    if (plain[n] !== 0x80) return null;
    return plain.slice(0, n);
  }

  /** A copy of the session keys and MAC chain (for a capture; see {@link SessionKeys}). */
  exportKeys(): SessionKeys {
    return {
      sEnc: this.#sEnc.slice(),
      sMac1: this.#sMac1.slice(),
      sMac2: this.#sMac2.slice(),
      cMac: this.#cMac.slice(),
      rMac: this.#rMac.slice(),
    };
  }

  /** An active session that goes on from `keys` (a replay following a captured session). */
  static fromKeys(keys: SessionKeys): SecureSession {
    const s = new SecureSession();
    s.#sEnc.set(keys.sEnc);
    s.#sMac1.set(keys.sMac1);
    s.#sMac2.set(keys.sMac2);
    s.#cMac.set(keys.cMac);
    s.#rMac.set(keys.rMac);
    s.active = true;
    return s;
  }

  /** Keeps keys out of logs. */
  toJSON(): string {
    return "SecureSession{…}";
  }

  /** Keeps keys out of `console.log` and `Deno.inspect`. */
  [Symbol.for("Deno.customInspect")](): string {
    return `SecureSession{active: ${this.active}}`;
  }

  /** Keeps keys out of `node:util` inspect. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `SecureSession{active: ${this.active}}`;
  }
}
