/**
 * Replaying `osdp` captures: commands (bytes written) and replies (bytes
 * read) go through the same {@link OsdpParser} as the control panel's, in the
 * order they crossed the line; card replies through the same card decoder.
 * Secure Channel is followed as an observer: a session opened in install mode
 * (SCBK-D, a public key) is decrypted from the recorded handshake; a session
 * running when the capture began, or opened under a reader's own key, from
 * the session keys the capture recorded (`osdp-session` meta events, see
 * `osdp_keys.ts`; never an SCBK). Without them, or in a redacted file, the
 * replay says why the secured frames cannot be read. Reply times come from the recorded timestamps: a
 * command with no reply before the next one is a failed frame, a reply later
 * than the line's reply timeout is noted.
 *
 * @module
 */

import { hexString } from "../hex.ts";
import { OsdpCardDecoder } from "../osdp/card_data.ts";
import { commandName, nakName, OsdpCmd, OsdpReply, OsdpScs, replyName } from "../osdp/constants.ts";
import { OsdpParser } from "../osdp/parser.ts";
import { SCBK_D, SecureSession } from "../osdp/secure.ts";
import { DEFAULT_TIMING } from "../osdp/timing.ts";
import { chunks, metaJson, type ParsedCapture, RecordType } from "./format.ts";
import { OSDP_SESSION_EVENT, sessionFromEvent } from "./osdp_keys.ts";
import { ReplayLog, type ReplayReport } from "./replay.ts";

/** What the observer knows of one reader's Secure Channel. */
interface Observed {
  session: SecureSession | null;
  serverCryptogram: Uint8Array | null;
  /** Why its secured traffic cannot be read ("" when it can). */
  blind: string;
}

/** One frame the observer could read, its data in clear (for `osdp_playback.ts`). */
export interface ReadableFrame {
  /** Seconds since the capture's first record. */
  time: number;
  /** True for a command (CP → reader). */
  command: boolean;
  /** The reader's address. */
  address: number;
  /** Command or reply code. */
  code: number;
  /** The data in clear (decrypted when it was encrypted). */
  data: Uint8Array;
}

/**
 * Replays an `osdp` capture; `onReadable`, when given, also sees every frame
 * the observer could read, with its data in clear.
 */
export function replayOsdp(
  cap: ParsedCapture,
  onReadable?: (f: ReadableFrame) => void,
): ReplayReport {
  const log = new ReplayLog(cap);
  const commands = new OsdpParser();
  const replies = new OsdpParser();
  const cards = new OsdpCardDecoder();
  const peers = new Map<number, Observed>();
  const counts = {
    commands: 0,
    replies: 0,
    naks: 0,
    cards: 0,
    cardErrors: 0,
    unreadable: 0,
    noReply: 0,
    lateReplies: 0,
    sessionsFromKeys: 0,
  };
  const timeoutMs = replyTimeoutMs(cap);
  // The command waiting for its reply, timed with the recorded timestamps.
  let waiting: { time: number; address: number; name: string } | null = null;
  const peer = (a: number) => {
    let o = peers.get(a);
    if (!o) peers.set(a, o = { session: null, serverCryptogram: null, blind: "" });
    return o;
  };
  const redacted = cap.header.redacted === true;
  for (const ch of chunks(cap.records, cap.count)) {
    if (ch.type === RecordType.meta) {
      const e = metaJson(ch.data);
      if (e?.["event"] !== OSDP_SESSION_EVENT) continue;
      const got = sessionFromEvent(e);
      if (got) {
        const o = peer(got.address);
        o.session = got.session;
        o.blind = "";
        counts.sessionsFromKeys++;
      } else if (redacted) {
        peer(Number(e["address"])).blind =
          "Secure Channel session keys and encrypted payloads removed by --redact";
      }
      continue;
    }
    if (ch.type !== RecordType.rx && ch.type !== RecordType.tx) continue;
    const isCmd = ch.type === RecordType.tx;
    const p = isCmd ? commands : replies;
    const time = log.time(ch.sec, ch.nsec);
    const dir = isCmd ? "tx" : "rx";
    const errorsBefore = p.checkErrors + p.lengthErrors + p.layoutErrors;
    let i = 0;
    while (i < ch.data.length) {
      i = p.feed(ch.data, i, ch.data.length);
      const errorsNow = p.checkErrors + p.lengthErrors + p.layoutErrors;
      if (!p.ready) {
        if (errorsNow !== errorsBefore) {
          log.frame({ time, dir, raw: hexString(ch.data), ok: false, error: "bad frame" });
        }
        break;
      }
      const raw = hexString(p.frame, p.frameStart, p.length);
      const name = isCmd ? commandName(p.code) : replyName(p.code);
      if (isCmd) {
        counts.commands++;
        if (waiting !== null) {
          counts.noReply++;
          log.frame({
            time: waiting.time,
            dir: "tx",
            raw: "",
            ok: false,
            what: waiting.name,
            reader: waiting.address,
            error: `no reply before the next command (${ms(time - waiting.time)} ms later)`,
          });
        }
        waiting = { time, address: p.address, name };
      } else {
        counts.replies++;
        if (waiting !== null && time - waiting.time > timeoutMs / 1000) {
          counts.lateReplies++;
          log.notes.push(
            `${name} from ${p.address} at ${time} s came ${
              ms(time - waiting.time)
            } ms after ${waiting.name}, past the ${timeoutMs} ms reply timeout`,
          );
        }
        waiting = null;
      }
      const o = peer(p.address);
      const data = observe(o, p, isCmd, redacted);
      if (data === null) {
        counts.unreadable++;
        log.frame({ time, dir, raw, ok: true, what: name, reader: p.address, error: o.blind });
        continue;
      }
      onReadable?.({ time, command: isCmd, address: p.address, code: p.code, data });
      if (!isCmd && (p.code === OsdpReply.RAW || p.code === OsdpReply.FMT)) {
        const ok = p.code === OsdpReply.RAW
          ? cards.decodeRaw(data, 0, data.length)
          : cards.decodeFmt(data, 0, data.length);
        if (ok) {
          counts.cards++;
          log.card({ time, dir, raw, what: name, reader: p.address }, cards.read);
        } else {
          counts.cardErrors++;
          log.frame({
            time,
            dir,
            raw,
            ok: false,
            what: name,
            reader: p.address,
            error: cards.lastError,
          });
        }
        continue;
      }
      if (!isCmd && p.code === OsdpReply.NAK) {
        counts.naks++;
        const why = data.length > 0 ? nakName(data[0]!) : "no reason given";
        log.frame({ time, dir, raw, ok: true, what: `${name} (${why})`, reader: p.address });
        continue;
      }
      log.frame({ time, dir, raw, ok: true, what: name, reader: p.address });
    }
  }
  return log.report({
    ...counts,
    checkErrors: commands.checkErrors + replies.checkErrors,
    lengthErrors: commands.lengthErrors + replies.lengthErrors,
    layoutErrors: commands.layoutErrors + replies.layoutErrors,
  });
}

