/**
 * The Secure Channel decisions of one reader's link: which key to try, what
 * a verified or failed handshake means (next key, install a key, continue
 * in clear, refuse), and the key being installed. Each decision returns the
 * {@link LinkEvent} the link feeds to its transition table; the reason is in
 * {@link LinkSecurity.why}. Keys are never logged.
 *
 * @module
 */

import { CpSecureChannel } from "./cp_secure.ts";
import { KeyRing, type KeySource } from "./key_ring.ts";
import { LinkEvent } from "./link_fsm.ts";
import { nakName, OsdpCmd, OsdpNak, OsdpReply } from "./constants.ts";
import type { OsdpParser } from "./parser.ts";
import type { LinkCounters, LinkSink, PdLinkConfig, ScState } from "./link_types.ts";
import { type Capability, supportsSecureChannel } from "./payload.ts";

const E = LinkEvent;

/** Secure Channel state and key lifecycle of one link; see the module documentation. */
export class LinkSecurity {
  /** Crypto and framing of the session. */
  readonly channel: CpSecureChannel;
  /** Candidate keys. */
  readonly keys: KeyRing;
  /** Secure Channel state. */
  sc: ScState = "off";
  /** Last Secure Channel problem (never contains key material), "" when none. */
  error = "";
  /** Reason of the last decision (for the state log and `lastError`). */
  why = "";
  /** Where the session's key came from, null without a session. */
  keySource: KeySource | null = null;
  /** The key being installed (stored first), null when none. */
  newKey: Uint8Array | null = null;
  /** True once {@link newKey} is on disk. */
  newKeyStored = false;
  readonly #name: string;
  readonly #sink: LinkSink;
  readonly #counters: LinkCounters;
  readonly #random: ((buf: Uint8Array) => void) | undefined;

  /** Security of the link configured by `config`. */
  constructor(config: PdLinkConfig, sink: LinkSink, counters: LinkCounters) {
    const sc = config.secureChannel;
    this.channel = new CpSecureChannel(sc, config.random);
    this.keys = new KeyRing(config.storedKey ?? null, sc?.scbk, sc?.install === true);
    this.#name = config.name;
    this.#sink = sink;
    this.#counters = counters;
    this.#random = config.random;
  }

