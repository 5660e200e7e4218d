/**
 * `status.listen` addresses: parsing (`host:port`, `[v6]:port`, `:port`),
 * which hosts are loopback, and the host part of a URL for a bound address.
 *
 * @module
 */
import { CodedError } from "../../driver/device_error.ts";

/** Why the status server could not start (or its address is unusable). */
export type StatusServerErrorCode =
  | "bad-listen"
  | "address-in-use"
  | "address-unavailable"
  | "permission";

/** Thrown by `startStatusServer` and {@link parseListen}, with one clear message. */
export class StatusServerError extends CodedError<StatusServerErrorCode> {
  /** Creates the error. */
  constructor(code: StatusServerErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = "StatusServerError";
  }
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** True for a dotted-quad IPv4 address with every part 0–255. */
export function isIpv4(host: string): boolean {
  const m = IPV4_RE.exec(host);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

/** True for an IPv6 address (without brackets), as the URL parser reads it. */
export function isIpv6(host: string): boolean {
  if (!host.includes(":") || !/^[0-9A-Fa-f:.]+$/.test(host)) return false;
  try {
    new URL(`http://[${host}]/`);
    return true;
  } catch {
    return false;
  }
}

/** True for a DNS name: dot-separated labels of letters, digits and inner `-`, ≤ 253 chars. */
export function isDnsName(host: string): boolean {
  const h = host.endsWith(".") ? host.slice(0, -1) : host;
  if (h.length === 0 || h.length > 253 || /^[\d.]+$/.test(h)) return false;
  return h.split(".").every((label) => LABEL_RE.test(label));
}

/**
 * Parses `status.listen`: `127.0.0.1:8780`, `[::1]:8780`, `:8780` (all
 * interfaces, `0.0.0.0`), `localhost:0`. The host must be an IPv4 or IPv6
 * address or a DNS name; the port 0–65535 (0 picks a free port; the config
 * file asks for 1–65535).
 *
 * @throws {StatusServerError} code `bad-listen`, naming what is expected.
 */
export function parseListen(listen: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:\[\]\s]*)):(\d{1,5})$/.exec(String(listen).trim());
  const port = m ? Number(m[3]) : NaN;
  const hostname = m ? m[1] ?? (m[2] || "0.0.0.0") : "";
  const hostOk = m !== null &&
    (m[1] !== undefined ? isIpv6(m[1]) : m[2] === "" || isIpv4(hostname) || isDnsName(hostname));
  if (!m || port > 65535 || !hostOk) {
    throw new StatusServerError(
      "bad-listen",
      `status.listen: expected "host:port" (e.g. "127.0.0.1:8780", "[::1]:8780", ":8780"), got ${
        JSON.stringify(String(listen).slice(0, 100))
      }`,
    );
  }
  return { hostname, port };
}

/** True for `localhost` (and `*.localhost`), `127.0.0.0/8`, `::1` and their IPv4-mapped forms. */
export function isLoopbackHost(host: string): boolean {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h.startsWith("::ffff:")) h = h.slice(7);
  if (isIpv4(h)) return h.startsWith("127.");
  if (!isIpv6(h)) return false;
  return new URL(`http://[${h}]/`).hostname === "[::1]";
}

/** True for the all-interfaces addresses `0.0.0.0` and `::`. */
export function isWildcardHost(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** The host of a URL that reaches a server bound to `hostname` (loopback for all interfaces). */
export function urlHost(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::" || hostname === "[::]") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}
