/**
 * Who may ask the status server what: the `Host` check (against DNS
 * rebinding), the bearer token for `/export` and the actions (compared in
 * constant time), cross-site browser requests, and loopback-only access when
 * no token is configured.
 *
 * @module
 */

import { isIpv4, isIpv6, isLoopbackHost, isWildcardHost } from "./listen.ts";
import { clipForeign } from "../clip.ts";

/** What {@link hostAllowed} compares a request's `Host` with. */
export interface HostPolicy {
  /** The address the server is bound to (`0.0.0.0`, `::`, `127.0.0.1`, a name…). */
  listenHost: string;
  /** Extra host names from `status.allowedHosts` (lower case). */
  allowedHosts: readonly string[];
}

/** Clips foreign text for a log line or a reply (at most `max` characters, JSON-quoted). */
export function quoteClipped(s: string, max = 100): string {
  return JSON.stringify(clipForeign(s, max));
}

/** The host part of a `Host` header value (lower case, brackets and trailing dot removed), or null. */
export function hostOfHeader(value: string): string | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]\s/@]+))(?::(\d{1,5}))?$/.exec(value);
  if (!m) return null;
  let h = (m[1] ?? m[2]!).toLowerCase();
  if (h.endsWith(".")) h = h.slice(0, -1);
  return h;
}

/**
 * True when `hostHeader` names this server: `localhost`, a name in
 * `allowedHosts`, the bound address itself, or, when bound to all
 * interfaces, any IP address (an address in `Host` cannot be a rebinding
 * attack: the browser's origin is that address). Ports are not compared.
 */
export function hostAllowed(hostHeader: string | null, policy: HostPolicy): boolean {
  if (hostHeader === null) return false;
  const host = hostOfHeader(hostHeader);
  if (host === null) return false;
  if (host === "localhost" || policy.allowedHosts.includes(host)) return true;
  const listen = policy.listenHost.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (host === listen) return true;
  const ip = isIpv4(host) || isIpv6(host);
  if (!ip) return false;
  if (isWildcardHost(listen)) return true;
  if (isIpv6(host) && isIpv6(listen)) {
    return new URL(`http://[${host}]/`).hostname === new URL(`http://[${listen}]/`).hostname;
  }
  // A server bound to "localhost" answers on loopback addresses.
  return listen === "localhost" && isLoopbackHost(host);
}

/**
 * True when `given` and `token` are the same text, in a time that depends only
 * on the token's length: every byte of the token is compared, with no early
 * exit at the first difference (so timing tells nothing of how much matched).
 */
function sameText(given: string, token: string): boolean {
  const enc = new TextEncoder();
  const a = enc.encode(given);
  const b = enc.encode(token);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i]!;
  return diff === 0;
}

/**
 * True when the `Authorization` header is `Bearer <token>`, compared in a
 * time that does not depend on where it first differs from the token.
 */
export function bearerMatches(authorization: string | null, token: string): boolean {
  const m = authorization === null ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  const same = sameText(m?.[1] ?? "", token);
  return m !== null && same;
}

/** A refusal: the HTTP status, the message for the client and the counter it bumps. */
export interface Refusal {
  /** 401, 403 or 421. */
  status: 401 | 403 | 421;
  /** Said to the client (no secrets). */
  error: string;
  /** Which status counter to bump. */
  counter: "badHost" | "unauthorized" | "forbidden";
}

/** What {@link guardSensitive} needs to know about a request. */
export interface SensitiveRequest {
  /** `Origin` header, if any. */
  origin: string | null;
  /** `Sec-Fetch-Site` header, if any. */
  fetchSite: string | null;
  /** `Authorization` header, if any. */
  authorization: string | null;
  /** `http://` + the request's (already accepted) `Host`. */
  ownOrigin: string;
  /** The peer's IP address. */
  peer: string;
}

/**
 * Checks a request for `/export` or an action: no cross-site browser request;
 * with a token, `Authorization: Bearer <token>`; without one, a loopback peer.
 * Returns null when allowed.
 */
export function guardSensitive(req: SensitiveRequest, token: string | undefined): Refusal | null {
  if ((req.origin !== null && req.origin !== req.ownOrigin) || req.fetchSite === "cross-site") {
    return { status: 403, error: "cross-origin requests are not allowed", counter: "forbidden" };
  }
  if (token !== undefined) {
    if (bearerMatches(req.authorization, token)) return null;
    return {
      status: 401,
      error: "this needs Authorization: Bearer <status.token>",
      counter: "unauthorized",
    };
  }
  if (isLoopbackHost(req.peer)) return null;
  return {
    status: 403,
    error: "only local clients may do this while status.token is not set",
    counter: "forbidden",
  };
}
