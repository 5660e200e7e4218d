/**
 * Which HTTP proxy a request goes through: the standard proxy environment
 * variables (read once), proxy URLs, and `NO_PROXY` matching. No I/O beyond
 * reading the environment; `http1.ts` does the connecting.
 *
 * - `https_proxy` / `HTTPS_PROXY` for https URLs, `http_proxy` / `HTTP_PROXY`
 *   for http URLs, `no_proxy` / `NO_PROXY` for exceptions. The lowercase name
 *   wins when both are set (as in curl); an empty value counts as unset. There
 *   is no `ALL_PROXY`.
 * - A variable the process may not read (no `--allow-env` for it) counts as
 *   unset: no prompt, no crash.
 * - Proxy URLs: `http://host:port`, or `host:port` (http assumed), optionally
 *   with `user:pass@` (percent-decoded, sent as `Proxy-Authorization: Basic`).
 *   Without a port, 80. `https://` proxies (TLS to the proxy itself) and other
 *   schemes are refused with a message naming the variable.
 * - `NO_PROXY` (curl's rules, plus ports): entries separated by commas or
 *   white space, case-insensitive. A `*` entry bypasses the proxy for every host. A
 *   name (`example.com`, `.example.com` or `*.example.com`: the leading `.` or
 *   `*.` is ignored) matches that host and all its subdomains, never
 *   `badexample.com`. An IP address matches only itself (no CIDR ranges);
 *   IPv6 may be written bare (`::1`) or in brackets (`[::1]:8080`). `:port`
 *   limits an entry to that port.
 * - Loopback targets (`localhost`, 127.0.0.0/8, `::1`) never go through a
 *   proxy taken from the environment (Go's rule, not curl's): through a proxy
 *   they would reach the proxy's own machine, never this one.
 *
 * @module
 */

/** Reads one environment variable; `undefined` when unset. */
export type EnvGetter = (name: string) => string | undefined;

/** A proxy setting before parsing, and where it came from (named in errors). */
export interface ProxySetting {
  /** The proxy URL as given. */
  readonly value: string;
  /** Its source for messages: the variable's name, or `the proxy option`. */
  readonly source: string;
}

/** Proxy settings before parsing; a missing setting means no proxy. */
export interface ProxySettings {
  /** Proxy for http URLs. */
  readonly http?: ProxySetting;
  /** Proxy for https URLs (tunnelled with `CONNECT`). */
  readonly https?: ProxySetting;
  /** Hosts that bypass the proxy, `NO_PROXY` syntax. */
  readonly noProxy?: string;
  /**
   * Loopback targets (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`) go direct
   * whatever the other settings say: through a proxy they would name the
   * proxy's own machine. Set for settings read from the environment.
   */
  readonly loopbackDirect?: boolean;
}

/** A parsed proxy. Holds the credentials: never log it whole. */
export interface HttpProxy {
  /** Host to connect to (IPv6 without brackets). */
  readonly hostname: string;
  /** Port to connect to. */
  readonly port: number;
  /** `host:port` (IPv6 in brackets), without credentials: for messages and connection keys. */
  readonly label: string;
  /** The `Proxy-Authorization` value (`Basic …`), or null without credentials. */
  readonly authorization: string | null;
}

/** Where one request goes: straight to the server, through a proxy, or nowhere (bad setting). */
export type ProxyRoute =
  | { readonly kind: "direct" }
  | { readonly kind: "proxy"; readonly proxy: HttpProxy }
  | {
    readonly kind: "invalid";
    /** Names the setting and what is wrong, never its value. */
    readonly message: string;
  };

/** One parsed `NO_PROXY` entry. */
export interface NoProxyRule {
  /** Lower-case host name or IP address (IPv6 without brackets), no leading dot. */
  readonly host: string;
  /** The only port it applies to, or null for any port. */
  readonly port: number | null;
  /** True for an IP address: matched exactly, never as a domain suffix. */
  readonly ip: boolean;
}

