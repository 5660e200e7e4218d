/**
 * The Secure Channel keys a control panel tries for one reader, in order:
 * the key stored after an earlier installation, the configured key, then the
 * public default key SCBK-D (in install mode, or when no key is configured).
 * It also picks the key to install and remembers which one worked.
 *
 * Keys never leave this object except to the crypto and the key store.
 *
 * @module
 */

import { randomBytes, SCBK_D } from "./secure.ts";

/** Where the key of a session came from (shown in status). */
export type KeySource = "installed" | "configured" | "default";

/** One key to try. */
export interface KeyCandidate {
  /** The 16-byte SCBK. */
  readonly key: Uint8Array;
  /** Where it came from. */
  readonly source: KeySource;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Candidate keys of one reader; see the module documentation. */
export class KeyRing {
  /** True when a reader found on SCBK-D gets a key installed. */
  readonly install: boolean;
  readonly #configured: Uint8Array | undefined;
  #stored: Uint8Array | null;
  #list: KeyCandidate[] = [];
  #index = 0;

  /** Keys for a reader: `stored` from the key file, `configured` from the config. */
  constructor(stored: Uint8Array | null, configured: Uint8Array | undefined, install: boolean) {
    this.install = install;
    this.#configured = configured;
    this.#stored = stored;
    this.#build();
  }

  #build(): void {
    const list: KeyCandidate[] = [];
    if (this.#stored) list.push({ key: this.#stored, source: "installed" });
    const c = this.#configured;
    if (c && !(this.#stored && same(c, this.#stored))) list.push({ key: c, source: "configured" });
    if (this.install || !c) list.push({ key: SCBK_D, source: "default" });
    this.#list = list;
    this.#index = 0;
  }

  /** The key being tried. */
  get current(): KeyCandidate {
    return this.#list[this.#index]!;
  }

  /** Every candidate's source, in order (for logs). */
  get sources(): KeySource[] {
    return this.#list.map((k) => k.source);
  }

  /** Moves to the next candidate; false (staying put) when none is left. */
  next(): boolean {
    if (this.#index + 1 >= this.#list.length) return false;
    this.#index++;
    return true;
  }

  /** Back to the first candidate (a new connection attempt). */
  rewind(): void {
    this.#index = 0;
  }

  /** The key to install: the configured one, else the stored one, else 16 random bytes. */
  keyToInstall(random: (buf: Uint8Array) => void = randomBytes): Uint8Array {
    if (this.#configured) return this.#configured.slice();
    if (this.#stored) return this.#stored.slice();
    const k = new Uint8Array(16);
    random(k);
    return k;
  }

  /** A fresh random key (rotation). */
  static randomKey(random: (buf: Uint8Array) => void = randomBytes): Uint8Array {
    const k = new Uint8Array(16);
    random(k);
    return k;
  }

  /** `key` was stored and accepted by the reader: it becomes the first candidate. */
  installed(key: Uint8Array): void {
    this.#stored = key.slice();
    this.#build();
  }
}
