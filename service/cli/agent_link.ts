/**
 * Talking to a running agent through its status endpoint, so CLI commands
 * work while the agent holds the journal.
 *
 * @module
 */

/** The base URL for a `host:port` listen address. */
export function statusBaseUrl(listen: string): string {
  const [host, port] = splitListen(listen);
  const h = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host;
  return `http://${h}:${port}`;
}

/** Splits `host:port` (IPv6 hosts in brackets). */
export function splitListen(listen: string): [string, number] {
  const i = listen.lastIndexOf(":");
  return [listen.slice(0, i), Number(listen.slice(i + 1))];
}

/** GETs `path` from the agent; null when no agent answers. */
export async function agentFetch(
  listen: string,
  path: string,
  init: RequestInit = {},
  timeoutMs = 2000,
): Promise<Response | null> {
  try {
    return await fetch(statusBaseUrl(listen) + path, {
      ...init,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return null;
  }
}