/**
 * Follows the handshake and the MAC chain; returns the frame's data in clear,
 * or null when it is secured and cannot be read.
 */
function observe(
  o: Observed,
  p: OsdpParser,
  isCmd: boolean,
  redacted: boolean,
): Uint8Array | null {
  const d = p.frameStart + p.dataOffset; // the frame where it lies (see OsdpParser.frame)
  const data = p.frame.slice(d, d + p.dataLength);
  const scs = p.scbType;
  if (isCmd && p.code === OsdpCmd.CHLNG && scs === OsdpScs.S11) {
    const keyType = p.scbDataLength >= 1 ? p.frame[p.frameStart + p.scbDataOffset]! : 0;
    o.serverCryptogram = null;
    if (keyType !== 0 || data.length < 8) {
      o.session = null;
      o.blind = "Secure Channel under the reader's own key, and no session keys recorded";
      return data;
    }
    o.session = new SecureSession();
    o.session.rndA.set(data.subarray(0, 8));
    o.session.deriveKeys(SCBK_D);
    o.blind = "";
    return data;
  }
  const s = o.session;
  if (!isCmd && p.code === OsdpReply.CCRYPT && s && data.length >= 32) {
    s.rndB.set(data.subarray(8, 16));
    return data;
  }
  if (isCmd && p.code === OsdpCmd.SCRYPT && s) {
    o.serverCryptogram = data.slice(0, 16);
    return data;
  }
  if (!isCmd && p.code === OsdpReply.RMAC_I && s && o.serverCryptogram) {
    s.activate(s.initialRmac(o.serverCryptogram));
    return data;
  }
  const secured = scs === OsdpScs.S15 || scs === OsdpScs.S16 || scs === OsdpScs.S17 ||
    scs === OsdpScs.S18;
  if (!secured) return data;
  if (redacted && (scs === OsdpScs.S17 || scs === OsdpScs.S18)) {
    o.blind = "encrypted payload removed by --redact (its MAC no longer verifies)";
    o.session = null;
    return null;
  }
  if (isCmd && p.code === OsdpCmd.KEYSET && s?.active) {
    // Its data (a new key) was blanked when captured: the MAC chain cannot go on.
    o.blind = "the session ended with osdp_KEYSET (its key is not in the capture)";
    o.session = null;
    return null;
  }
  if (!s || !s.active) {
    o.blind ||= "secured before the capture started (no handshake recorded)";
    return null;
  }
  if (!s.verify(p.frame, p.macOffset, isCmd, p.frameStart)) {
    o.blind = "MAC did not verify: the recorded session was lost";
    o.session = null;
    return null;
  }
  if (scs === OsdpScs.S17 || scs === OsdpScs.S18) {
    const plain = s.decrypt(data, isCmd);
    if (plain === null) {
      o.blind = "data did not decrypt";
      return null;
    }
    return plain;
  }
  return data;
}

function ms(seconds: number): number {
  return Math.round(seconds * 1e4) / 10;
}

/** The recorded line's reply timeout (ms), from its config entry, else the default. */
function replyTimeoutMs(cap: ParsedCapture): number {
  const timing = cap.header.reader["timing"] as Record<string, unknown> | undefined;
  const v = Number(timing?.["replyTimeoutMs"]);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_TIMING.replyTimeoutMs;
}