/** A parsed `NO_PROXY` list. */
export interface NoProxy {
  /** True when the list holds `*`: every host bypasses the proxy. */
  readonly all: boolean;
  /** The other entries, in order. */
  readonly rules: readonly NoProxyRule[];
}

/**
 * `Deno.env.get`, except that a variable the process may not read counts as
 * unset. The permission is queried first, so a missing one never prompts.
 */
export function processEnv(name: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return undefined;
    }
    return Deno.env.get(name);
  } catch {
    return undefined; // NotCapable / PermissionDenied, or a name the OS refuses
  }
}

function firstSet(get: EnvGetter, names: readonly string[]): ProxySetting | undefined {
  for (const name of names) {
    const value = get(name)?.trim();
    if (value) return { value, source: name };
  }
  return undefined;
}

/**
 * Reads the six proxy variables through `get` (lowercase first, as curl does).
 *
 * @example
 * ```ts
 * const env: Record<string, string> = { HTTPS_PROXY: "a:1", https_proxy: "b:2" };
 * proxySettingsFromEnv((n) => env[n]).https; // { value: "b:2", source: "https_proxy" }
 * ```
 */
export function proxySettingsFromEnv(get: EnvGetter = processEnv): ProxySettings {
  return {
    http: firstSet(get, ["http_proxy", "HTTP_PROXY"]),
    https: firstSet(get, ["https_proxy", "HTTPS_PROXY"]),
    noProxy: firstSet(get, ["no_proxy", "NO_PROXY"])?.value,
    loopbackDirect: true,
  };
}

/**
 * The settings for an explicit proxy option: a URL is used for every request,
 * `null` means always direct, `undefined` means the environment (read through `env`).
 */
export function proxySettings(
  proxy: string | null | undefined,
  env: EnvGetter = processEnv,
): ProxySettings {
  if (proxy === undefined) return proxySettingsFromEnv(env);
  if (proxy === null) return {};
  const setting = { value: proxy, source: "the proxy option" };
  return { http: setting, https: setting };
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * Parses a proxy URL (`http://[user:pass@]host[:port]` or `[user:pass@]host[:port]`).
 * Throws an Error saying what is wrong; the message never repeats the value,
 * which may hold a password.
 *
 * @example
 * ```ts
 * parseProxyUrl("bob:s%40cret@proxy.corp:3128");
 * // { hostname: "proxy.corp", port: 3128, label: "proxy.corp:3128", authorization: "Basic Ym9iOnNAY3JldA==" }
 * ```
 */
export function parseProxyUrl(value: string): HttpProxy {
  const text = value.trim();
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === "https") {
    throw new Error(
      "https:// proxies (TLS to the proxy itself) are not supported; give it as http://host:port",
    );
  }
  if (scheme !== undefined && scheme !== "http") {
    throw new Error(`unsupported proxy scheme ${scheme}://; only http:// proxies are supported`);
  }
  let u: URL;
  try {
    u = new URL(scheme ? text : `http://${text}`);
  } catch {
    throw new Error("not a proxy URL (expected http://[user:pass@]host:port)");
  }
  const port = u.port === "" ? 80 : Number(u.port);
  let authorization: string | null = null;
  if (u.username !== "" || u.password !== "") {
    let credentials: string;
    try {
      credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    } catch {
      throw new Error("bad percent-encoding in the proxy's user name or password");
    }
    authorization = `Basic ${base64(new TextEncoder().encode(credentials))}`;
  }
  return {
    hostname: u.hostname.replace(/^\[|\]$/g, ""),
    port,
    label: `${u.hostname}:${port}`,
    authorization,
  };
}

function isIp(host: string): boolean {
  return host.includes(":") || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
}

/** The canonical text of an IPv6 address (`0:0::1` -> `::1`), or `host` unchanged. */
function canonicalV6(host: string): string {
  try {
    return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  } catch {
    return host;
  }
}