  #event(e: LinkEvent, why: string): LinkEvent {
    this.why = why;
    return e;
  }

  /** PDCAP known: handshake, clear text, or refusal. */
  afterCapabilities(caps: Capability[]): LinkEvent {
    if (!this.channel.wanted) return this.#event(E.OK, "");
    if (supportsSecureChannel(caps)) return this.#event(E.SECURE, "");
    this.sc = "unsupported";
    if (this.channel.required) {
      this.error = "reader does not offer secure channel, which is required";
      return this.#event(E.REFUSE, this.error);
    }
    this.error = "reader does not offer secure channel; continuing in clear";
    this.#sink.log("warn", "osdp secure channel unavailable", { reader: this.#name });
    return this.#event(E.CLEAR, this.error);
  }

  /** RMAC_I verified: the session is up on the current key. */
  sessionUp(): LinkEvent {
    const key = this.keys.current;
    this.keySource = key.source;
    this.error = "";
    if (key.source !== "default") {
      this.sc = "active";
      this.#sink.log("info", "osdp secure channel active", { reader: this.#name, key: key.source });
      return this.#event(E.OK, "");
    }
    if (this.keys.install) {
      this.sc = "installing";
      this.newKey = this.keys.keyToInstall(this.#random);
      return this.#event(E.INSTALL, "reader is on the default key: installing a key");
    }
    this.sc = "default-key";
    if (this.channel.required) {
      this.error = "reader is on the public default key SCBK-D; " +
        'set "install": true to give it its own key';
      return this.#event(E.REFUSE, this.error);
    }
    this.#sink.log("warn", "osdp secure channel on the default key SCBK-D", { reader: this.#name });
    return this.#event(E.OK, "");
  }

  /**
   * The key to store durably before the KEYSET may go out (the bus then calls
   * {@link keyStored}, or `PdLink.keyStoreFailed`); null when none waits.
   */
  get keyToStore(): Uint8Array | null {
    return this.newKeyStored ? null : this.newKey;
  }

  /**
   * The key to install is on disk: the KEYSET may be sent. From now on it is
   * also the first key tried (the reader may take it even if its ACK is lost).
   */
  keyStored(): void {
    this.newKeyStored = true;
    this.keys.installed(this.newKey!);
  }

  /** A key rotation: `key` (or a random one) will be stored, then set. */
  rotate(key?: Uint8Array): void {
    this.newKey = key?.slice() ?? KeyRing.randomKey(this.#random);
    this.sc = "installing";
  }

  /** KEYSET acknowledged: the new key becomes the first candidate. */
  keyInstalled(): LinkEvent {
    this.#counters.keysInstalled++;
    this.keys.installed(this.newKey!);
    this.newKey = null;
    this.#sink.log("info", "osdp key installed; reconnecting under it", { reader: this.#name });
    return this.#event(E.OK, "");
  }

  /** KEYSET refused or not sent (`why`): the current session goes on. */
  keyNotInstalled(why: string): LinkEvent {
    this.newKey = null;
    const def = this.keySource === "default"; // the session goes on under its key
    this.sc = def ? "default-key" : "active";
    if (def && this.channel.required) {
      this.error =
        `reader is on the public default key SCBK-D and no key could be installed (${why})`;
      return this.#event(E.REFUSE, this.error);
    }
    return this.#event(E.CLEAR, why);
  }

  /** The handshake failed on the current key: the next key, or clear text, or refusal. */
  keyFailed(why: string): LinkEvent {
    this.#counters.scFailures++;
    this.channel.clear();
    const failed = this.keys.current.source;
    if (this.keys.next()) {
      this.#sink.log("info", "osdp key did not verify; trying the next one", {
        reader: this.#name,
        failed,
        next: this.keys.current.source,
      });
      return this.#event(E.NEXT_KEY, why);
    }
    this.sc = "failed";
    this.error = why;
    this.keySource = null;
    this.#sink.log("warn", "osdp secure channel handshake failed", {
      reader: this.#name,
      reason: why,
    });
    return this.#event(this.channel.required ? E.REFUSE : E.CLEAR, why);
  }

  /**
   * A handshake reply (CCRYPT to CHLNG, RMAC_I to SCRYPT) while waiting for
   * it: OK, the next key, install, clear text or refusal.
   */
  handshakeReply(
    code: number,
    p: OsdpParser,
    buf: Uint8Array,
    off: number,
    len: number,
  ): LinkEvent {
    if (code === OsdpReply.CCRYPT) {
      const problem = this.channel.checkCcrypt(buf, off, len);
      return problem === null ? this.#event(E.OK, "") : this.keyFailed(problem);
    }
    if (this.channel.checkRmacI(p, buf, off, len)) return this.sessionUp();
    return this.keyFailed("reader did not accept the secure channel cryptogram");
  }

  /**
   * A NAK to the command `cmd` that is a Secure Channel matter: the event,
   * or -1 when it is not one (or the link should move past a connect step:
   * then {@link why} is "skip").
   */
  onNak(nak: number, cmd: number): LinkEvent | -1 {
    const why = `reader NAK ${nak}: ${nakName(nak)}`;
    if (cmd === OsdpCmd.CHLNG || cmd === OsdpCmd.SCRYPT) return this.keyFailed(why);
    if (cmd === OsdpCmd.KEYSET) {
      return this.keyNotInstalled(`reader refused the new key: ${nakName(nak)}`);
    }
    if (nak !== OsdpNak.SECURITY_UNSUPPORTED && nak !== OsdpNak.ENCRYPTION_REQUIRED) return -1;
    if (this.channel.active) {
      this.#counters.macErrors++;
      this.error = why;
      return this.#event(E.RESTART, `secure channel lost: ${why}`);
    }
    if (nak === OsdpNak.ENCRYPTION_REQUIRED && !this.channel.wanted) {
      this.error = `${why}; no secure channel configured for this reader`;
      return this.#event(E.REFUSE, this.error);
    }
    if (nak === OsdpNak.ENCRYPTION_REQUIRED) return this.#event(E.RESTART, why);
    this.error = why;
    this.why = "skip";
    return -1;
  }

  /** A new connection attempt: session cleared, and with `rewind`, keys tried from the first. */
  reset(rewind: boolean): void {
    this.channel.clear();
    if (this.sc === "handshake" || this.sc === "active" || this.sc === "installing") {
      this.sc = "off";
    }
    if (rewind) this.keys.rewind();
  }
}