/**
 * Parses a `NO_PROXY` value (see the module notes); entries with a bad port are skipped.
 *
 * @example
 * ```ts
 * parseNoProxy(".corp.local, 10.0.0.7:8080");
 * // { all: false, rules: [{ host: "corp.local", port: null, ip: false }, { host: "10.0.0.7", port: 8080, ip: true }] }
 * ```
 */
export function parseNoProxy(text = ""): NoProxy {
  let all = false;
  const rules: NoProxyRule[] = [];
  for (const entry of text.toLowerCase().split(/[\s,]+/)) {
    if (entry === "") continue;
    if (entry === "*") {
      all = true;
      continue;
    }
    let host = entry;
    let portText: string | undefined;
    const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(entry);
    if (bracketed) [, host = "", portText] = bracketed;
    else if (entry.indexOf(":") === entry.lastIndexOf(":") && entry.includes(":")) {
      [host = "", portText] = entry.split(":");
    } // more than one colon without brackets: a bare IPv6 address
    let port: number | null = null;
    if (portText !== undefined) {
      port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
      if (port < 1 || port > 65535) continue;
    }
    host = host.replace(/^\*?\./, "").replace(/\.$/, "");
    if (host === "") continue;
    if (host.includes(":")) host = canonicalV6(host);
    rules.push({ host, port, ip: isIp(host) });
  }
  return { all, rules };
}

/**
 * True when a request to `hostname:port` bypasses the proxy under `noProxy`.
 * `hostname` as in `URL.hostname` (IPv6 in brackets is fine).
 *
 * @example
 * ```ts
 * bypassesProxy(parseNoProxy("example.com"), "api.example.com", 443); // true
 * bypassesProxy(parseNoProxy("example.com"), "badexample.com", 443); // false
 * ```
 */
export function bypassesProxy(noProxy: NoProxy, hostname: string, port: number): boolean {
  if (noProxy.all) return true;
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  const hostIsIp = isIp(host);
  for (const r of noProxy.rules) {
    if (r.port !== null && r.port !== port) continue;
    if (host === r.host) return true;
    if (!hostIsIp && !r.ip && host.endsWith(`.${r.host}`)) return true;
  }
  return false;
}

const DIRECT: ProxyRoute = { kind: "direct" };

/** True for `localhost` (and names under it), 127.0.0.0/8 and `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(h) ||
    (isIp(h) && canonicalV6(h) === "::1");
}

function routeOf(setting: ProxySetting | undefined): ProxyRoute {
  if (!setting) return DIRECT;
  try {
    return { kind: "proxy", proxy: parseProxyUrl(setting.value) };
  } catch (err) {
    return { kind: "invalid", message: `${setting.source}: ${(err as Error).message}` };
  }
}

/**
 * Parses `settings` once and returns the function that routes each URL: its
 * scheme's proxy unless `NO_PROXY` exempts the host (then direct; non-http(s)
 * URLs are always direct). A setting that cannot be parsed routes its URLs to
 * `invalid`, whose message names the setting.
 *
 * @example
 * ```ts
 * const route = proxyRouter({ https: { value: "10.0.0.1:3128", source: "HTTPS_PROXY" } });
 * route(new URL("https://app.iflow.ro/")).kind; // "proxy"
 * route(new URL("http://app.iflow.ro/")).kind; // "direct"
 * ```
 */
export function proxyRouter(
  settings: ProxySettings,
): (url: Pick<URL, "protocol" | "hostname" | "port">) => ProxyRoute {
  const http = routeOf(settings.http);
  const https = routeOf(settings.https);
  const noProxy = parseNoProxy(settings.noProxy);
  const loopbackDirect = settings.loopbackDirect === true;
  return (url) => {
    const tls = url.protocol === "https:";
    const route = tls ? https : url.protocol === "http:" ? http : DIRECT;
    if (route.kind === "direct") return route;
    if (loopbackDirect && isLoopbackHost(url.hostname)) return DIRECT;
    const port = Number(url.port || (tls ? 443 : 80));
    return bypassesProxy(noProxy, url.hostname, port) ? DIRECT : route;
  };
}
